// Every lookup a request makes is index-backed: EXPLAIN (through the driver, as the code queries)
// shows no full scan. On the embedded engine that means no PostgreSQL Seq Scan, thanks to the GIN
// indexes the engine keeps beside FerretDB's; on MongoDB (TEST_MONGODB_URI), no COLLSCAN.
import mongoose, { Types, type Query } from 'mongoose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testDatabaseUri } from '../../../test/helpers';
import { createHash } from 'node:crypto';
import { Session } from '../../auth/model';
import { Ticket } from '../../aftersale/model';
import { Campaign, Coupon } from '../../coupons/model';
import { CustomerIdentity, TimelineEntry, identityKey } from '../../customers/model';
import { Member } from '../../members/model';
import { Delivery, KeywordRule } from '../../officialAccount/model';
import { ensureGinIndexes } from './ginIndexes';
import { POSTGRES_ROLE } from './embeddedPostgres';

const N = 3_000;
const customers = Array.from({ length: 300 }, () => new Types.ObjectId());
const campaigns = Array.from({ length: N }, () => new Types.ObjectId());
const pick = <T>(list: T[], i: number) => list[i % list.length]!;
const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 60_000);

type AnyQuery = Query<unknown, unknown>;
/** Sessions are stored under the token's SHA-256 (auth/service.ts). */
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** The hot queries, shaped as the request paths build them. */
const hotQueries: Record<string, () => AnyQuery> = {
  'session by token (login/session)': () => Session.findOne({ _id: hashToken('token-7'), expiresAt: { $gt: new Date() } }) as AnyQuery,
  'customer by openid': () => CustomerIdentity.findById(identityKey('oa_openid', 'openid-8')) as AnyQuery,
  'customer by unionid': () => CustomerIdentity.findById(identityKey('unionid', 'unionid-7')) as AnyQuery,
  'OA delivery dedupe': () => Delivery.findById('delivery-7', { state: 1, reply: 1 }) as AnyQuery,
  'keyword rules': () => KeywordRule.find({ enabled: true }).sort({ priority: -1, _id: 1 }) as AnyQuery,
  'my coupons': () =>
    Coupon.find({ customerId: pick(customers, 7) })
      .sort({ claimedAt: -1 })
      .limit(200) as AnyQuery,
  'my coupons in one state': () =>
    Coupon.find({ customerId: pick(customers, 7), state: 'available' })
      .sort({ claimedAt: -1 })
      .limit(200) as AnyQuery,
  'coupon by code': () => Coupon.findOne({ code: 'CODE7' }) as AnyQuery,
  "a claimant's coupons of a campaign (claim collision)": () =>
    Coupon.find({ campaignId: pick(campaigns, 7), claimantId: pick(customers, 7) }).limit(1_000) as AnyQuery,
  'issued places of a campaign (sold-out check)': () =>
    Coupon.find({ campaignId: pick(campaigns, 7) }, { _id: 0, stockSlot: 1 }) as AnyQuery,
  'campaign by id': () => Campaign.findById(pick(campaigns, 7)) as AnyQuery,
  'member by customer': () => Member.findOne({ customerId: pick(customers, 7), closedAt: { $exists: false } }) as AnyQuery,
  'ticket list': () =>
    Ticket.find({ customerId: pick(customers, 7) })
      .sort({ createdAt: -1, _id: -1 })
      .limit(20)
      .select({ history: 0 }) as AnyQuery,
  'timeline page': () =>
    TimelineEntry.find({ customerId: pick(customers, 7) })
      .sort({ at: -1, _id: -1 })
      .limit(50) as AnyQuery,
};

async function seed(): Promise<void> {
  const many = <T>(make: (i: number) => T) => Array.from({ length: N }, (_, i) => make(i));
  await Promise.all([
    Session.collection.insertMany(
      many((i) => ({ _id: hashToken(`token-${i}`) as never, customerId: pick(customers, i), expiresAt: at(10_000_000) })),
    ),
    CustomerIdentity.collection.insertMany(
      many((i) => ({
        _id: identityKey(i % 2 ? 'unionid' : 'oa_openid', i % 2 ? `unionid-${i}` : `openid-${i}`) as never,
        customerId: pick(customers, i),
        kind: 'x',
        value: `v${i}`,
      })),
    ),
    Delivery.collection.insertMany(many((i) => ({ _id: `delivery-${i}` as never, state: 'done', reply: null, createdAt: at(i) }))),
    KeywordRule.collection.insertMany(many((i) => ({ name: `rule-${i}`, enabled: i % 100 === 0, priority: i % 10, keywords: [`k${i}`] }))),
    Coupon.collection.insertMany(
      many((i) => ({
        code: `CODE${i}`,
        customerId: pick(customers, i),
        claimantId: pick(customers, i),
        campaignId: pick(campaigns, i),
        stockSlot: i,
        state: i % 3 ? 'used' : 'available',
        claimedAt: at(i),
      })),
    ),
    Campaign.collection.insertMany(campaigns.map((_id, i) => ({ _id, status: 'active', name: `c${i}`, claimStart: at(i) }))),
    Member.collection.insertMany(customers.map((customerId, i) => ({ customerId, memberNo: `M${i}`, tierRank: i % 3 }))),
    Ticket.collection.insertMany(many((i) => ({ customerId: pick(customers, i), type: 'repair', state: 'open', createdAt: at(i) }))),
    TimelineEntry.collection.insertMany(many((i) => ({ customerId: pick(customers, i), type: 'message', at: at(i) }))),
  ]);
}

/** Names of the full-scan steps in an explain answer (FerretDB: PostgreSQL's plan; MongoDB: stages). */
export function fullScans(explain: unknown): string[] {
  const found: string[] = [];
  const walk = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (n['Node Type'] === 'Seq Scan') found.push(`Seq Scan on ${String(n['Relation Name'])}`);
    if (n.stage === 'COLLSCAN') found.push('COLLSCAN');
    for (const value of Object.values(n)) walk(value);
  };
  walk(explain);
  return found;
}

const enginePostgres = inject('enginePostgres');

beforeAll(async () => {
  await mongoose.connect(testDatabaseUri());
  await Promise.all(
    [Session, CustomerIdentity, Delivery, KeywordRule, Coupon, Campaign, Member, Ticket, TimelineEntry].map((m) => m.init()),
  );
  await seed();
  if (enginePostgres) {
    // What the engine does every few seconds, done now; then fresh planner statistics.
    const client = new pg.Client({ host: '127.0.0.1', user: POSTGRES_ROLE, ...enginePostgres });
    await client.connect();
    try {
      await ensureGinIndexes(client);
      await client.query(`ANALYZE`);
    } finally {
      await client.end();
    }
  }
}, 120_000);
afterAll(async () => {
  await mongoose.disconnect();
});

describe('hot queries', () => {
  it('finds its answers through an index on every request path, not a full scan', async () => {
    const scans: Record<string, string[]> = {};
    for (const [name, query] of Object.entries(hotQueries)) {
      const explain = await query().explain('queryPlanner');
      const found = fullScans(explain);
      if (found.length) scans[name] = found;
      // A plan was really read: FerretDB names the PostgreSQL plan, MongoDB the winning plan.
      expect(JSON.stringify(explain)).toMatch(/"Node Type"|winningPlan/);
    }
    expect(scans).toEqual({});
  });

  it('still answers them correctly', async () => {
    expect(await hotQueries['coupon by code']!().lean()).toMatchObject({ code: 'CODE7' });
    expect(((await hotQueries['my coupons']!().lean()) as unknown as unknown[]).length).toBe(N / customers.length);
    expect(((await hotQueries['keyword rules']!().lean()) as unknown as unknown[]).length).toBe(N / 100);
  });

  it('shows a full scan when a filter cannot use an index (the check can fail)', async () => {
    const explain = await Coupon.find({ claimedAt: { $gt: at(5) } }).explain('queryPlanner');
    expect(fullScans(explain).length).toBeGreaterThan(0);
  });
});

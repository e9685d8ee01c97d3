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
// Registers every module's models (the coverage check below walks them all).
import '../../modules';
import { ensureGinIndexes, GIN_INDEX_PREFIX, planGinIndexes, type GinIndexPlan } from './ginIndexes';
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
        campaignId: pick(campaigns, i),
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

describe.runIf(enginePostgres)('the embedded engine', () => {
  const withClient = async <T>(use: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ host: '127.0.0.1', user: POSTGRES_ROLE, ...enginePostgres! });
    await client.connect();
    try {
      return await use(client);
    } finally {
      await client.end();
    }
  };
  /** The GIN indexes planned for a collection of this test's database, and whether they exist. */
  const ginOf = async (client: pg.Client, collection: string) => {
    const { missing, present } = await planGinIndexes(client);
    const mine = (p: GinIndexPlan) => p.schema === mongoose.connection.db!.databaseName && p.collection === collection;
    return { missing: missing.filter(mine), present: present.filter(mine) };
  };

  it('adds the GIN indexes of a collection created while it runs, by itself', async () => {
    // Digits and other non-letters become '_' in FerretDB's table names: the table is found through
    // FerretDB's metadata, never by the collection's name.
    const name = `late_${new Types.ObjectId().toHexString()}`;
    await mongoose.connection.db!.collection(name).createIndex({ sku: 1 });
    await withClient(async (client) => {
      // The whole suite shares one engine: its pass over every test database can take a while.
      const deadline = Date.now() + 180_000;
      let gin = await ginOf(client, name);
      while ((gin.missing.length || gin.present.length < 2) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        gin = await ginOf(client, name);
      }
      expect(gin.present.map((p) => p.field).sort()).toEqual(['_id', 'sku']);
      const { rows } = await client.query<{ def: string }>(
        'SELECT indexdef AS def FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 AND indexname LIKE $3',
        [gin.present[0]!.schema, gin.present[0]!.table, `${GIN_INDEX_PREFIX}%`],
      );
      const defs = rows.map((r) => r.def);
      expect(defs.some((d) => d.includes("'_id'") && d.includes('jsonb_path_ops'))).toBe(true);
      expect(defs.some((d) => d.includes("'sku'") && d.includes('jsonb_path_ops'))).toBe(true);
    });
  }, 240_000);

  it("covers every top-level field of every index that any module's model declares", async () => {
    // Every model the server registers (modules.ts imports every module), whatever module added it.
    const models = mongoose.modelNames().map((n) => mongoose.model(n));
    expect(models.length).toBeGreaterThan(30);
    await Promise.all(models.map((m) => m.init()));
    const uncovered: string[] = [];
    await withClient(async (client) => {
      await ensureGinIndexes(client);
      for (const model of models) {
        const collection = model.collection.collectionName;
        const fields = new Set(['_id']);
        for (const [keys] of model.schema.indexes()) {
          for (const key of Object.keys(keys)) if (!key.includes('.')) fields.add(key);
        }
        const gin = await ginOf(client, collection);
        const indexed = new Set(gin.present.map((p) => p.field));
        for (const field of fields) if (!indexed.has(field)) uncovered.push(`${collection}.${field}`);
      }
    });
    expect(uncovered).toEqual([]);
  }, 120_000);
});

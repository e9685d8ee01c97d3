// The lookups the request paths make (login/session, customer by openid/unionid, official-account
// delivery dedupe, keyword rules, my coupons, coupon by code, campaign, member, ticket list, timeline
// page), shaped as the code builds them, plus data for them at any size. Shared by the EXPLAIN test
// (hotQueries.test.ts) and `npm run bench:scale`.
import { createHash } from 'node:crypto';
import { Types, type Connection, type Query } from 'mongoose';
import { Ticket } from '../src/aftersale/model';
import { Session } from '../src/auth/model';
import { Campaign, Coupon } from '../src/coupons/model';
import { Customer, CustomerIdentity, TimelineEntry, identityKey } from '../src/customers/model';
import { Member } from '../src/members/model';
import { Delivery, KeywordRule } from '../src/officialAccount/model';

export type AnyQuery = Query<unknown, unknown>;

const MODELS = { Session, Customer, CustomerIdentity, Delivery, KeywordRule, Coupon, Campaign, Member, Ticket, TimelineEntry };
type HotModels = typeof MODELS;
/** The models the hot queries read (init them before seeding). */
export const HOT_MODELS = Object.values(MODELS);

/** The models, or their copies bound to another connection (another database on the same engine). */
export function hotModels(connection?: Connection): HotModels {
  if (!connection) return MODELS;
  return Object.fromEntries(
    Object.entries(MODELS).map(([name, model]) => [name, connection.model(model.modelName, model.schema, model.collection.collectionName)]),
  ) as unknown as HotModels;
}

/** Sessions are stored under the token's SHA-256 (auth/service.ts). */
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 60_000);

export interface HotData {
  /** Documents per collection (sessions, identities, deliveries, coupons, tickets). */
  size: number;
  customers: Types.ObjectId[];
  campaigns: Types.ObjectId[];
  /** Timeline entries per customer. */
  timelinePerCustomer: number;
  keywordRules: number;
}

export function hotData(
  size: number,
  options: { customers: number; campaigns: number; timelinePerCustomer: number; keywordRules: number },
): HotData {
  return {
    size,
    customers: Array.from({ length: options.customers }, () => new Types.ObjectId()),
    campaigns: Array.from({ length: options.campaigns }, () => new Types.ObjectId()),
    timelinePerCustomer: options.timelinePerCustomer,
    keywordRules: options.keywordRules,
  };
}

const pick = <T>(list: T[], i: number) => list[i % list.length]!;

/** Each hot query, for the i-th key of the data (any i: it wraps around). */
export function hotQueries(data: HotData, connection?: Connection): Record<string, (i: number) => AnyQuery> {
  const n = data.size;
  const { Session, CustomerIdentity, Delivery, KeywordRule, Coupon, Campaign, Member, Ticket, TimelineEntry } = hotModels(connection);
  return {
    'session by token (login/session)': (i) =>
      Session.findOne({ _id: hashToken(`token-${i % n}`), expiresAt: { $gt: new Date() } }) as AnyQuery,
    'customer by openid': (i) => CustomerIdentity.findById(identityKey('oa_openid', `openid-${(i % (n >> 1)) * 2}`)) as AnyQuery,
    'customer by unionid': (i) => CustomerIdentity.findById(identityKey('unionid', `unionid-${(i % (n >> 1)) * 2 + 1}`)) as AnyQuery,
    'OA delivery dedupe': (i) => Delivery.findById(`delivery-${i % n}`, { state: 1, reply: 1 }) as AnyQuery,
    'keyword rules': () => KeywordRule.find({ enabled: true }).sort({ priority: -1, _id: 1 }) as AnyQuery,
    'my coupons': (i) =>
      Coupon.find({ customerId: pick(data.customers, i) })
        .sort({ claimedAt: -1 })
        .limit(200) as AnyQuery,
    'my coupons in one state': (i) =>
      Coupon.find({ customerId: pick(data.customers, i), state: 'available' })
        .sort({ claimedAt: -1 })
        .limit(200) as AnyQuery,
    'coupon by code': (i) => Coupon.findOne({ code: `CODE${i % n}` }) as AnyQuery,
    "a claimant's coupons of a campaign (claim collision)": (i) =>
      Coupon.find({ campaignId: pick(data.campaigns, i), claimantId: pick(data.customers, i) }).limit(1_000) as AnyQuery,
    'issued places of a campaign (sold-out check)': (i) =>
      Coupon.find({ campaignId: pick(data.campaigns, i) }, { _id: 0, stockSlot: 1 }) as AnyQuery,
    'campaign by id': (i) => Campaign.findById(pick(data.campaigns, i)) as AnyQuery,
    'member by customer': (i) => Member.findOne({ customerId: pick(data.customers, i), closedAt: { $exists: false } }) as AnyQuery,
    'ticket list': (i) =>
      Ticket.find({ customerId: pick(data.customers, i) })
        .sort({ createdAt: -1, _id: -1 })
        .limit(20)
        .select({ history: 0 }) as AnyQuery,
    'timeline page': (i) =>
      TimelineEntry.find({ customerId: pick(data.customers, i) })
        .sort({ at: -1, _id: -1 })
        .limit(50) as AnyQuery,
  };
}

/**
 * Writes the data with unordered insertMany in batches; onProgress after each batch. Timeline
 * entries: timelinePerCustomer for each customer.
 */
export async function seedHotData(
  data: HotData,
  options: { batch?: number; connection?: Connection; onProgress?: (what: string, done: number) => void } = {},
): Promise<void> {
  const batch = options.batch ?? 10_000;
  const { Session, Customer, CustomerIdentity, Delivery, KeywordRule, Coupon, Campaign, Member, Ticket, TimelineEntry } = hotModels(
    options.connection,
  );
  const n = data.size;
  const insert = async (
    what: string,
    model: { collection: { insertMany(docs: object[], o: object): Promise<unknown> } },
    count: number,
    make: (i: number) => object,
  ) => {
    for (let from = 0; from < count; from += batch) {
      const docs = Array.from({ length: Math.min(batch, count - from) }, (_, j) => make(from + j));
      await model.collection.insertMany(docs, { ordered: false });
      options.onProgress?.(what, from + docs.length);
    }
  };
  await Promise.all([
    insert('customers', Customer, data.customers.length, (i) => ({ _id: data.customers[i], createdAt: at(i) })),
    insert('sessions', Session, n, (i) => ({
      _id: hashToken(`token-${i}`),
      customerId: pick(data.customers, i),
      expiresAt: at(10_000_000),
      createdAt: at(i),
    })),
    insert('identities', CustomerIdentity, n, (i) => ({
      _id: identityKey(i % 2 ? 'unionid' : 'oa_openid', i % 2 ? `unionid-${i}` : `openid-${i}`),
      customerId: pick(data.customers, i),
      kind: i % 2 ? 'unionid' : 'oa_openid',
      value: i % 2 ? `unionid-${i}` : `openid-${i}`,
    })),
    insert('deliveries', Delivery, n, (i) => ({ _id: `delivery-${i}`, state: 'done', reply: null, createdAt: at(i) })),
    insert('keyword rules', KeywordRule, data.keywordRules, (i) => ({
      name: `rule-${i}`,
      enabled: i % 100 === 0,
      priority: i % 10,
      keywords: [`k${i}`],
    })),
    insert('coupons', Coupon, n, (i) => ({
      code: `CODE${i}`,
      customerId: pick(data.customers, i),
      claimantId: pick(data.customers, i),
      campaignId: pick(data.campaigns, i),
      stockSlot: i,
      state: i % 3 ? 'used' : 'available',
      claimedAt: at(i),
    })),
    insert('campaigns', Campaign, data.campaigns.length, (i) => ({
      _id: data.campaigns[i],
      status: 'active',
      name: `c${i}`,
      claimStart: at(i),
    })),
    insert('members', Member, data.customers.length, (i) => ({ customerId: data.customers[i], memberNo: `M${i}`, tierRank: i % 3 })),
    insert('tickets', Ticket, n, (i) => ({ customerId: pick(data.customers, i), type: 'repair', state: 'open', createdAt: at(i) })),
    insert('timeline', TimelineEntry, data.customers.length * data.timelinePerCustomer, (i) => ({
      customerId: pick(data.customers, i),
      type: 'message',
      at: at(i),
    })),
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

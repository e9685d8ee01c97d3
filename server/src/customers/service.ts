import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import { createBatcher, insertEach, toStored } from '../platform/db/batch';
import { isDuplicateKey } from '../platform/db/errors';
import { emit } from '../platform/events';
import { Customer, CustomerIdentity, identityKey, TimelineEntry, type CustomerDoc, type IdentityKind, type TimelineDoc } from './model';

export type Channel = 'official_account' | 'mini_program' | 'store' | 'system';

export interface SeenAs {
  /** Which app the openid belongs to. */
  app: 'official_account' | 'mini_program';
  openid: string;
  unionid?: string | undefined;
}

const identityKind = (app: SeenAs['app']): IdentityKind => (app === 'official_account' ? 'oa_openid' : 'mp_openid');

/**
 * The customer behind an openid, created on first sight. One person is one customer: an openid
 * from the other app that carries the same unionid lands on the same record. Safe under concurrent
 * calls without transactions: the unique (kind, value) index decides every race.
 */
export async function resolveCustomer(seen: SeenAs): Promise<Types.ObjectId> {
  const kind = identityKind(seen.app);
  const key = identityKey(kind, seen.openid);
  if (!seen.unionid) {
    const cached = identityCache.get(key);
    if (cached && cached.until > Date.now()) return cached.customerId;
  }
  const known = await CustomerIdentity.findById(key).lean();
  if (known) {
    if (seen.unionid) return linkUnionid(known.customerId, seen.unionid);
    rememberIdentity(key, known.customerId);
    return known.customerId;
  }

  if (seen.unionid) {
    const person = await CustomerIdentity.findById(identityKey('unionid', seen.unionid)).lean();
    if (person) return claimIdentity(kind, seen.openid, person.customerId);
  }

  const created = await Customer.create({});
  const owner = await claimIdentity(kind, seen.openid, created._id);
  if (!owner.equals(created._id)) {
    // Another request created this person a moment earlier: drop our empty record.
    await Customer.deleteOne({ _id: created._id });
  }
  if (seen.unionid) return linkUnionid(owner, seen.unionid);
  rememberIdentity(key, owner);
  return owner;
}

// An openid's customer never changes once made, except when two records of one person are joined
// or a person is erased: each instance keeps what it looked up for a minute, which bounds how long
// a message of a joined or erased person can still land on the old record, and costs one read per
// follower per minute instead of one per message.
const IDENTITY_CACHE_MS = 60_000;
const IDENTITY_CACHE_MAX = 100_000;
const identityCache = new Map<string, { customerId: Types.ObjectId; until: number }>();

function rememberIdentity(key: string, customerId: Types.ObjectId): void {
  if (identityCache.size >= IDENTITY_CACHE_MAX) identityCache.delete(identityCache.keys().next().value!);
  identityCache.set(key, { customerId, until: Date.now() + IDENTITY_CACHE_MS });
}

function forgetIdentitiesOf(customerId: Types.ObjectId): void {
  for (const [key, entry] of identityCache) if (entry.customerId.equals(customerId)) identityCache.delete(key);
}

/** Points (kind, value) at the customer unless someone holds it already; returns the holder. */
async function claimIdentity(kind: IdentityKind, value: string, customerId: Types.ObjectId): Promise<Types.ObjectId> {
  try {
    await CustomerIdentity.create({ _id: identityKey(kind, value), kind, value, customerId });
    return customerId;
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const holder = await CustomerIdentity.findById(identityKey(kind, value)).lean();
    if (!holder) throw err;
    return holder.customerId;
  }
}

/**
 * Attaches a unionid to a customer. When the unionid already belongs to another record, the two are
 * the same person: this record's identities and timeline move there, and it is marked merged.
 */
async function linkUnionid(customerId: Types.ObjectId, unionid: string): Promise<Types.ObjectId> {
  const owner = await claimIdentity('unionid', unionid, customerId);
  if (owner.equals(customerId)) return customerId;
  await mergeCustomer(customerId, owner);
  return owner;
}

async function mergeCustomer(from: Types.ObjectId, into: Types.ObjectId): Promise<void> {
  // Each step is idempotent, so a crash half-way is finished by the next call that sees the openid;
  // what the other modules hold moves on the customer.merged event (retried until it is done).
  forgetIdentitiesOf(from);
  await CustomerIdentity.updateMany({ customerId: from }, { $set: { customerId: into } });
  await TimelineEntry.updateMany({ customerId: from }, { $set: { customerId: into } });
  await Customer.updateOne({ _id: from }, { $set: { status: 'merged', mergedInto: into } });
  await emit('customer.merged', { from: from.toString(), into: into.toString() }, { id: `customer.merged:${from}` });
  await appendTimeline(into, {
    type: 'customer.merged',
    channel: 'system',
    summary: 'Joined two records of the same person by unionid',
    data: { mergedCustomerId: from.toString() },
  });
}

/** The records merged into this customer (shells that once were the same person). */
export async function mergedRecordsOf(customerId: Types.ObjectId): Promise<Types.ObjectId[]> {
  const shells = await Customer.find({ mergedInto: customerId }, { _id: 1 }).lean();
  return shells.map((s) => s._id);
}

export async function findCustomerByOpenid(app: SeenAs['app'], openid: string): Promise<Types.ObjectId | undefined> {
  const identity = await CustomerIdentity.findById(identityKey(identityKind(app), openid)).lean();
  return identity?.customerId;
}

export async function getCustomer(customerId: Types.ObjectId | string): Promise<CustomerDoc | null> {
  if (!Types.ObjectId.isValid(customerId)) return null;
  return Customer.findById(customerId).lean<CustomerDoc>();
}

/** The names customers gave, by hex id (one `$in` read by `_id`: for bounded lists, e.g. a page of items). */
export async function customerNames(ids: readonly Types.ObjectId[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const docs = await Customer.find({ _id: { $in: ids } }, { 'profile.name': 1 }).lean<CustomerDoc[]>();
  return new Map(docs.filter((d) => d.profile?.name).map((d) => [d._id.toString(), d.profile!.name!]));
}

export async function listIdentities(customerId: Types.ObjectId) {
  return CustomerIdentity.find({ customerId }).lean();
}

/**
 * Active customers whose profile birthday falls in `month` (1–12), by _id after `after`: for
 * background jobs (the filter scans; never use it per request).
 */
export async function customersBornInMonth(month: number, after?: Types.ObjectId, limit = 500): Promise<Types.ObjectId[]> {
  const mm = String(month).padStart(2, '0');
  const docs = await Customer.find(
    { status: 'active', 'profile.birthday': { $regex: `^\\d{4}-${mm}-` }, ...(after ? { _id: { $gt: after } } : {}) },
    { _id: 1 },
  )
    .sort({ _id: 1 })
    .limit(limit)
    .lean();
  return docs.map((d) => d._id as Types.ObjectId);
}

/** The openid of a customer in one app (to message them there). */
export async function openidOf(customerId: Types.ObjectId, app: SeenAs['app']): Promise<string | undefined> {
  const identity = await CustomerIdentity.findOne({ customerId, kind: identityKind(app) }).lean();
  return identity?.value;
}

export interface TimelineInput {
  type: string;
  channel: Channel;
  summary?: string;
  data?: Record<string, unknown>;
  at?: Date;
  storeId?: Types.ObjectId;
  staffId?: Types.ObjectId;
  /**
   * The record this entry tells of (e.g. `ticket-message:<id>`). Keyed entries are written once:
   * a retry after a crash between the record and its entry does not add a second one.
   */
  sourceKey?: string;
}

/** A moment's day in Asia/Shanghai (UTC+8, no daylight saving) as `YYYY-MM-DD`. */
export function shanghaiDay(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** A moment's hour in Asia/Shanghai as `YYYY-MM-DDTHH`. */
export function shanghaiHour(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 13);
}

/** The _id of a keyed timeline entry: the same source always gives the same id. */
export function timelineIdFor(sourceKey: string): Types.ObjectId {
  return new Types.ObjectId(createHash('sha256').update(`timeline:${sourceKey}`).digest().subarray(0, 12));
}

// Timeline entries are insert-only, so entries written at the same moment by concurrent requests
// (a message and its reply, a claim, a redemption) go to the database together in one insertMany.
const timelineBatch = createBatcher<Array<Record<string, unknown>>, void>({
  maxInFlight: 2,
  maxSize: 500,
  flush: async (groups) => {
    const docs = groups.flat();
    const outcomes = await insertEach(TimelineEntry, docs);
    let at = 0;
    return groups.map((group) => {
      const mine = outcomes.slice(at, (at += group.length));
      // A keyed entry written before (a retry after a crash) is already there: once is enough.
      return mine.find((o): o is Error => o instanceof Error && !isDuplicateKey(o));
    }) as Array<void | Error>;
  },
});

export async function appendTimeline(customerId: Types.ObjectId, entry: TimelineInput): Promise<void> {
  await appendTimelineEntries(customerId, [entry]);
}

/** Several entries of one customer in one write (e.g. a message and the reply to it). */
export async function appendTimelineEntries(customerId: Types.ObjectId, entries: TimelineInput[]): Promise<void> {
  if (!entries.length) return;
  const now = new Date();
  await timelineBatch(
    entries.map((entry) => {
      const at = entry.at ?? now;
      return toStored(TimelineEntry, {
        ...(entry.sourceKey ? { _id: timelineIdFor(entry.sourceKey) } : {}),
        customerId,
        ...entry,
        at,
        day: shanghaiDay(at),
        hour: shanghaiHour(at),
      });
    }),
  );
}

/** Every entry of one Asia/Shanghai day (`YYYY-MM-DD`), for reports: an indexed equality read. */
export async function timelineOfDay(day: string): Promise<TimelineDoc[]> {
  return TimelineEntry.find({ day }).lean<TimelineDoc[]>().batchSize(100_000);
}

/** Every entry of one Asia/Shanghai hour (`YYYY-MM-DDTHH`): an indexed equality read. */
export async function timelineOfHour(hour: string): Promise<TimelineDoc[]> {
  return TimelineEntry.find({ hour }).lean<TimelineDoc[]>().batchSize(100_000);
}

/** Every entry of one customer, in no particular order (an indexed equality read). */
export async function timelineOfCustomer(customerId: string): Promise<TimelineDoc[]> {
  return TimelineEntry.find({ customerId }).lean<TimelineDoc[]>().batchSize(100_000);
}

/**
 * Every entry before `before`, in no particular order, for background reports that read the whole
 * timeline once (the range filter scans): never per request.
 */
export async function scanTimeline(before: Date, each: (entry: TimelineDoc) => void): Promise<void> {
  const cursor = TimelineEntry.find({ at: { $lt: before } })
    .lean<TimelineDoc[]>()
    .batchSize(5_000)
    .cursor();
  for await (const entry of cursor) each(entry as unknown as TimelineDoc);
}

/** Whether the timeline holds anything yet (one read: no sort, which the embedded engine would do over every entry). */
export async function hasTimeline(): Promise<boolean> {
  return !!(await TimelineEntry.findOne({}, { _id: 1 }).lean());
}

export async function listTimeline(
  customerId: Types.ObjectId,
  options: { limit?: number; before?: Date; types?: string[] } = {},
): Promise<TimelineDoc[]> {
  const filter: Record<string, unknown> = { customerId };
  if (options.before) filter.at = { $lt: options.before };
  if (options.types?.length) filter.type = { $in: options.types };
  return TimelineEntry.find(filter)
    .sort({ at: -1, _id: -1 })
    .limit(Math.min(options.limit ?? 50, 200))
    .lean<TimelineDoc[]>();
}

/**
 * Whether the customer has dealt with the store: any entry at that store on their timeline (identified
 * at the counter, a redemption, a ticket, a follow from its QR code) other than staff bookkeeping
 * (a role granted there, a points adjustment), which a manager could produce alone.
 */
export async function isCustomerOfStore(customerId: Types.ObjectId, storeId: Types.ObjectId): Promise<boolean> {
  const entries = await TimelineEntry.find({ customerId, storeId }, { type: 1 }).limit(100).lean();
  return entries.some((e) => !/^(staff\.|points\.adjust)/.test(e.type));
}

/** Official-account follow state, as events and user/info tell it. */
export async function recordFollow(
  customerId: Types.ObjectId,
  change: { following: boolean; at: Date; channel?: string | undefined },
): Promise<void> {
  const set: Record<string, unknown> = { 'officialAccount.following': change.following };
  if (change.following) {
    set['officialAccount.followedAt'] = change.at;
    if (change.channel) set['officialAccount.followChannel'] = change.channel;
  } else {
    set['officialAccount.unfollowedAt'] = change.at;
  }
  await Customer.updateOne({ _id: customerId }, { $set: set });
}

export interface ProfileChange {
  name?: string | null | undefined;
  birthday?: string | null | undefined;
  gender?: 'female' | 'male' | 'other' | 'undisclosed' | null | undefined;
  preferences?: string[] | undefined;
}

/** Sets the given profile fields; null clears one. */
export async function updateProfile(customerId: Types.ObjectId, change: ProfileChange): Promise<CustomerDoc | null> {
  const set: Record<string, unknown> = {};
  const unset: Record<string, ''> = {};
  for (const [field, value] of Object.entries(change)) {
    if (value === undefined) continue;
    if (value === null) unset[`profile.${field}`] = '';
    else set[`profile.${field}`] = value;
  }
  const update: Record<string, unknown> = {};
  if (Object.keys(set).length) update.$set = set;
  if (Object.keys(unset).length) update.$unset = unset;
  return Customer.findOneAndUpdate({ _id: customerId, status: 'active' }, update, { new: true }).lean<CustomerDoc>();
}

/** All timeline entries of a customer, oldest first (for a data export). */
export async function fullTimeline(customerId: Types.ObjectId): Promise<TimelineDoc[]> {
  return TimelineEntry.find({ customerId }).sort({ at: 1, _id: 1 }).lean<TimelineDoc[]>();
}

/**
 * Erases a person: profile, follow state, identities (so their openids no longer lead here) and
 * timeline. The customer record stays as an empty `deleted` shell for other records that point at it.
 * Idempotent.
 */
export async function eraseCustomer(customerId: Types.ObjectId, now = new Date()): Promise<void> {
  await Customer.updateOne(
    { _id: customerId },
    { $set: { status: 'deleted', deletedAt: now }, $unset: { profile: '', officialAccount: '' } },
  );
  forgetIdentitiesOf(customerId);
  await CustomerIdentity.deleteMany({ customerId });
  await TimelineEntry.deleteMany({ customerId });
}

/** What the platform's user/info says about an official-account follower. */
export interface OfficialAccountProfile {
  openid: string;
  subscribed: boolean;
  unionid?: string | undefined;
  subscribeTime?: Date | undefined;
  /** Follow channel: the QR scene for follows from a parametric code, else the platform's scene name. */
  channel?: string | undefined;
  tagIds: number[];
}

/**
 * Applies synced profiles: follow state, channel and tags; a unionid joins the person's other
 * identities. A non-follower we have never seen is not created. Known followers are looked up in
 * one query for the whole batch; only new people and new unionids take the resolveCustomer path.
 */
export async function updateOfficialAccountProfiles(profiles: OfficialAccountProfile[], syncedAt = new Date()): Promise<void> {
  const openids = profiles.map((p) => p.openid);
  const unionids = profiles.flatMap((p) => (p.unionid ? [p.unionid] : []));
  const identities = await CustomerIdentity.find({
    _id: { $in: [...openids.map((o) => identityKey('oa_openid', o)), ...unionids.map((u) => identityKey('unionid', u))] },
  }).lean();
  const byOpenid = new Map<string, Types.ObjectId>();
  const byUnionid = new Map<string, Types.ObjectId>();
  for (const identity of identities) {
    (identity.kind === 'unionid' ? byUnionid : byOpenid).set(identity.value, identity.customerId);
  }
  let next = 0;
  const worker = async () => {
    while (next < profiles.length) {
      const profile = profiles[next++]!;
      const known = byOpenid.get(profile.openid);
      // Already joined (or nothing to join): no need to resolve the person again.
      const settled = known && (!profile.unionid || byUnionid.get(profile.unionid)?.equals(known));
      await applyOfficialAccountProfile(profile, syncedAt, settled ? known : undefined);
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, profiles.length) }, worker));
}

/** Applies one synced profile (see updateOfficialAccountProfiles). Returns the customer, if any. */
export async function updateOfficialAccountProfile(
  profile: OfficialAccountProfile,
  syncedAt = new Date(),
): Promise<Types.ObjectId | undefined> {
  return applyOfficialAccountProfile(profile, syncedAt, undefined);
}

async function applyOfficialAccountProfile(
  profile: OfficialAccountProfile,
  syncedAt: Date,
  knownCustomerId: Types.ObjectId | undefined,
): Promise<Types.ObjectId | undefined> {
  if (!profile.subscribed) {
    const customerId = knownCustomerId ?? (await findCustomerByOpenid('official_account', profile.openid));
    if (!customerId) return undefined;
    // Only a change of state stamps unfollowedAt: a repeated sync must not move it.
    await Customer.updateOne(
      { _id: customerId, 'officialAccount.following': true },
      { $set: { 'officialAccount.following': false, 'officialAccount.unfollowedAt': syncedAt } },
    );
    await Customer.updateOne({ _id: customerId }, { $set: { 'officialAccount.syncedAt': syncedAt } });
    return customerId;
  }
  const customerId =
    knownCustomerId ?? (await resolveCustomer({ app: 'official_account', openid: profile.openid, unionid: profile.unionid }));
  const set: Record<string, unknown> = {
    'officialAccount.following': true,
    'officialAccount.tags': profile.tagIds,
    'officialAccount.syncedAt': syncedAt,
  };
  if (profile.subscribeTime) set['officialAccount.followedAt'] = profile.subscribeTime;
  if (profile.channel) set['officialAccount.followChannel'] = profile.channel;
  await Customer.updateOne({ _id: customerId }, { $set: set });
  return customerId;
}

/**
 * What background jobs need to reach many customers at once (one query each, `$in`: fine in a job,
 * never per request): the records, their identities, and when each last wrote to the official account.
 */
export async function reachabilityOf(
  customerIds: Types.ObjectId[],
  inboundTypes: string[],
): Promise<Map<string, { customer: CustomerDoc; identities: Array<{ kind: IdentityKind; value: string }>; lastInboundAt?: Date }>> {
  const [customers, identities, inbound] = await Promise.all([
    Customer.find({ _id: { $in: customerIds } }).lean<CustomerDoc[]>(),
    CustomerIdentity.find({ customerId: { $in: customerIds } }, { kind: 1, value: 1, customerId: 1 }).lean(),
    TimelineEntry.find({ customerId: { $in: customerIds }, type: { $in: inboundTypes } }, { customerId: 1, at: 1 }).lean(),
  ]);
  const result = new Map<
    string,
    { customer: CustomerDoc; identities: Array<{ kind: IdentityKind; value: string }>; lastInboundAt?: Date }
  >();
  for (const customer of customers) result.set(String(customer._id), { customer, identities: [] });
  for (const identity of identities)
    result.get(String(identity.customerId))?.identities.push({ kind: identity.kind as IdentityKind, value: identity.value });
  for (const entry of inbound) {
    const r = result.get(String(entry.customerId));
    if (r && (!r.lastInboundAt || entry.at > r.lastInboundAt)) r.lastInboundAt = entry.at;
  }
  return result;
}

/** One page of active customer ids in id order, after `after` (for background passes over everyone). */
export async function activeCustomerIdsPage(after: Types.ObjectId | undefined, limit = 500): Promise<Types.ObjectId[]> {
  const filter: Record<string, unknown> = { status: 'active' };
  if (after) filter._id = { $gt: after };
  const docs = await Customer.find(filter, { _id: 1 }).sort({ _id: 1 }).limit(limit).lean();
  return docs.map((d) => d._id);
}

/**
 * Customers with a timeline entry at or after `since` (a range read: for background jobs only),
 * with the newest entry time seen, so the caller can move its watermark.
 */
export async function customersTouchedSince(since: Date, limit = 20_000): Promise<{ customerIds: Types.ObjectId[]; newest?: Date }> {
  const entries = await TimelineEntry.find({ at: { $gte: since } }, { customerId: 1, at: 1 })
    .limit(limit)
    .batchSize(limit)
    .lean();
  const ids = new Map(entries.map((e) => [e.customerId.toString(), e.customerId]));
  const newest = entries.reduce<Date | undefined>((max, e) => (!max || e.at > max ? e.at : max), undefined);
  return newest ? { customerIds: [...ids.values()], newest } : { customerIds: [...ids.values()] };
}

/** Timeline entries of one type in [from, to), oldest first: a range scan, for background jobs. */
export async function timelineEntriesOfType(type: string, from: Date, to: Date, limit = 50_000): Promise<TimelineDoc[]> {
  return TimelineEntry.find({ type, at: { $gte: from, $lt: to } })
    .sort({ at: 1 })
    .limit(limit)
    .batchSize(limit)
    .lean<TimelineDoc[]>();
}

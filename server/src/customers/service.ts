import { Types } from 'mongoose';
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
  const known = await CustomerIdentity.findById(identityKey(kind, seen.openid)).lean();
  if (known) {
    if (seen.unionid) return linkUnionid(known.customerId, seen.unionid);
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
  return seen.unionid ? linkUnionid(owner, seen.unionid) : owner;
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

export async function listIdentities(customerId: Types.ObjectId) {
  return CustomerIdentity.find({ customerId }).lean();
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
}

export async function appendTimeline(customerId: Types.ObjectId, entry: TimelineInput): Promise<void> {
  await TimelineEntry.create({ customerId, ...entry });
}

/** Several entries of one customer in one write (e.g. a message and the reply to it). */
export async function appendTimelineEntries(customerId: Types.ObjectId, entries: TimelineInput[]): Promise<void> {
  if (!entries.length) return;
  await TimelineEntry.insertMany(entries.map((entry) => ({ customerId, ...entry })));
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

import { createHmac, randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { deviceIdSchema } from '@shared/engagement';
import type { ClaimSeen, ClientSeen, CouponDoc, EngagementHooks, GiftSeen } from '../coupons';
import { createBatcher, insertEach } from '../platform/db/batch';
import { isDuplicateKey } from '../platform/db/errors';
import { EngagementEvent, EngagementFlag, EngagementMark, EngagementSecret, type EngagementEventDoc } from './model';
import { FRESH_MS, marksOf, probesOf, scoreEvent, type Score, type ScoredEvent } from './signals';

// Recording claims, gifts and follows for the review: each is one event document and a few counter
// marks, all inserts (batched with other requests' writes). Client addresses and device ids are kept
// only as keyed hashes: the key lives in the database, so every instance hashes alike.

let hashKey: Promise<Buffer> | undefined;

async function loadHashKey(): Promise<Buffer> {
  const id = 'client-hash-key';
  const existing = await EngagementSecret.findById(id).lean();
  if (existing) return Buffer.from(existing.value, 'base64');
  try {
    await EngagementSecret.create({ _id: id, value: randomBytes(32).toString('base64') });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
  return Buffer.from((await EngagementSecret.findById(id).lean())!.value, 'base64');
}

/** The key never changes once made: each instance reads it once. */
const key = () =>
  (hashKey ??= loadHashKey().catch((err) => {
    hashKey = undefined;
    throw err;
  }));

export async function hashClient(client: ClientSeen): Promise<{ ipHash?: string; deviceHash?: string }> {
  const k = await key();
  const h = (what: string, value: string) => createHmac('sha256', k).update(`${what}:${value}`).digest('hex').slice(0, 32);
  const device = client.device && deviceIdSchema.safeParse(client.device).success ? client.device : undefined;
  return {
    ...(client.ip ? { ipHash: h('ip', client.ip) } : {}),
    ...(device ? { deviceHash: h('device', device) } : {}),
  };
}

/** Whether an account was created shortly before `at` (its id carries its creation time). */
export const isFresh = (customerId: Types.ObjectId, at: Date) => at.getTime() - customerId.getTimestamp().getTime() < FRESH_MS;

export function toScored(
  e: Pick<EngagementEventDoc, 'kind' | 'customerId' | 'campaignId' | 'giverId' | 'scene' | 'ipHash' | 'deviceHash' | 'fresh' | 'at'>,
): ScoredEvent {
  return {
    kind: e.kind,
    customerId: e.customerId.toString(),
    campaignId: e.campaignId?.toString(),
    giverId: e.giverId?.toString(),
    scene: e.scene ?? undefined,
    ipHash: e.ipHash ?? undefined,
    deviceHash: e.deviceHash ?? undefined,
    fresh: e.fresh,
    at: e.at,
  };
}

const writeBatch = createBatcher<Array<{ model: 'event' | 'mark'; doc: Record<string, unknown> }>, void>({
  maxInFlight: 2,
  maxSize: 500,
  flush: async (groups) => {
    const all = groups.flat();
    const events = all.filter((w) => w.model === 'event').map((w) => w.doc);
    const marks = all.filter((w) => w.model === 'mark').map((w) => w.doc);
    const outcomes = [
      ...(events.length ? await insertEach(EngagementEvent, events) : []),
      ...(marks.length ? await insertEach(EngagementMark, marks) : []),
    ];
    const failed = outcomes.find((o): o is Error => o instanceof Error && !isDuplicateKey(o));
    return groups.map(() => failed ?? undefined) as Array<void | Error>;
  },
});

/** Writes an event and its marks (a repeat writes nothing new). */
export async function recordEvent(event: EngagementEventDoc, withEvent = true): Promise<void> {
  const scored = toScored(event);
  const writes: Array<{ model: 'event' | 'mark'; doc: Record<string, unknown> }> = marksOf(scored).map((m) => ({
    model: 'mark',
    doc: { _id: `${m.key}|${m.member}`, key: m.key, customerId: event.customerId, at: event.at },
  }));
  if (withEvent) writes.push({ model: 'event', doc: event as unknown as Record<string, unknown> });
  await writeBatch(writes);
}

/** Distinct members under each key: one indexed equality count per key, each key once. */
export async function countKeys(keys: string[], cache = new Map<string, number>()): Promise<Map<string, number>> {
  const missing = [...new Set(keys)].filter((k) => !cache.has(k));
  const counts = await Promise.all(missing.map((k) => EngagementMark.countDocuments({ key: k })));
  missing.forEach((k, i) => cache.set(k, counts[i]!));
  return cache;
}

export async function scoreNow(e: ScoredEvent, quiet?: boolean, cache?: Map<string, number>): Promise<Score> {
  const counts = await countKeys(
    probesOf(e).flatMap((p) => p.keys),
    cache,
  );
  return scoreEvent(e, counts, quiet);
}

/** Inserts a flag, or refreshes its signs when it exists (only the scoring job and a held claim write flags). */
export async function saveFlag(flag: Record<string, unknown> & { _id: string; score: number }): Promise<'new' | 'updated' | 'same'> {
  try {
    await EngagementFlag.create(flag);
    return 'new';
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
  const existing = await EngagementFlag.findById(flag._id, { score: 1 }).lean();
  if (existing && existing.score >= flag.score) return 'same';
  await EngagementFlag.updateOne({ _id: flag._id }, { $set: { score: flag.score, signals: flag.signals } });
  return 'updated';
}

export function flagOf(event: EngagementEventDoc, score: Score, now: Date): Record<string, unknown> & { _id: string; score: number } {
  return {
    _id: event._id,
    kind: event.kind,
    customerId: event.customerId,
    ...(event.campaignId ? { campaignId: event.campaignId } : {}),
    ...(event.couponId ? { couponId: event.couponId } : {}),
    ...(event.storeId ? { storeId: event.storeId } : {}),
    ...(event.ipHash ? { ipHash: event.ipHash } : {}),
    ...(event.deviceHash ? { deviceHash: event.deviceHash } : {}),
    held: event.held ?? false,
    score: score.score,
    signals: score.signals,
    at: event.at,
    flaggedAt: now,
  };
}

async function claimEvent(claim: ClaimSeen, couponId?: Types.ObjectId): Promise<EngagementEventDoc> {
  const hashed = await hashClient(claim.client);
  return {
    _id: `claim:${couponId?.toString() ?? 'screen'}`,
    kind: 'claim',
    customerId: claim.customerId,
    campaignId: claim.campaignId,
    ...(couponId ? { couponId } : {}),
    ...(claim.storeIds.length === 1 ? { storeId: claim.storeIds[0] } : {}),
    ...hashed,
    fresh: isFresh(claim.customerId, claim.at),
    held: false,
    at: claim.at,
  } as EngagementEventDoc;
}

/** The hooks the coupons module calls on claims and gifts. */
export const engagementHooks: EngagementHooks = {
  async screenClaim(claim) {
    // The claim's marks are written before the count, so concurrent claims (on any instance) see each other.
    const event = await claimEvent(claim);
    await recordEvent(event, false);
    const score = await scoreNow(toScored(event));
    return { hold: score.flagged };
  },

  async claimed(claim, coupon: CouponDoc) {
    const held = coupon.state === 'held';
    const event = { ...(await claimEvent(claim, coupon._id)), held };
    await recordEvent(event);
    if (held) {
      // The review queue must hold every held claim: its flag is written with the claim.
      const score = await scoreNow(toScored(event));
      await saveFlag(flagOf(event, score, claim.at));
    }
  },

  async giftAccepted(gift: GiftSeen) {
    const hashed = await hashClient(gift.client);
    await recordEvent({
      _id: `gift:${gift.giftId.toString()}`,
      kind: 'gift',
      customerId: gift.friendId,
      campaignId: gift.campaignId,
      couponId: gift.couponId,
      giverId: gift.giverId,
      ...hashed,
      fresh: isFresh(gift.giverId, gift.at),
      held: false,
      at: gift.at,
    } as EngagementEventDoc);
  },
};

export { Types };

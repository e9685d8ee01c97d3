// The rules pass: what Loopline knows about one customer, turned into keys (facts and automatic
// tags), added and removed as their behaviour changes. Idempotent: running it twice, or on two
// instances at once, ends in the same keys.
import { Types } from 'mongoose';
import { ACTIVITY_WINDOWS, POINTS_LADDER, type AutoTagRule } from '@shared/api/crm';
import { ticketFactsOf } from '../aftersale';
import { couponFactsOf, giftsGivenBy } from '../coupons';
import { getCustomer, listTimeline, type TimelineDoc } from '../customers';
import { getMember, pointsBalance, pointsExpiringBefore } from '../members';
import { isDuplicateKey } from '../platform/db/errors';
import { Advocate, CrmTag, CustomerKey, keyId, type TagDoc } from './model';
import { queueOaTagOps } from './oaSync';

const DAY = 24 * 60 * 60 * 1000;
/** The official account lets staff write to a follower this long after their last message. */
export const HUMAN_WINDOW_MS = 48 * 60 * 60 * 1000;
export const EXPIRY_HORIZON_MS = 7 * DAY;
export const LOW_RATING = 2;

/** Timeline entries staff bookkeeping produces alone: not a touch of the customer with the store. */
const STAFF_ONLY = /^(staff\.|points\.adjust|crm\.)/;

export const tagKey = (tagId: Types.ObjectId | string) => `t:${tagId.toString()}`;
export const normalizedName = (name: string) => name.trim().toLowerCase().replace(/\s+/g, ' ');

/** Everything the rules look at, read once per customer. */
export interface CustomerSnapshot {
  active: boolean;
  following: boolean;
  followChannel?: string | undefined;
  birthdayMonth?: number | undefined;
  name?: string | undefined;
  member?: { tier: string; phone?: string | undefined; points: number } | undefined;
  timeline: Pick<TimelineDoc, 'type' | 'channel' | 'at' | 'storeId' | 'staffId' | 'data'>[];
  coupons: { claimed: boolean; redeemed: boolean; giftAccepted: boolean };
  tickets: { open: boolean; lowestRating?: number | undefined };
  gifts: { accepted: number; redeemed: number };
  expiring?: { points: number; first?: Date | undefined } | undefined;
}

export async function snapshotOf(customerId: Types.ObjectId, now: Date): Promise<CustomerSnapshot> {
  const customer = await getCustomer(customerId);
  const empty = {
    timeline: [],
    coupons: { claimed: false, redeemed: false, giftAccepted: false },
    tickets: { open: false },
    gifts: { accepted: 0, redeemed: 0 },
  };
  if (!customer || customer.status !== 'active') return { active: false, following: false, ...empty };
  const [member, timeline, coupons, tickets, gifts] = await Promise.all([
    getMember(customerId),
    listTimeline(customerId, { limit: 200 }),
    couponFactsOf(customerId),
    ticketFactsOf(customerId),
    giftsGivenBy(customerId),
  ]);
  const [points, expiring] = member
    ? await Promise.all([pointsBalance(customerId), pointsExpiringBefore(customerId, new Date(now.getTime() + EXPIRY_HORIZON_MS), now)])
    : [0, undefined];
  const month = /(\d{1,2})-(\d{1,2})$/.exec(customer.profile?.birthday ?? '')?.[1];
  return {
    active: true,
    following: Boolean(customer.officialAccount?.following),
    followChannel: customer.officialAccount?.followChannel ?? undefined,
    birthdayMonth: month ? Number(month) : undefined,
    name: customer.profile?.name ?? undefined,
    member: member ? { tier: member.tier, phone: member.phone ?? undefined, points } : undefined,
    timeline,
    coupons,
    tickets,
    gifts: { accepted: gifts.length, redeemed: gifts.filter((g) => g.redeemed).length },
    expiring,
  };
}

/** The month (1–12) in Asia/Shanghai. */
const shanghaiMonth = (at: Date) => new Date(at.getTime() + 8 * 60 * 60 * 1000).getUTCMonth() + 1;

function lastActivity(s: CustomerSnapshot): Date | undefined {
  return s.timeline.find((e) => e.channel !== 'system' && !e.staffId && !STAFF_ONLY.test(e.type))?.at;
}

/** Whether an automatic tag's rule holds for the customer now. Pure: unit-tested beside. */
export function ruleHolds(rule: AutoTagRule, s: CustomerSnapshot, now: Date): boolean {
  if (!s.active) return false;
  switch (rule.kind) {
    case 'following':
      return s.following;
    case 'follow_channel':
      return s.following && s.followChannel === rule.channel;
    case 'tier':
      return s.member?.tier === rule.tier;
    case 'points_at_least':
      return s.member !== undefined && s.member.points >= rule.points;
    case 'coupon':
      return rule.event === 'claimed' ? s.coupons.claimed : s.coupons.redeemed;
    case 'ticket_open':
      return s.tickets.open;
    case 'low_rating':
      return s.tickets.lowestRating !== undefined && s.tickets.lowestRating <= rule.maxStars;
    case 'keyword': {
      const word = rule.keyword.toLowerCase();
      return s.timeline.some(
        (e) =>
          e.type === 'oa.message' &&
          String((e.data as { content?: unknown })?.content ?? '')
            .toLowerCase()
            .includes(word),
      );
    }
    case 'inactive': {
      const last = lastActivity(s);
      return !last || now.getTime() - last.getTime() > rule.days * DAY;
    }
    case 'birthday_month':
      return s.birthdayMonth === shanghaiMonth(now);
  }
}

/** Every auto-kept key the customer should carry now, with when a time-bound one stops holding. */
export function desiredKeys(s: CustomerSnapshot, autoTags: Pick<TagDoc, '_id' | 'rule'>[], now: Date): Map<string, Date | undefined> {
  const keys = new Map<string, Date | undefined>();
  if (!s.active) return keys;
  const add = (key: string, until?: Date) => keys.set(key, until);
  add('all');
  if (s.following) add('following');
  if (s.name) add(`name:${normalizedName(s.name)}`);
  if (s.member) {
    add('b:member');
    add(`tier:${s.member.tier}`);
    for (const n of POINTS_LADDER) if (s.member.points >= n) add(`pts:${n}`);
    const tail = s.member.phone?.replace(/\D/g, '').slice(-4);
    if (tail && tail.length === 4) add(`phone4:${tail}`);
  }
  const last = lastActivity(s);
  for (const days of ACTIVITY_WINDOWS)
    if (last && now.getTime() - last.getTime() <= days * DAY) add(`active:${days}`, new Date(last.getTime() + days * DAY));
  for (const e of s.timeline) if (e.storeId && !STAFF_ONLY.test(e.type)) add(`store:${e.storeId.toString()}`);
  const storeFollow = /^store:([0-9a-f]{24})$/.exec(s.followChannel ?? '');
  if (storeFollow) add(`store:${storeFollow[1]}`);
  if (s.coupons.claimed) add('b:coupon_claimed');
  if (s.coupons.redeemed) add('b:coupon_redeemed');
  if (s.coupons.giftAccepted) add('b:gift_accepted');
  if (s.tickets.open) add('b:ticket_open');
  if (s.tickets.lowestRating !== undefined && s.tickets.lowestRating <= LOW_RATING) add('b:low_rating');
  if (s.gifts.redeemed > 0) add('advocate');
  // Asked for a human (the bot handed over) and nobody on the staff has touched them since.
  const handover = s.timeline.find(
    (e) => e.type === 'oa.reply' && (e.data as { reply?: { type?: string } })?.reply?.type === 'transfer_customer_service',
  );
  if (handover && now.getTime() - handover.at.getTime() < HUMAN_WINDOW_MS) {
    const answered = s.timeline.some((e) => e.at > handover.at && e.staffId);
    if (!answered) add('waiting_human', new Date(handover.at.getTime() + HUMAN_WINDOW_MS));
  }
  if (s.expiring?.first && s.expiring.points > 0) add('points_expiring', s.expiring.first);
  for (const tag of autoTags) if (tag.rule && ruleHolds(tag.rule as AutoTagRule, s, now)) add(tagKey(tag._id));
  return keys;
}

export async function autoTagsNow(): Promise<TagDoc[]> {
  return CrmTag.find({ kind: 'auto' }).limit(1000).lean<TagDoc[]>();
}

export interface RefreshResult {
  added: string[];
  removed: string[];
}

/** Brings one customer's automatic keys in line with what holds now; returns what changed. */
export async function refreshCustomer(customerId: Types.ObjectId, now = new Date(), autoTags?: TagDoc[]): Promise<RefreshResult> {
  const tags = autoTags ?? (await autoTagsNow());
  const snapshot = await snapshotOf(customerId, now);
  const desired = desiredKeys(snapshot, tags, now);
  const current = await CustomerKey.find({ customerId, source: 'auto' }, { key: 1, until: 1 }).limit(5000).lean();
  const have = new Map(current.map((c) => [c.key, c]));
  const removed = current.filter((c) => !desired.has(c.key)).map((c) => c.key);
  const added = [...desired.keys()].filter((k) => !have.has(k));
  for (const key of removed) await CustomerKey.deleteOne({ _id: keyId(key, customerId), source: 'auto' });
  if (added.length) {
    const docs = added.map((key) => ({
      _id: keyId(key, customerId),
      key,
      customerId,
      source: 'auto',
      at: now,
      ...(desired.get(key) ? { until: desired.get(key) } : {}),
    }));
    try {
      await CustomerKey.insertMany(docs, { ordered: false });
    } catch (err) {
      // A racing pass (or a manual tag with the same key) got there first: the key is there either way.
      if (!isDuplicateKey(err) && !(err as { writeErrors?: unknown[] }).writeErrors) throw err;
    }
  }
  for (const [key, until] of desired) {
    const held = have.get(key);
    if (held && until && held.until?.getTime() !== until.getTime())
      await CustomerKey.updateOne({ _id: keyId(key, customerId) }, { $set: { until } });
  }
  await recordAdvocate(customerId, snapshot.gifts, now);
  const synced = new Set(tags.filter((t) => t.syncToOfficialAccount).map((t) => tagKey(t._id)));
  await queueOaTagOps(
    customerId,
    added.filter((k) => synced.has(k)).map((k) => ({ tagId: new Types.ObjectId(k.slice(2)), op: 'tag' as const })),
    now,
  );
  await queueOaTagOps(
    customerId,
    removed.filter((k) => synced.has(k)).map((k) => ({ tagId: new Types.ObjectId(k.slice(2)), op: 'untag' as const })),
    now,
  );
  return { added, removed };
}

async function recordAdvocate(customerId: Types.ObjectId, gifts: CustomerSnapshot['gifts'], now: Date): Promise<void> {
  if (gifts.accepted === 0) {
    await Advocate.deleteOne({ _id: customerId });
    return;
  }
  const record = { customerId, accepted: gifts.accepted, redeemed: gifts.redeemed, updatedAt: now };
  try {
    await Advocate.replaceOne({ _id: customerId }, record, { upsert: true });
  } catch (err) {
    // Two passes upserting the same customer at once (two instances, or a pass beside the job): the
    // loser's insert hits the unique _id; the record exists now, so replace it.
    if (!isDuplicateKey(err)) throw err;
    await Advocate.replaceOne({ _id: customerId }, record);
  }
}

import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import { couponCodeFromBytes } from '@shared/couponCode';
import type { ClaimChannel } from '@shared/coupons';
import { ErrorCode } from '@shared/errors';
import { appendTimeline, type Channel } from '../customers';
import { isDuplicateKey } from '../platform/db/errors';
import { conflict, notFound } from '../platform/errors';
import { claimBlocker, getCampaign } from './campaigns';
import { recordFunnel } from './funnel';
import { Coupon, SoldOut, type CampaignDoc, type CouponDoc } from './model';

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_ATTEMPTS = 100;

export interface ClaimOptions {
  channel: ClaimChannel;
  idempotencyKey?: string | undefined;
  now?: Date;
}

export interface ClaimResult {
  coupon: CouponDoc;
  /** False when an earlier request with the same idempotency key made it. */
  created: boolean;
}

/** Where a claim channel sits on the timeline. */
export const timelineChannel = (channel: string): Channel =>
  channel === 'mini_program' ? 'mini_program' : channel.startsWith('oa_') ? 'official_account' : 'system';

export const newCouponCode = () => couponCodeFromBytes(randomBytes(10)).replace(/-/g, '');

/**
 * Claims one coupon. A coupon takes one of the campaign's `stock` places and one of the claimant's
 * `perUserLimit` places, and carries the claim's idempotency key; unique indexes on all three make
 * the single insert of the coupon the moment that decides, so no concurrency can oversell, exceed
 * the limit, or issue twice for one key, and nothing is left to undo when an insert loses.
 */
export async function claimCoupon(
  campaignId: string | Types.ObjectId,
  customerId: Types.ObjectId,
  options: ClaimOptions,
): Promise<ClaimResult> {
  const campaign = await getCampaign(campaignId);
  const now = options.now ?? new Date();
  // Keys are scoped to the campaign: the same key sent for two campaigns claims in each.
  const claimKey = `${campaign._id.toString()}:${options.idempotencyKey ?? randomUUID()}`;
  const previous = async () =>
    options.idempotencyKey ? ((await Coupon.findOne({ claimantId: customerId, claimKey }).lean<CouponDoc>()) ?? undefined) : undefined;

  const blocker = claimBlocker(campaign, options.channel, now);
  if (blocker) {
    const earlier = await previous();
    if (earlier) return { coupon: earlier, created: false };
    throw blocker;
  }
  if (await isSoldOut(campaign)) {
    const earlier = await previous();
    if (earlier) return { coupon: earlier, created: false };
    throw outOfStock();
  }

  // The first try reads nothing: the insert itself says whether anything collided. Only then do
  // we look at what the customer holds and which stock places are taken.
  let userSlot = 0;
  let stockSlot = randomInt(Math.max(1, campaign.stock));
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (campaign.stock <= 0) throw outOfStock();
    try {
      const coupon = await insertCoupon(campaign, customerId, options.channel, claimKey, now, stockSlot, userSlot);
      await afterClaim(campaign, coupon, now);
      return { coupon, created: true };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    // One read of the campaign's coupons answers all three questions: is this key already served,
    // how many does this customer hold, which stock places are taken.
    const holders = await Coupon.find({ campaignId: campaign._id }, { stockSlot: 1, claimantId: 1, userSlot: 1, claimKey: 1 }).lean();
    const mine = holders.filter((c) => c.claimantId.equals(customerId));
    const same = options.idempotencyKey ? mine.find((c) => c.claimKey === claimKey) : undefined;
    if (same) return { coupon: (await Coupon.findById(same._id).lean<CouponDoc>())!, created: false };
    const freeUserSlot = freePlace(new Set(mine.map((c) => c.userSlot)), campaign.perUserLimit, false);
    if (freeUserSlot === undefined) {
      throw conflict(ErrorCode.LIMIT_REACHED, `You can hold at most ${campaign.perUserLimit} of these coupons.`);
    }
    userSlot = freeUserSlot;
    const freeStockSlot = freePlace(new Set(holders.map((c) => c.stockSlot)), campaign.stock, true);
    if (freeStockSlot === undefined) {
      await markSoldOut(campaign);
      throw outOfStock();
    }
    stockSlot = freeStockSlot;
  }
  throw conflict(ErrorCode.CONFLICT, 'Too many people are claiming right now; please try again.');
}

const outOfStock = () => conflict(ErrorCode.OUT_OF_STOCK, 'All coupons of this campaign have been claimed.');

// A sold-out marker keyed by (campaign, stock): later claims learn it from one _id read instead of
// a collision and a scan, and raising the stock makes a new key, so the marker cannot go stale.
const soldOutId = (campaign: CampaignDoc) => `${campaign._id.toString()}:${campaign.stock}`;

async function isSoldOut(campaign: CampaignDoc): Promise<boolean> {
  return Boolean(await SoldOut.exists({ _id: soldOutId(campaign) }));
}

async function markSoldOut(campaign: CampaignDoc): Promise<void> {
  try {
    await SoldOut.create({ _id: soldOutId(campaign), campaignId: campaign._id, at: new Date() });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
}

/** A free place in 0..size-1: the lowest, or a random one (so concurrent claimers spread out). */
function freePlace(taken: Set<number>, size: number, random: boolean): number | undefined {
  if (taken.size >= size) {
    let anyFree = false;
    for (let i = 0; i < size && !anyFree; i++) anyFree = !taken.has(i);
    if (!anyFree) return undefined;
  }
  if (!random) {
    for (let i = 0; i < size; i++) if (!taken.has(i)) return i;
    return undefined;
  }
  if (taken.size < size / 2) {
    for (;;) {
      const i = randomInt(size);
      if (!taken.has(i)) return i;
    }
  }
  const free: number[] = [];
  for (let i = 0; i < size; i++) if (!taken.has(i)) free.push(i);
  return free.length ? free[randomInt(free.length)] : undefined;
}

async function afterClaim(campaign: CampaignDoc, coupon: CouponDoc, now: Date): Promise<void> {
  await Promise.all([
    recordFunnel(`claim:${coupon._id.toString()}`, { campaignId: campaign._id, channel: coupon.channel }, { claimed: 1 }, now),
    appendTimeline(coupon.claimantId, {
      type: 'coupon.claimed',
      channel: timelineChannel(coupon.channel),
      summary: `Claimed coupon "${campaign.name}"`,
      data: { couponId: coupon._id.toString(), campaignId: campaign._id.toString(), claimChannel: coupon.channel },
      at: now,
    }),
  ]);
}

async function insertCoupon(
  campaign: CampaignDoc,
  customerId: Types.ObjectId,
  channel: ClaimChannel,
  claimKey: string,
  now: Date,
  stockSlot: number,
  userSlot: number,
): Promise<CouponDoc> {
  const validity = campaign.validity!;
  const validFrom = validity.kind === 'range' ? validity.start! : now;
  const expiresAt = validity.kind === 'range' ? validity.end! : new Date(now.getTime() + (validity.days ?? 1) * DAY_MS);
  const created = await Coupon.create({
    campaignId: campaign._id,
    customerId,
    claimantId: customerId,
    stockSlot,
    userSlot,
    version: 0,
    // 75 random bits: a collision is as unlikely as anything gets; if one happened, the claim retries.
    code: newCouponCode(),
    state: 'available',
    claimKey,
    channel,
    claimedAt: now,
    validFrom,
    expiresAt,
    name: campaign.name,
    type: campaign.type,
    valueFen: campaign.valueFen,
    thresholdFen: campaign.thresholdFen,
    percentOff: campaign.percentOff,
    maxDiscountFen: campaign.maxDiscountFen,
    giftName: campaign.giftName,
    storeIds: campaign.storeIds,
  });
  return created.toObject() as CouponDoc;
}

export async function listMyCoupons(customerId: Types.ObjectId, state?: string): Promise<CouponDoc[]> {
  const filter: Record<string, unknown> = { customerId };
  if (state) filter.state = state;
  return Coupon.find(filter).sort({ claimedAt: -1 }).limit(200).lean<CouponDoc[]>();
}

export async function getMyCoupon(customerId: Types.ObjectId, couponId: string): Promise<CouponDoc> {
  if (!Types.ObjectId.isValid(couponId)) throw notFound('No such coupon.');
  const coupon = await Coupon.findOne({ _id: couponId, customerId }).lean<CouponDoc>();
  if (!coupon) throw notFound('No such coupon.');
  return coupon;
}

import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import { couponCodeFromBytes } from '@shared/couponCode';
import type { ClaimChannel } from '@shared/coupons';
import { ErrorCode } from '@shared/errors';
import { appendTimeline, type Channel } from '../customers/service';
import { isDuplicateKey } from '../platform/db/errors';
import { AppError, badRequest, conflict } from '../platform/http/errors';
import { claimBlocker, getCampaign } from './campaigns';
import { recordFunnel } from './funnel';
import { Coupon, type CampaignDoc, type CouponDoc } from './model';

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
  const claimKey = options.idempotencyKey ?? randomUUID();
  const previous = async () => {
    if (!options.idempotencyKey) return undefined;
    const found = await Coupon.findOne({ claimantId: customerId, claimKey }).lean<CouponDoc>();
    if (found && !found.campaignId.equals(campaign._id)) {
      throw badRequest('This Idempotency-Key was already used for another campaign.', [
        { path: 'headers.idempotency-key', message: 'already used for another campaign' },
      ]);
    }
    return found ?? undefined;
  };

  const earlier = await previous();
  if (earlier) return { coupon: earlier, created: false };
  const blocker = claimBlocker(campaign, options.channel, now);
  if (blocker) throw blocker;

  let takenStock: Set<number> | undefined;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const mine = await Coupon.find({ campaignId: campaign._id, claimantId: customerId }, { userSlot: 1, claimKey: 1 }).lean();
    if (options.idempotencyKey && mine.some((c) => c.claimKey === claimKey)) {
      const same = await previous();
      if (same) return { coupon: same, created: false };
    }
    const userSlot = freePlace(new Set(mine.map((c) => c.userSlot)), campaign.perUserLimit, false);
    if (userSlot === undefined) {
      throw conflict(ErrorCode.LIMIT_REACHED, `You can hold at most ${campaign.perUserLimit} of these coupons.`);
    }
    // First try a random place unseen; after a collision, look at which places are taken.
    const stockSlot = freePlace(takenStock ?? new Set(), campaign.stock, true);
    if (stockSlot === undefined) throw conflict(ErrorCode.OUT_OF_STOCK, 'All coupons of this campaign have been claimed.');

    try {
      const coupon = await insertCoupon(campaign, customerId, options.channel, claimKey, now, stockSlot, userSlot);
      await afterClaim(campaign, coupon, now);
      return { coupon, created: true };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const taken = await Coupon.find({ campaignId: campaign._id }, { stockSlot: 1 }).lean();
      takenStock = new Set(taken.map((c) => c.stockSlot));
    }
  }
  throw conflict(ErrorCode.CONFLICT, 'Too many people are claiming right now; please try again.');
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
  await recordFunnel(`claim:${coupon._id.toString()}`, { campaignId: campaign._id, channel: coupon.channel }, { claimed: 1 }, now);
  await appendTimeline(coupon.claimantId, {
    type: 'coupon.claimed',
    channel: timelineChannel(coupon.channel),
    summary: `Claimed coupon "${campaign.name}"`,
    data: { couponId: coupon._id.toString(), campaignId: campaign._id.toString(), claimChannel: coupon.channel },
    at: now,
  });
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
  if (!Types.ObjectId.isValid(couponId)) throw new AppError(404, ErrorCode.NOT_FOUND, 'No such coupon.');
  const coupon = await Coupon.findOne({ _id: couponId, customerId }).lean<CouponDoc>();
  if (!coupon) throw new AppError(404, ErrorCode.NOT_FOUND, 'No such coupon.');
  return coupon;
}

import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Types } from 'mongoose';
import { couponCodeFromBytes } from '@shared/couponCode';
import { CouponErrorCode, type ClaimChannel } from '@shared/coupons';
import { ErrorCode } from '@shared/errors';
import { appendTimeline, type Channel } from '../customers/service';
import { isDuplicateKey } from '../platform/db/errors';
import { AppError, badRequest, conflict } from '../platform/http/errors';
import { claimBlocker, getCampaign } from './campaigns';
import { bumpFunnel } from './funnel';
import { Campaign, ClaimCounter, ClaimRequest, Coupon, type CampaignDoc, type CouponDoc } from './model';

const DAY_MS = 24 * 60 * 60 * 1000;
/** A claim request still pending after this long is taken to be abandoned (its worker died). */
const STALE_CLAIM_MS = 30_000;
/** How long a retry waits for a concurrent request with the same key to finish. */
const WAIT_FOR_TWIN_MS = 10_000;

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
 * Claims one coupon. Never more than the stock, never more than the per-user limit, whatever the
 * concurrency: both are guarded $inc's on single documents, the second undone when the first holds
 * and the second fails. The same idempotency key returns the same coupon.
 */
export async function claimCoupon(
  campaignId: string | Types.ObjectId,
  customerId: Types.ObjectId,
  options: ClaimOptions,
): Promise<ClaimResult> {
  const campaign = await getCampaign(campaignId);
  const now = options.now ?? new Date();
  if (!options.idempotencyKey) {
    return { coupon: await claimOnce(campaign, customerId, options.channel, randomUUID(), now), created: true };
  }

  const requestId = `${customerId.toString()}:${options.idempotencyKey}`;
  const owner = randomUUID();
  const deadline = Date.now() + WAIT_FOR_TWIN_MS;
  for (;;) {
    const mine = await startClaimRequest(requestId, owner, campaign._id, customerId);
    if (mine) break;
    const twin = await ClaimRequest.findById(requestId).lean();
    if (!twin) continue; // it failed and was cleared: try again ourselves
    if (!twin.campaignId.equals(campaign._id)) {
      throw badRequest('This Idempotency-Key was used for another campaign.', [
        { path: 'headers.idempotency-key', message: 'already used for another campaign' },
      ]);
    }
    if (twin.state === 'done' && twin.couponId) {
      const coupon = await Coupon.findById(twin.couponId).lean<CouponDoc>();
      if (coupon) return { coupon, created: false };
    }
    if (twin.state === 'pending' && Date.now() - twin.startedAt.getTime() > STALE_CLAIM_MS) {
      // Its worker died; take the request over (the step counters were undone or the coupon exists).
      const existing = await Coupon.findOne({ customerId, claimKey: options.idempotencyKey }).lean<CouponDoc>();
      if (existing) return { coupon: existing, created: false };
      await ClaimRequest.deleteOne({ _id: requestId, owner: twin.owner });
      continue;
    }
    if (Date.now() > deadline) {
      throw conflict(CouponErrorCode.IDEMPOTENCY_IN_PROGRESS, 'The same claim is still being processed; try again shortly.');
    }
    await sleep(25);
  }

  try {
    const coupon = await claimOnce(campaign, customerId, options.channel, options.idempotencyKey, now);
    await ClaimRequest.updateOne({ _id: requestId, owner }, { $set: { state: 'done', couponId: coupon._id } });
    return { coupon, created: true };
  } catch (err) {
    // Nothing was kept; clear the request so a retry re-checks (stock may have been raised).
    await ClaimRequest.deleteOne({ _id: requestId, owner });
    throw err;
  }
}

async function startClaimRequest(
  requestId: string,
  owner: string,
  campaignId: Types.ObjectId,
  customerId: Types.ObjectId,
): Promise<boolean> {
  try {
    await ClaimRequest.create({ _id: requestId, owner, campaignId, customerId, state: 'pending', startedAt: new Date() });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

async function claimOnce(
  campaign: CampaignDoc,
  customerId: Types.ObjectId,
  channel: ClaimChannel,
  claimKey: string,
  now: Date,
): Promise<CouponDoc> {
  const blocker = claimBlocker(campaign, channel, now);
  if (blocker) throw blocker;

  // Step 1: the customer's own counter, guarded by the limit.
  const counterId = `${campaign._id.toString()}:${customerId.toString()}`;
  try {
    await ClaimCounter.updateOne(
      { _id: counterId },
      { $setOnInsert: { campaignId: campaign._id, customerId, count: 0 } },
      { upsert: true },
    );
  } catch (err) {
    if (!isDuplicateKey(err)) throw err; // a concurrent first claim created it
  }
  const slot = await ClaimCounter.findOneAndUpdate(
    { _id: counterId, count: { $lt: campaign.perUserLimit } },
    { $inc: { count: 1 } },
    { new: true },
  ).lean();
  if (!slot) throw conflict(ErrorCode.LIMIT_REACHED, `You can hold at most ${campaign.perUserLimit} of these coupons.`);
  const undoSlot = () => ClaimCounter.updateOne({ _id: counterId, count: { $gt: 0 } }, { $inc: { count: -1 } });

  // Step 2: the campaign's stock, guarded by what remains.
  const taken = await Campaign.findOneAndUpdate(
    { _id: campaign._id, status: 'active', remaining: { $gt: 0 } },
    { $inc: { remaining: -1, issued: 1 } },
    { new: true },
  ).lean<CampaignDoc>();
  if (!taken) {
    await undoSlot();
    const fresh = await Campaign.findById(campaign._id).lean<CampaignDoc>();
    if (fresh && fresh.status !== 'active') throw claimBlocker(fresh, channel, now) ?? conflict(ErrorCode.ENDED, 'This campaign has ended.');
    throw conflict(ErrorCode.OUT_OF_STOCK, 'All coupons of this campaign have been claimed.');
  }
  const undoStock = () =>
    Campaign.updateOne({ _id: campaign._id, issued: { $gt: 0 } }, { $inc: { remaining: 1, issued: -1 } });

  // Step 3: the coupon itself.
  let coupon: CouponDoc | undefined;
  try {
    coupon = await insertCoupon(taken, customerId, channel, claimKey, now);
  } catch (err) {
    await undoStock();
    await undoSlot();
    throw err;
  }

  await bumpFunnel({ campaignId: campaign._id, channel }, { claimed: 1 });
  await appendTimeline(customerId, {
    type: 'coupon.claimed',
    channel: timelineChannel(channel),
    summary: `Claimed coupon "${campaign.name}"`,
    data: { couponId: coupon._id.toString(), campaignId: campaign._id.toString(), claimChannel: channel },
    at: now,
  });
  return coupon;
}

async function insertCoupon(
  campaign: CampaignDoc,
  customerId: Types.ObjectId,
  channel: ClaimChannel,
  claimKey: string,
  now: Date,
): Promise<CouponDoc> {
  const validity = campaign.validity!;
  const validFrom = validity.kind === 'range' ? validity.start! : now;
  const expiresAt = validity.kind === 'range' ? validity.end! : new Date(now.getTime() + (validity.days ?? 1) * DAY_MS);
  for (let attempt = 0; ; attempt++) {
    try {
      const created = await Coupon.create({
        campaignId: campaign._id,
        customerId,
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
    } catch (err) {
      // 75 random bits make a code collision near impossible; retry a few times rather than fail.
      if (!isDuplicateKey(err) || attempt >= 3 || !/code/.test(String((err as Error).message))) throw err;
    }
  }
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

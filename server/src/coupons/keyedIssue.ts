import type { Types } from 'mongoose';
import { CouponErrorCode, ErrorCode } from '@shared/errors';
import type { ClaimChannel } from '@shared/coupons';
import { appendTimeline } from '../customers';
import { conflict, isConflict, isDomainError, notFound } from '../platform/http/errors';
import { claimBlocker, getCampaign, issuedCounts } from './campaigns';
import { Coupon, type CampaignDoc, type CouponDoc } from './model';
import { tierBlocker } from './tierAccess';
import { transitionCoupon } from './transitions';

// What a flow that issues a coupon as one of its steps (the points exchange) needs besides
// claimCoupon: a look before it commits anything else, and a way to find or withdraw what a claim
// under its key issued.

/**
 * Throws the 409 a claim would meet right now (closed, tier, out of stock, limit reached), so a
 * flow can refuse before taking anything. Advisory: the claim itself still decides under racing.
 */
export async function claimPrecheck(
  campaignId: string | Types.ObjectId,
  customerId: Types.ObjectId,
  channel: ClaimChannel,
  now = new Date(),
): Promise<CampaignDoc> {
  const campaign = await getCampaign(campaignId);
  const blocker = claimBlocker(campaign, channel, now) ?? (await tierBlocker(campaign, customerId, now));
  if (blocker) throw blocker;
  const [issued, mine] = await Promise.all([
    issuedCounts([campaign]).then((counts) => counts.get(campaign._id.toString()) ?? 0),
    Coupon.countDocuments({ campaignId: campaign._id, claimantId: customerId }),
  ]);
  if (issued >= campaign.stock) throw conflict(ErrorCode.OUT_OF_STOCK, 'All coupons of this campaign have been claimed.');
  if (mine >= campaign.perUserLimit) {
    throw conflict(ErrorCode.LIMIT_REACHED, `You can hold at most ${campaign.perUserLimit} of these coupons.`);
  }
  return campaign;
}

/** The coupon a claim with this idempotency key issued, if any. */
export async function findCouponByClaimKey(
  customerId: Types.ObjectId,
  campaignId: Types.ObjectId,
  idempotencyKey: string,
): Promise<CouponDoc | null> {
  return Coupon.findOne({ claimantId: customerId, claimKey: `${campaignId.toString()}:${idempotencyKey}` }).lean<CouponDoc>();
}

/**
 * Withdraws a coupon that was issued by a flow that was then undone: an available coupon becomes
 * voided. Already voided: nothing to do. Used, given or being given: left alone (returns false).
 */
export async function voidIssuedCoupon(couponId: Types.ObjectId, reason: string): Promise<boolean> {
  const current = await Coupon.findById(couponId, { state: 1 }).lean();
  if (!current || current.state === 'voided') return true;
  if (current.state !== 'available') return false;
  try {
    const { after } = await transitionCoupon(couponId, (coupon) => {
      if (coupon.state === 'voided') throw conflict('ALREADY_VOIDED', 'Voided already.');
      if (coupon.state !== 'available') throw conflict(ErrorCode.CONFLICT, 'No longer available.');
      return { kind: 'withdraw', set: { state: 'voided' } };
    });
    await appendTimeline(after.customerId, {
      type: 'coupon.withdrawn',
      channel: 'system',
      summary: `Coupon "${after.name}" withdrawn: ${reason}`,
      data: { couponId: couponId.toString(), reason },
    });
    return true;
  } catch (err) {
    if (isDomainError(err, CouponErrorCode.ALREADY_VOIDED)) return true;
    if (isConflict(err)) return false;
    throw err;
  }
}

/** A coupon by id, whoever holds it now (for flows that recorded which coupon they issued). */
export async function getIssuedCoupon(couponId: Types.ObjectId): Promise<CouponDoc> {
  const coupon = await Coupon.findById(couponId).lean<CouponDoc>();
  if (!coupon) throw notFound('No such coupon.');
  return coupon;
}

import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Types } from 'mongoose';
import { ErrorCode } from '@shared/errors';
import { appendTimeline } from '../customers';
import { conflict, notFound } from '../platform/errors';
import { coupons as couponMetrics } from '../platform/metrics';
import { afterClaim, timelineChannel } from './claim';
import { Coupon, type CouponDoc } from './model';
import { reopenStockPlace } from './stock';
import { transitionCoupon } from './transitions';

// Claims held for review (a campaign that holds suspicious claims): the coupon exists in state
// `held`, holding its stock place and the claimant's place, usable by nobody. The review issues it
// (held → available) or refuses it (held → voided, and its stock place is given up so another
// customer can claim it). Each is one exclusive coupon transition, so two reviewers, or a reviewer
// and a retry, cannot both decide; repeating a decision finishes what a crash cut short.

async function heldCoupon(couponId: Types.ObjectId | string): Promise<CouponDoc> {
  const coupon = await Coupon.findById(couponId).lean<CouponDoc>();
  if (!coupon) throw notFound('No such coupon.');
  return coupon;
}

const decided = () => conflict(ErrorCode.CONFLICT, 'This claim has been decided already.');

/**
 * After losing the coupon's transition to another request: that request's write lands a moment
 * after its lock (the engine applies an update as a read and a write), so look again a few times.
 * The coupon once it carries `outcome`, or undefined when it was decided otherwise or not at all.
 */
async function wonBy(couponId: Types.ObjectId | string, outcome: 'issued' | 'refused'): Promise<CouponDoc | undefined> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const again = await heldCoupon(couponId);
    if (again.review?.outcome) return again.review.outcome === outcome ? again : undefined;
    await sleep(100);
  }
  return undefined;
}

/** Issues a held claim: the coupon becomes available to its claimant and counts as claimed. */
export async function issueHeldCoupon(couponId: Types.ObjectId | string, now = new Date()): Promise<CouponDoc> {
  const current = await heldCoupon(couponId);
  if (current.review?.outcome === 'issued') return current;
  if (current.state !== 'held') throw decided();
  let after: CouponDoc;
  try {
    ({ after } = await transitionCoupon(current._id, (coupon) => {
      if (coupon.state !== 'held') throw decided();
      return { kind: 'review_issue', set: { state: 'available', review: { ...coupon.review, decidedAt: now, outcome: 'issued' } } };
    }));
  } catch (err) {
    // The same decision, taken at the same moment by another request, won: its result stands.
    const again = await wonBy(couponId, 'issued');
    if (again) return again;
    throw err;
  }
  await afterClaim({ _id: after.campaignId, name: after.name }, after, now);
  couponMetrics.claims.inc({ channel: after.channel });
  return after;
}

/**
 * Refuses a held claim: the coupon is voided and leaves its stock place (it moves to a random
 * negative place that no claim takes), which becomes free for others. The claimant's own place
 * stays taken: a refused claimant cannot claim the campaign again.
 */
export async function refuseHeldCoupon(couponId: Types.ObjectId | string, now = new Date()): Promise<CouponDoc> {
  const current = await heldCoupon(couponId);
  if (current.review?.outcome === 'refused') {
    if (current.review.place !== undefined && current.review.place !== null)
      await reopenStockPlace(current.campaignId, current.review.place);
    return current;
  }
  if (current.state !== 'held') throw decided();
  let before: CouponDoc;
  let after: CouponDoc;
  try {
    ({ before, after } = await transitionCoupon(current._id, (coupon) => {
      if (coupon.state !== 'held') throw decided();
      return {
        kind: 'review_refuse',
        set: {
          state: 'voided',
          stockSlot: -1 - randomInt(2 ** 47),
          review: { ...coupon.review, decidedAt: now, outcome: 'refused', place: coupon.stockSlot },
        },
      };
    }));
  } catch (err) {
    if (await wonBy(couponId, 'refused')) return refuseHeldCoupon(couponId, now); // finishes the reopening
    throw err;
  }
  await reopenStockPlace(after.campaignId, before.stockSlot);
  await appendTimeline(after.claimantId, {
    type: 'coupon.claim_refused',
    channel: timelineChannel(after.channel),
    summary: `Claim of coupon "${after.name}" was refused at review`,
    data: { couponId: after._id.toString(), campaignId: after.campaignId.toString() },
    at: now,
  });
  return after;
}

/** Claims waiting for review (a background check that every one of them is in the review queue). */
export async function listHeldCoupons(limit = 1_000): Promise<CouponDoc[]> {
  return Coupon.find({ state: 'held' }).limit(limit).lean<CouponDoc[]>();
}

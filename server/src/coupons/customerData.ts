import { Types } from 'mongoose';
import type { CustomerDataPart } from '../platform/customerData';
import {
  Coupon,
  CouponGift,
  CouponReminder,
  CouponTransition,
  Redemption,
  type CouponDoc,
  type GiftDoc,
  type RedemptionDoc,
} from './model';
import { couponView, redemptionView } from './views';

/** Every path of the coupon collections that names a customer, by collection. */
const CUSTOMER_PATHS = [
  [Coupon, ['customerId', 'claimantId', 'receivedFrom']],
  [CouponGift, ['customerId', 'toCustomerId']],
  [Redemption, ['customerId']],
  [CouponTransition, ['customerId', 'set.customerId', 'set.receivedFrom']],
  [CouponReminder, ['customerId']],
] as const;

/** Points every path in `paths` that names `from` at `to`, collection by collection. */
async function repoint(from: Types.ObjectId, to: Types.ObjectId, skip: readonly string[] = []): Promise<void> {
  for (const [model, paths] of CUSTOMER_PATHS) {
    for (const path of paths) {
      if (skip.includes(`${model.collection.collectionName}.${path}`)) continue;
      await (model as typeof Coupon).updateMany({ [path]: from }, { $set: { [path]: to } });
    }
  }
}

/** Coupons, gifts, redemptions, state-change records and reminders. */
export const couponsData: CustomerDataPart = {
  module: 'coupons',
  collections: ['coupons', 'coupon_gifts', 'coupon_redemptions', 'coupon_transitions', 'coupon_reminders'],

  // Redemptions and coupons are what the accounts and the funnel are built on: they stay, under an id
  // that names nobody (one per erasure, kept nowhere), so nothing leads back to the person.
  erase: (customerId) => repoint(customerId, new Types.ObjectId()),

  // The claimant stays who claimed (the per-user limit is counted on it); everything else moves.
  merge: (from, into) => repoint(from, into, ['coupons.claimantId']),

  async export(customerId) {
    const [coupons, gifts, redemptions] = await Promise.all([
      Coupon.find({ $or: [{ customerId }, { claimantId: customerId }] })
        .sort({ claimedAt: 1 })
        .lean<CouponDoc[]>(),
      CouponGift.find({ $or: [{ customerId }, { toCustomerId: customerId }] })
        .sort({ createdAt: 1 })
        .lean<GiftDoc[]>(),
      Redemption.find({ customerId }).sort({ at: 1 }).lean<RedemptionDoc[]>(),
    ]);
    return {
      coupons: coupons.map((c) => ({ ...couponView(c), held: c.customerId.equals(customerId) })),
      gifts: gifts.map((g) => ({
        couponId: g.couponId.toString(),
        direction: g.customerId.equals(customerId) ? 'given' : 'received',
        status: g.status,
        createdAt: (g as GiftDoc & { createdAt?: Date }).createdAt?.toISOString() ?? null,
        acceptedAt: g.acceptedAt?.toISOString() ?? null,
      })),
      redemptions: redemptions.map(redemptionView),
    };
  },
};

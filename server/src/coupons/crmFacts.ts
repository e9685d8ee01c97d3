// What the social CRM reads about a customer's coupons and gifts (through the coupons module's API).
import type { Types } from 'mongoose';
import { Coupon, CouponGift } from './model';

export interface CouponFacts {
  claimed: boolean;
  redeemed: boolean;
  /** They hold a coupon a friend gave them. */
  giftAccepted: boolean;
}

/** Equality lookups on indexed fields only (claimant, holder). */
export async function couponFactsOf(customerId: Types.ObjectId): Promise<CouponFacts> {
  const [claimed, redeemed, received] = await Promise.all([
    Coupon.exists({ claimantId: customerId }),
    Coupon.exists({ customerId, state: 'redeemed' }),
    Coupon.find({ customerId }, { receivedFrom: 1 }).limit(500).lean(),
  ]);
  return { claimed: Boolean(claimed), redeemed: Boolean(redeemed), giftAccepted: received.some((c) => c.receivedFrom) };
}

export interface GivenGift {
  couponId: Types.ObjectId;
  toCustomerId: Types.ObjectId;
  acceptedAt: Date;
  /** The coupon was redeemed (by the friend, or by whoever the friend passed it to). */
  redeemed: boolean;
  /** The friend passed it on again. */
  passedOn: boolean;
}

/** The customer's gifts that a friend accepted, newest first, with what became of each coupon. */
export async function giftsGivenBy(customerId: Types.ObjectId, limit = 200): Promise<GivenGift[]> {
  const gifts = await CouponGift.find({ customerId, status: 'accepted' }).sort({ createdAt: -1 }).limit(limit).lean();
  const coupons = await Promise.all(gifts.map((g) => Coupon.findById(g.couponId, { state: 1, customerId: 1 }).lean()));
  return gifts.flatMap((g, i) => {
    const coupon = coupons[i];
    if (!coupon || !g.toCustomerId) return [];
    return [
      {
        couponId: g.couponId,
        toCustomerId: g.toCustomerId,
        acceptedAt: g.acceptedAt ?? g.updatedAt,
        redeemed: coupon.state === 'redeemed',
        passedOn: !coupon.customerId.equals(g.toCustomerId),
      },
    ];
  });
}

/** The customer's coupons for the staff view, newest first. */
export async function couponsHeldBy(customerId: Types.ObjectId, limit = 20) {
  const coupons = await Coupon.find({ customerId }, { name: 1, state: 1, expiresAt: 1, claimedAt: 1 })
    .sort({ claimedAt: -1 })
    .limit(limit)
    .lean();
  return coupons.map((c) => ({ id: c._id.toString(), name: c.name, state: c.state, expiresAt: c.expiresAt }));
}

import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { CouponErrorCode, GIFT_OPEN_MS } from '@shared/coupons';
import { ErrorCode } from '@shared/errors';
import { appendTimeline } from '../customers/service';
import { conflict, notFound } from '../platform/http/errors';
import { bumpFunnel } from './funnel';
import { Coupon, CouponGift, type CouponDoc, type GiftDoc } from './model';
import { usageBlocker } from './redeem';

/** Offers a coupon to a friend: a one-time token (128 bits); the coupon waits in `gifting`. */
export async function createGift(
  couponId: string,
  giverId: Types.ObjectId,
  now = new Date(),
): Promise<{ token: string; expiresAt: Date; coupon: CouponDoc }> {
  if (!Types.ObjectId.isValid(couponId)) throw notFound('No such coupon.');
  const coupon = await Coupon.findOneAndUpdate(
    { _id: couponId, customerId: giverId, state: 'available', expiresAt: { $gt: now } },
    { $set: { state: 'gifting', giftingSince: now } },
    { new: true },
  ).lean<CouponDoc>();
  if (!coupon) {
    const mine = await Coupon.findOne({ _id: couponId, customerId: giverId }).lean<CouponDoc>();
    if (!mine) throw notFound('No such coupon.');
    if (mine.state === 'gifting') throw conflict(CouponErrorCode.COUPON_GIFTING, 'This coupon is already on its way to a friend.');
    throw mine.expiresAt <= now
      ? conflict(ErrorCode.EXPIRED, 'This coupon has expired.')
      : (usageBlocker(mine, new Types.ObjectId(), undefined, now, false) ?? conflict(ErrorCode.CONFLICT, 'This coupon cannot be given now.'));
  }

  const token = randomBytes(16).toString('base64url');
  const expiresAt = new Date(now.getTime() + GIFT_OPEN_MS);
  try {
    await CouponGift.create({
      token,
      couponId: coupon._id,
      campaignId: coupon.campaignId,
      customerId: giverId,
      status: 'open',
      expiresAt,
    });
  } catch (err) {
    await Coupon.updateOne({ _id: coupon._id, state: 'gifting' }, { $set: { state: 'available' }, $unset: { giftingSince: 1 } });
    throw err;
  }
  await appendTimeline(giverId, {
    type: 'coupon.gift_offered',
    channel: 'mini_program',
    summary: `Offered coupon "${coupon.name}" to a friend`,
    data: { couponId: coupon._id.toString() },
    at: now,
  });
  return { token, expiresAt, coupon };
}

/**
 * A friend takes the gift. Exactly one acceptance wins (the gift's open→accepted switch is one
 * guarded update), and the giver can never take their own gift.
 */
export async function acceptGift(token: string, friendId: Types.ObjectId, now = new Date()): Promise<CouponDoc> {
  const gift = await CouponGift.findOne({ token }).lean<GiftDoc>();
  if (!gift) throw notFound('This gift link is not valid.');
  if (gift.customerId.equals(friendId)) throw conflict(CouponErrorCode.OWN_GIFT, 'You cannot accept your own gift.');

  const won = await CouponGift.findOneAndUpdate(
    { _id: gift._id, status: 'open', expiresAt: { $gt: now }, customerId: { $ne: friendId } },
    { $set: { status: 'accepted', toCustomerId: friendId, acceptedAt: now } },
    { new: true },
  ).lean<GiftDoc>();
  if (!won) {
    const fresh = await CouponGift.findById(gift._id).lean<GiftDoc>();
    if (fresh?.status === 'accepted' && fresh.toCustomerId?.equals(friendId)) {
      // Same friend again (a double tap): hand back what they already have.
      await completeGiftTransfer(fresh, now);
      const theirs = await Coupon.findOne({ _id: fresh.couponId, customerId: friendId }).lean<CouponDoc>();
      if (theirs) return theirs;
    }
    if (fresh?.status === 'accepted') throw conflict(CouponErrorCode.GIFT_TAKEN, 'Someone else has already accepted this gift.');
    throw conflict(CouponErrorCode.GIFT_EXPIRED, 'This gift is no longer open.');
  }
  await completeGiftTransfer(won, now);
  const coupon = await Coupon.findOne({ _id: won.couponId, customerId: friendId }).lean<CouponDoc>();
  if (!coupon) throw conflict(ErrorCode.CONFLICT, 'The coupon could not be moved; please try again.');
  return coupon;
}

/**
 * Moves an accepted gift's coupon to the friend. Idempotent: only the call whose guarded update
 * moves the coupon writes the counters and timelines; the sweep finishes transfers cut short.
 */
export async function completeGiftTransfer(gift: GiftDoc, now = new Date()): Promise<void> {
  if (gift.status !== 'accepted' || !gift.toCustomerId) return;
  const moved = await Coupon.findOneAndUpdate(
    { _id: gift.couponId, state: 'gifting', customerId: gift.customerId },
    {
      $set: {
        customerId: gift.toCustomerId,
        state: 'available',
        receivedFrom: gift.customerId,
        // The giver's idempotency key must not collide with one of the friend's own.
        claimKey: `gift:${gift._id.toString()}`,
      },
      $unset: { giftingSince: 1 },
    },
    { new: true },
  ).lean<CouponDoc>();
  await CouponGift.updateOne({ _id: gift._id, transferredAt: { $exists: false } }, { $set: { transferredAt: now } });
  if (!moved) return;

  await bumpFunnel({ campaignId: moved.campaignId, channel: moved.channel }, { gifted: 1 });
  const data = {
    couponId: moved._id.toString(),
    giftId: gift._id.toString(),
    fromCustomerId: gift.customerId.toString(),
    toCustomerId: gift.toCustomerId.toString(),
  };
  await appendTimeline(gift.customerId, {
    type: 'coupon.gift_sent',
    channel: 'mini_program',
    summary: `Passed coupon "${moved.name}" to a friend`,
    data,
    at: now,
  });
  await appendTimeline(gift.toCustomerId, {
    type: 'coupon.gift_received',
    channel: 'mini_program',
    summary: `Received coupon "${moved.name}" from a friend`,
    data,
    at: now,
  });
}

/** Gives an unaccepted gift's coupon back to the giver; idempotent. */
export async function returnGift(gift: GiftDoc, now = new Date(), status: 'returned' | 'cancelled' = 'returned'): Promise<boolean> {
  const closed = await CouponGift.findOneAndUpdate({ _id: gift._id, status: 'open' }, { $set: { status } }, { new: true }).lean();
  if (!closed) return false;
  const back = await Coupon.findOneAndUpdate(
    { _id: gift.couponId, state: 'gifting', customerId: gift.customerId },
    { $set: { state: 'available' }, $unset: { giftingSince: 1 } },
    { new: true },
  ).lean<CouponDoc>();
  if (back) {
    await appendTimeline(gift.customerId, {
      type: status === 'returned' ? 'coupon.gift_returned' : 'coupon.gift_cancelled',
      channel: 'system',
      summary: status === 'returned'
        ? `Coupon "${back.name}" came back: nobody accepted it within 24 hours`
        : `Took back coupon "${back.name}" before a friend accepted it`,
      data: { couponId: back._id.toString(), giftId: gift._id.toString() },
      at: now,
    });
  }
  return true;
}

/** The giver takes an open gift back. */
export async function cancelGift(couponId: string, giverId: Types.ObjectId, now = new Date()): Promise<void> {
  if (!Types.ObjectId.isValid(couponId)) throw notFound('No such gift.');
  const gift = await CouponGift.findOne({ couponId, customerId: giverId, status: 'open' }).lean<GiftDoc>();
  if (!gift || !(await returnGift(gift, now, 'cancelled'))) {
    throw conflict(CouponErrorCode.GIFT_TAKEN, 'This gift is no longer open.');
  }
}

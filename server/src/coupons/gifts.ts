import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { CouponErrorCode, GIFT_OPEN_MS } from '@shared/coupons';
import { ErrorCode } from '@shared/errors';
import { appendTimeline } from '../customers';
import { conflict, isDomainError, notFound } from '../platform/errors';
import { engagementHooks, type ClientSeen } from './engagementHooks';
import { recordFunnel } from './funnel';
import { couponPolicy } from './policies';
import { Coupon, CouponGift, type CouponDoc, type GiftDoc } from './model';
import { usageBlocker } from './redeem';
import { transitionCoupon } from './transitions';

/** Thrown out of a transition to end it early: the same friend tapped twice. */
const ALREADY_ACCEPTED = new Error('already accepted');

/** Offers a coupon to a friend: a one-time token (128 bits); the coupon waits in `gifting`. */
export async function createGift(
  couponId: string,
  giverId: Types.ObjectId,
  now = new Date(),
): Promise<{ token: string; expiresAt: Date; coupon: CouponDoc }> {
  if (!Types.ObjectId.isValid(couponId)) throw notFound('No such coupon.');
  const giftId = new Types.ObjectId();
  const { after: coupon } = await transitionCoupon(couponId, (current) => {
    if (!couponPolicy.holds(giverId, current)) throw notFound('No such coupon.');
    if (current.state === 'gifting') throw conflict(CouponErrorCode.COUPON_GIFTING, 'This coupon is already on its way to a friend.');
    const blocker =
      current.state === 'available' && current.expiresAt > now
        ? undefined
        : usageBlocker(current, new Types.ObjectId(), undefined, now, false);
    if (blocker) throw blocker;
    return { kind: 'gift_offer', set: { state: 'gifting', giftingSince: now, giftId } };
  });

  const token = randomBytes(16).toString('base64url');
  const expiresAt = new Date(now.getTime() + GIFT_OPEN_MS);
  await CouponGift.create({
    _id: giftId,
    token,
    couponId: coupon._id,
    campaignId: coupon.campaignId,
    customerId: giverId,
    status: 'open',
    expiresAt,
  });
  await appendTimeline(giverId, {
    type: 'coupon.gift_offered',
    channel: 'mini_program',
    summary: `Offered coupon "${coupon.name}" to a friend`,
    data: { couponId: coupon._id.toString(), giftId: giftId.toString() },
    at: now,
  });
  return { token, expiresAt, coupon };
}

/**
 * A friend takes the gift. Exactly one acceptance wins (the coupon's gifting→available transition
 * is exclusive), and the giver can never take their own gift.
 */
export async function acceptGift(token: string, friendId: Types.ObjectId, now = new Date(), client: ClientSeen = {}): Promise<CouponDoc> {
  const gift = await CouponGift.findOne({ token }).lean<GiftDoc>();
  if (!gift) throw notFound('This gift link is not valid.');
  if (gift.customerId.equals(friendId)) throw conflict(CouponErrorCode.OWN_GIFT, 'You cannot accept your own gift.');

  let alreadyMine: CouponDoc | undefined;
  try {
    const { after } = await transitionCoupon(gift.couponId, (current) => {
      if (current.state !== 'gifting' || !current.giftId?.equals(gift._id)) {
        if (current.customerId.equals(friendId) && current.receivedFrom?.equals(gift.customerId)) {
          alreadyMine = current; // a double tap by the same friend
          throw ALREADY_ACCEPTED;
        }
        if (current.customerId.equals(gift.customerId)) throw conflict(CouponErrorCode.GIFT_EXPIRED, 'This gift is no longer open.');
        throw conflict(CouponErrorCode.GIFT_TAKEN, 'Someone else has already accepted this gift.');
      }
      if (gift.expiresAt <= now) throw conflict(CouponErrorCode.GIFT_EXPIRED, 'This gift is no longer open.');
      return {
        kind: 'gift_accept',
        set: { state: 'available', customerId: friendId, receivedFrom: gift.customerId },
        unset: ['giftId', 'giftingSince'],
      };
    });
    await afterGiftAccepted(gift, after, friendId, now);
    await engagementHooks()?.giftAccepted({
      giftId: gift._id,
      couponId: after._id,
      campaignId: after.campaignId,
      giverId: gift.customerId,
      friendId,
      client,
      at: now,
    });
    return after;
  } catch (err) {
    if (alreadyMine && err === ALREADY_ACCEPTED) return alreadyMine;
    throw err;
  }
}

async function afterGiftAccepted(gift: GiftDoc, coupon: CouponDoc, friendId: Types.ObjectId, now: Date): Promise<void> {
  await CouponGift.updateOne({ _id: gift._id }, { $set: { status: 'accepted', toCustomerId: friendId, acceptedAt: now } });
  await recordFunnel(`gift:${gift._id.toString()}`, { campaignId: coupon.campaignId, channel: coupon.channel }, { gifted: 1 }, now);
  const data = {
    couponId: coupon._id.toString(),
    campaignId: coupon.campaignId.toString(),
    claimChannel: coupon.channel,
    giftId: gift._id.toString(),
    fromCustomerId: gift.customerId.toString(),
    toCustomerId: friendId.toString(),
  };
  await appendTimeline(gift.customerId, {
    type: 'coupon.gift_sent',
    channel: 'mini_program',
    summary: `Passed coupon "${coupon.name}" to a friend`,
    data,
    at: now,
  });
  await appendTimeline(friendId, {
    type: 'coupon.gift_received',
    channel: 'mini_program',
    summary: `Received coupon "${coupon.name}" from a friend`,
    data,
    at: now,
  });
}

/** Gives an unaccepted gift's coupon back to the giver: after 24 h (sweep) or when the giver cancels. */
export async function returnGift(gift: GiftDoc, now = new Date(), reason: 'returned' | 'cancelled' = 'returned'): Promise<boolean> {
  let back: CouponDoc;
  try {
    ({ after: back } = await transitionCoupon(gift.couponId, (current) => {
      if (current.state !== 'gifting' || !current.giftId?.equals(gift._id))
        throw conflict(CouponErrorCode.GIFT_TAKEN, 'This gift is no longer open.');
      if (reason === 'returned' && gift.expiresAt > now) throw conflict(ErrorCode.CONFLICT, 'This gift is still open.');
      return { kind: `gift_${reason}`, set: { state: 'available' }, unset: ['giftId', 'giftingSince'] };
    }));
  } catch (err) {
    if (isDomainError(err, CouponErrorCode.GIFT_TAKEN, ErrorCode.CONFLICT)) return false; // accepted or returned already
    throw err;
  }
  await CouponGift.updateOne({ _id: gift._id }, { $set: { status: reason } });
  await appendTimeline(gift.customerId, {
    type: reason === 'returned' ? 'coupon.gift_returned' : 'coupon.gift_cancelled',
    channel: 'system',
    summary:
      reason === 'returned'
        ? `Coupon "${back.name}" came back: nobody accepted it within 24 hours`
        : `Took back coupon "${back.name}" before a friend accepted it`,
    data: { couponId: back._id.toString(), giftId: gift._id.toString() },
    at: now,
  });
  return true;
}

/** The giver takes an open gift back. */
export async function cancelGift(couponId: string, giverId: Types.ObjectId, now = new Date()): Promise<CouponDoc> {
  if (!Types.ObjectId.isValid(couponId)) throw notFound('No such gift.');
  const coupon = await Coupon.findOne({ _id: couponId, customerId: giverId }).lean<CouponDoc>();
  const gift = coupon?.giftId ? await CouponGift.findById(coupon.giftId).lean<GiftDoc>() : null;
  if (!gift || !(await returnGift(gift, now, 'cancelled'))) {
    throw conflict(CouponErrorCode.GIFT_TAKEN, 'This gift is no longer open.');
  }
  return (await Coupon.findById(couponId).lean<CouponDoc>())!;
}

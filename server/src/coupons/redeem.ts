import { Types } from 'mongoose';
import { parseCouponCode } from '@shared/couponCode';
import { CouponErrorCode, VOID_WINDOW_MS, type RedemptionPreview } from '@shared/coupons';
import { ErrorCode } from '@shared/errors';
import { appendTimeline } from '../customers';
import { badRequest, conflict, forbidden, notFound, type DomainError } from '../platform/errors';
import { coupons as couponMetrics } from '../platform/metrics';
import { recordFunnel } from './funnel';
import { couponPolicy } from './policies';
import { transitionCoupon } from './transitions';
import { Coupon, Redemption, type CouponDoc, type RedemptionDoc } from './model';
import { earnForRedemption, reverseForRedemption } from './points';
import { verifyQrToken } from './qr';
import { couponView } from './views';

export interface CouponReference {
  code?: string | undefined;
  qrToken?: string | undefined;
}

/** The coupon behind a typed code or a scanned QR token; 404 when there is none. */
export async function findCouponByReference(ref: CouponReference, now = new Date()): Promise<CouponDoc> {
  if (ref.qrToken) {
    const check = await verifyQrToken(ref.qrToken, now);
    if (!check.ok && check.problem === 'expired') {
      throw conflict(CouponErrorCode.QR_TOKEN_EXPIRED, 'This QR code has expired; ask the customer to refresh it.');
    }
    const coupon = check.ok ? await Coupon.findById(check.couponId).lean<CouponDoc>() : null;
    if (!coupon) throw notFound('This QR code does not belong to any coupon.');
    return coupon;
  }
  const parsed = parseCouponCode(ref.code ?? '');
  if (!parsed.ok) throw notFound(`No coupon has this code. ${parsed.message}`);
  const coupon = await Coupon.findOne({ code: parsed.canonical }).lean<CouponDoc>();
  if (!coupon) throw notFound('No coupon has this code.');
  return coupon;
}

/** What the coupon takes off an order (an estimate when the amount is not known yet). */
export function discountFor(coupon: CouponDoc, orderAmountFen: number | undefined): number {
  switch (coupon.type) {
    case 'cash': {
      const value = coupon.valueFen ?? 0;
      return orderAmountFen === undefined ? value : Math.min(value, orderAmountFen);
    }
    case 'discount': {
      if (orderAmountFen === undefined) return 0;
      const off = Math.floor((orderAmountFen * (coupon.percentOff ?? 0)) / 100);
      return coupon.maxDiscountFen ? Math.min(off, coupon.maxDiscountFen) : off;
    }
    default:
      return 0;
  }
}

/** Why this coupon cannot be used at this store now, or undefined when it can. */
export function usageBlocker(
  coupon: CouponDoc,
  storeId: Types.ObjectId,
  orderAmountFen: number | undefined,
  now: Date,
  forRedemption: boolean,
): DomainError | undefined {
  if (coupon.state === 'redeemed') return conflict(ErrorCode.ALREADY_REDEEMED, 'This coupon has already been used.');
  if (coupon.state === 'expired' || coupon.expiresAt <= now) return conflict(ErrorCode.EXPIRED, 'This coupon has expired.');
  if (coupon.state === 'voided') return conflict(CouponErrorCode.COUPON_VOIDED, 'This coupon has been voided.');
  if (coupon.state === 'held') return conflict(CouponErrorCode.COUPON_UNDER_REVIEW, 'This coupon is under review and cannot be used yet.');
  if (coupon.state === 'gifting') {
    return conflict(CouponErrorCode.COUPON_GIFTING, 'This coupon is being passed to a friend and cannot be used now.');
  }
  if (coupon.validFrom > now) return conflict(ErrorCode.NOT_STARTED, 'This coupon cannot be used yet.');
  const stores = (coupon.storeIds ?? []).map(String);
  if (stores.length && !stores.includes(storeId.toString())) {
    return conflict(CouponErrorCode.NOT_USABLE_HERE, 'This coupon cannot be used at this store.');
  }
  const threshold = coupon.thresholdFen ?? 0;
  if (threshold > 0) {
    if (orderAmountFen === undefined) {
      if (forRedemption)
        return badRequest('Enter the order amount: this coupon has a minimum spend.', [
          { path: 'body.orderAmountFen', message: 'is required for a coupon with a minimum spend' },
        ]);
    } else if (orderAmountFen < threshold) {
      return conflict(CouponErrorCode.THRESHOLD_NOT_MET, `This coupon needs an order of at least ${threshold} fen.`);
    }
  }
  if (forRedemption && coupon.type === 'discount' && orderAmountFen === undefined) {
    return badRequest('Enter the order amount to apply a discount.', [
      { path: 'body.orderAmountFen', message: 'is required for a discount coupon' },
    ]);
  }
  return undefined;
}

export interface TillContext {
  storeId: Types.ObjectId;
  staffId: Types.ObjectId;
}

export async function previewRedemption(
  ref: CouponReference & { orderAmountFen?: number | undefined },
  till: Pick<TillContext, 'storeId'>,
  now = new Date(),
): Promise<RedemptionPreview> {
  const coupon = await findCouponByReference(ref, now);
  const blocker = usageBlocker(coupon, till.storeId, ref.orderAmountFen, now, false);
  return {
    coupon: couponView(coupon),
    usable: !blocker,
    ...(blocker ? { reason: blocker.code, message: blocker.message } : { discountFen: discountFor(coupon, ref.orderAmountFen) }),
  };
}

export interface RedeemResult {
  redemption: RedemptionDoc;
  coupon: CouponDoc;
}

/**
 * Uses a coupon at a till. Exactly one of any number of concurrent attempts wins: the switch from
 * available to redeemed is one exclusive coupon transition; the others see it redeemed.
 */
export async function redeemCoupon(
  ref: CouponReference & { orderAmountFen?: number | undefined },
  till: TillContext,
  now = new Date(),
): Promise<RedeemResult> {
  const found = await findCouponByReference(ref, now);
  const redemptionId = new Types.ObjectId();
  const { after: coupon } = await transitionCoupon(
    found._id,
    (current) => {
      const blocker = usageBlocker(current, till.storeId, ref.orderAmountFen, now, true);
      if (blocker) throw blocker;
      return {
        kind: 'redeem',
        set: {
          state: 'redeemed',
          redemption: {
            id: redemptionId,
            storeId: till.storeId,
            staffId: till.staffId,
            orderAmountFen: ref.orderAmountFen,
            discountFen: discountFor(current, ref.orderAmountFen),
            at: now,
          },
        },
      };
    },
    found,
  );
  const discountFen = coupon.redemption!.discountFen!;

  // The coupon's transition decided the redemption; what follows records it, independent writes together.
  const [created, pointsEarned] = await Promise.all([
    Redemption.create({
      _id: redemptionId,
      couponId: coupon._id,
      campaignId: coupon.campaignId,
      customerId: coupon.customerId,
      code: coupon.code,
      channel: coupon.channel,
      storeId: till.storeId,
      staffId: till.staffId,
      orderAmountFen: ref.orderAmountFen,
      discountFen,
      at: now,
      status: 'done',
    }),
    earnForRedemption({
      customerId: coupon.customerId,
      redemptionId,
      orderAmountFen: ref.orderAmountFen,
      storeId: till.storeId,
      staffId: till.staffId,
    }),
    recordFunnel(
      `redeem:${redemptionId.toString()}`,
      { campaignId: coupon.campaignId, channel: coupon.channel, storeId: till.storeId, staffId: till.staffId },
      { redeemed: 1 },
      now,
    ),
  ]);
  const redemption = created.toObject() as RedemptionDoc;
  if (pointsEarned) await Redemption.updateOne({ _id: redemptionId }, { $set: { pointsEarned } });
  await appendTimeline(coupon.customerId, {
    type: 'coupon.redeemed',
    channel: 'store',
    summary: `Used coupon "${coupon.name}"${discountFen ? ` (${discountFen} fen off)` : ''}`,
    data: {
      couponId: coupon._id.toString(),
      campaignId: coupon.campaignId.toString(),
      claimChannel: coupon.channel,
      redemptionId: redemptionId.toString(),
      orderAmountFen: ref.orderAmountFen,
      discountFen,
      pointsEarned,
    },
    at: now,
    storeId: till.storeId,
    staffId: till.staffId,
  });
  couponMetrics.redemptions.inc();
  return { redemption: { ...redemption, pointsEarned }, coupon };
}

/**
 * A manager takes a redemption back within 10 minutes: the coupon is available again, the counts
 * and the points are reversed. The redemption record stays, marked voided. Exactly once: the
 * coupon's redeemed→available transition decides.
 */
export async function voidRedemption(
  redemptionId: string,
  managerStaffId: Types.ObjectId,
  now = new Date(),
  allowedStoreIds?: Types.ObjectId[],
): Promise<{ redemption: RedemptionDoc; coupon: CouponDoc }> {
  if (!Types.ObjectId.isValid(redemptionId)) throw notFound('No such redemption.');
  const existing = await Redemption.findById(redemptionId).lean<RedemptionDoc>();
  if (!existing) throw notFound('No such redemption.');
  if (!couponPolicy.mayVoid(allowedStoreIds, existing)) {
    throw forbidden('This redemption was made at another store.');
  }
  if (existing.status === 'voided') throw conflict(CouponErrorCode.ALREADY_VOIDED, 'This redemption has already been voided.');
  if (existing.at.getTime() < now.getTime() - VOID_WINDOW_MS) {
    throw conflict(CouponErrorCode.VOID_WINDOW_PASSED, 'A redemption can only be voided within 10 minutes.');
  }
  const { after: coupon } = await transitionCoupon(existing.couponId, (current) => {
    if (current.state !== 'redeemed' || !current.redemption?.id?.equals(existing._id)) {
      throw conflict(CouponErrorCode.ALREADY_VOIDED, 'This redemption has already been voided.');
    }
    return { kind: 'void', set: { state: 'available' }, unset: ['redemption'] };
  });
  const redemption = await Redemption.findOneAndUpdate(
    { _id: existing._id },
    { $set: { status: 'voided', voidedAt: now, voidedBy: managerStaffId } },
    { new: true },
  ).lean<RedemptionDoc>();

  await recordFunnel(
    `void:${existing._id.toString()}`,
    { campaignId: existing.campaignId, channel: existing.channel, storeId: existing.storeId, staffId: existing.staffId },
    { redeemed: -1, voided: 1 },
    now,
  );
  await reverseForRedemption({
    customerId: existing.customerId,
    redemptionId: existing._id,
    orderAmountFen: existing.orderAmountFen ?? undefined,
    storeId: existing.storeId,
    staffId: managerStaffId,
  });
  await appendTimeline(existing.customerId, {
    type: 'coupon.redemption_voided',
    channel: 'store',
    summary: 'A coupon use was cancelled at the till; the coupon is available again',
    data: { couponId: existing.couponId.toString(), redemptionId: existing._id.toString() },
    at: now,
    storeId: existing.storeId,
    staffId: managerStaffId,
  });
  return { redemption: redemption ?? existing, coupon };
}

/** Start of the day in Asia/Shanghai (UTC+8, no daylight saving). */
export function startOfShanghaiDay(now: Date): Date {
  const offset = 8 * 60 * 60 * 1000;
  const day = 24 * 60 * 60 * 1000;
  return new Date(Math.floor((now.getTime() + offset) / day) * day - offset);
}

export async function listClerkRedemptionsToday(staffId: Types.ObjectId, now = new Date()): Promise<RedemptionDoc[]> {
  return Redemption.find({ staffId, at: { $gte: startOfShanghaiDay(now) } })
    .sort({ at: -1 })
    .limit(500)
    .lean<RedemptionDoc[]>();
}

import type { Types } from 'mongoose';
import { earnPoints, reversePoints } from '../members';
import { ErrorCode, MemberErrorCode } from '@shared/errors';
import { isDomainError } from '../platform/errors';

// Points for the order a coupon was used on, posted to the members' ledger.

/** One point per whole yuan of the order amount. */
export const pointsForOrder = (orderAmountFen: number | undefined) => Math.floor((orderAmountFen ?? 0) / 100);

export interface RedemptionPoints {
  customerId: Types.ObjectId;
  redemptionId: Types.ObjectId;
  orderAmountFen: number | undefined;
  storeId: Types.ObjectId;
  staffId?: Types.ObjectId | undefined;
}

const refKeyOf = (redemptionId: Types.ObjectId) => `coupon-redemption:${redemptionId.toString()}`;

/** Earns the order's points; returns how many (0 for a non-member or no amount). Idempotent. */
export async function earnForRedemption(r: RedemptionPoints): Promise<number> {
  const points = pointsForOrder(r.orderAmountFen);
  if (points <= 0) return 0;
  try {
    const { entry } = await earnPoints(r.customerId, points, 'Purchase with a coupon', refKeyOf(r.redemptionId), {
      storeId: r.storeId,
      staffId: r.staffId,
    });
    return entry.points;
  } catch (err) {
    // Not a member: the coupon is still used, there are just no points. Any other refusal is real.
    if (isDomainError(err, MemberErrorCode.NOT_A_MEMBER)) return 0;
    throw err;
  }
}

/** Takes back what earnForRedemption gave. Idempotent; nothing to do when nothing was earned. */
export async function reverseForRedemption(r: RedemptionPoints): Promise<void> {
  if (pointsForOrder(r.orderAmountFen) <= 0) return;
  try {
    await reversePoints(r.customerId, refKeyOf(r.redemptionId), 'Coupon use cancelled', { storeId: r.storeId, staffId: r.staffId });
  } catch (err) {
    if (isDomainError(err, ErrorCode.NOT_FOUND, MemberErrorCode.NOT_A_MEMBER)) return; // nothing was earned
    throw err;
  }
}

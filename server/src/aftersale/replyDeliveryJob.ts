import type { PeriodicJob } from '../platform/jobs/periodic';
import type { Logger } from '../platform/logger';
import type { WechatPlatform } from '../wechat/platform';
import { TicketMessage, type TicketMessageDoc } from './model';
import { finishPendingDelivery } from './replyDelivery';
import { getTicket, ticketNumber } from './service';

/** A pending delivery this old has lost its request (a crash, a 503 nobody retried): the job finishes it. */
export const STALE_PENDING_MS = 20_000;
const BATCH = 50;

/** One pass: finishes staff replies stored but left pending. Safe on many instances at once. */
export async function finishStaleDeliveries(wechat: WechatPlatform, log: Logger, now = new Date()): Promise<number> {
  const stale = await TicketMessage.find(
    { 'delivery.status': 'pending', 'delivery.at': { $lt: new Date(now.getTime() - STALE_PENDING_MS) } },
    { _id: 1, ticketId: 1 },
  )
    .limit(BATCH)
    .lean<Pick<TicketMessageDoc, '_id' | 'ticketId'>[]>();
  let finished = 0;
  for (const message of stale) {
    const ticket = await getTicket(message.ticketId);
    if (!ticket) continue;
    try {
      await finishPendingDelivery(wechat, ticket, message._id, ticketNumber(ticket._id), now);
      finished++;
    } catch (err) {
      log.error({ err, messageId: String(message._id) }, 'pending reply delivery failed; next pass retries');
    }
  }
  return finished;
}

export function replyDeliveryJob(wechat: WechatPlatform, log: Logger): PeriodicJob {
  return {
    name: 'ticket-reply-delivery',
    intervalMs: 15_000,
    run: async (now) => {
      await finishStaleDeliveries(wechat, log, now);
    },
  };
}

// A staff reply on a ticket goes out to the customer through WeChat: a customer-service message while
// the official account's 48-hour window is open, otherwise the one subscribe send the customer accepted
// when filing. The result is recorded on the message; the platform failing never fails the reply.
import { DEFAULT_LANGUAGE, translate } from '@shared/i18n';
import type { Types } from 'mongoose';
import { appendTimeline, listTimeline, openidOf } from '../customers';
import { isDuplicateKey } from '../platform/db/errors';
import { WechatApiError, type WechatPlatform } from '../wechat/platform';
import { withLock } from './lock';
import { SubscribeUse, Ticket, TicketMessage, type TicketDoc, type TicketMessageDoc } from './model';

export const CUSTOMER_SERVICE_WINDOW_MS = 48 * 60 * 60 * 1000;
/** The ticket-update subscribe template (thing1: ticket, thing2: reply). */
export const TICKET_UPDATE_TEMPLATE_ID = 'ticket-update-reply';
/** Inbound official-account interactions that open the customer-service window. */
export const OA_INBOUND_TYPES = ['oa.message', 'oa.event'];

export type DeliveryChannel = 'official_account' | 'subscribe' | 'none';
export type DeliveryStatus = 'sent' | 'failed' | 'no_channel';
/** A staff message's delivery from the moment it is stored until it is finished. */
export const PENDING_DELIVERY = (at: Date) => ({ status: 'pending' as const, at });
export interface DeliveryResult {
  channel: DeliveryChannel;
  status: DeliveryStatus;
  errcode?: number;
  at: Date;
}

/** Which way a reply can go, from what is known about the customer. */
export function chooseChannel(facts: {
  oaOpenid?: string | undefined;
  lastOaInboundAt?: Date | undefined;
  subscribeUnused: boolean;
  mpOpenid?: string | undefined;
  now: Date;
}): DeliveryChannel {
  const { oaOpenid, lastOaInboundAt, now } = facts;
  if (oaOpenid && lastOaInboundAt && now.getTime() - lastOaInboundAt.getTime() <= CUSTOMER_SERVICE_WINDOW_MS) return 'official_account';
  if (facts.subscribeUnused && facts.mpOpenid) return 'subscribe';
  return 'none';
}

/** At most `max` characters (a subscribe `thing` value takes 20). */
export const clip = (text: string, max: number) => {
  const chars = Array.from(text.replace(/\s+/g, ' ').trim());
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
};

export const customServiceText = (number: string, reply: string) =>
  translate(DEFAULT_LANGUAGE, 'bot.ticketReply', { number, reply: reply.trim() });

/** Claims the ticket's one subscribe send; true for exactly one caller. */
async function claimSubscribe(ticketId: Types.ObjectId, messageId: Types.ObjectId, at: Date): Promise<boolean> {
  try {
    await SubscribeUse.create({ _id: String(ticketId), ticketId, messageId, at });
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
  await Ticket.updateOne({ _id: ticketId }, { $set: { subscribeUsedAt: at } });
  return true;
}

async function send(attempt: () => Promise<void>): Promise<{ status: 'sent' | 'failed'; errcode?: number }> {
  try {
    await attempt();
    return { status: 'sent' };
  } catch (err) {
    return err instanceof WechatApiError ? { status: 'failed', errcode: err.errcode } : { status: 'failed' };
  }
}

/** Delivers a stored staff message and records the result on it and on the timeline. Never throws for the platform. */
export async function deliverStaffReply(
  wechat: WechatPlatform,
  ticket: TicketDoc,
  message: TicketMessageDoc,
  number: string,
  now: Date = new Date(),
): Promise<DeliveryResult> {
  const customerId = ticket.customerId;
  const [oaOpenid, mpOpenid, lastInbound] = await Promise.all([
    openidOf(customerId, 'official_account'),
    openidOf(customerId, 'mini_program'),
    listTimeline(customerId, { types: OA_INBOUND_TYPES, limit: 1 }),
  ]);
  let channel = chooseChannel({
    oaOpenid,
    lastOaInboundAt: lastInbound[0]?.at,
    subscribeUnused: !!ticket.subscribeAccepted && !ticket.subscribeUsedAt,
    mpOpenid,
    now,
  });
  if (channel === 'subscribe' && !(await claimSubscribe(ticket._id, message._id, now))) channel = 'none';

  let outcome: { status: DeliveryStatus; errcode?: number } = { status: 'no_channel' };
  if (channel === 'official_account') {
    outcome = await send(() =>
      wechat.officialAccount.sendCustomMessage({
        touser: oaOpenid!,
        msgtype: 'text',
        text: { content: customServiceText(number, message.text) },
      }),
    );
  } else if (channel === 'subscribe') {
    outcome = await send(() =>
      wechat.miniProgram.sendSubscribeMessage({
        touser: mpOpenid!,
        template_id: TICKET_UPDATE_TEMPLATE_ID,
        page: `pages/tickets/detail?id=${String(ticket._id)}`,
        data: { thing1: { value: clip(`工单 #${number}`, 20) }, thing2: { value: clip(message.text, 20) } },
      }),
    );
  }
  const result: DeliveryResult = {
    channel,
    status: outcome.status,
    ...(outcome.errcode !== undefined ? { errcode: outcome.errcode } : {}),
    at: new Date(),
  };
  await TicketMessage.updateOne({ _id: message._id }, { $set: { delivery: result } });
  await appendTimeline(customerId, {
    sourceKey: `ticket-reply-delivery:${String(message._id)}`,
    type: 'ticket.reply_delivery',
    channel: channel === 'subscribe' ? 'mini_program' : channel === 'official_account' ? 'official_account' : 'system',
    summary: `工单 #${number} 回复${result.status === 'sent' ? '已送达' : result.status === 'failed' ? '发送失败' : '无可用渠道'}`,
    data: { ticketId: String(ticket._id), messageId: String(message._id), ...result },
    at: result.at,
    ...(ticket.storeId ? { storeId: ticket.storeId } : {}),
  });
  return result;
}

/**
 * Finishes a staff message's pending delivery: exactly one caller (a retried post, the job) sends,
 * under the message's lock; the others get the recorded result. A crash mid-send leaves it pending,
 * so it is sent again later: at least once, never silently dropped.
 */
export async function finishPendingDelivery(
  wechat: WechatPlatform,
  ticket: TicketDoc,
  messageId: Types.ObjectId,
  number: string,
  now: Date = new Date(),
): Promise<TicketMessageDoc['delivery']> {
  return withLock(`delivery:${String(messageId)}`, async () => {
    const fresh = await TicketMessage.findById(messageId).lean<TicketMessageDoc>();
    if (!fresh || fresh.delivery?.status !== 'pending') return fresh?.delivery;
    return deliverStaffReply(wechat, ticket, fresh, number, now);
  });
}

import { createHash } from 'node:crypto';
import { DEFAULT_LANGUAGE, languageOfText, translate } from '@shared/i18n';
import type { Types } from 'mongoose';
import { OPEN_STATES, type TicketState, type TicketType } from '@shared/tickets';
import { appendTimeline } from '../customers';
import { withLock } from './lock';
import { Ticket, type TicketDoc } from './model';
import { recordNotification } from './notifications';
import { recordScore, scoreMessage, type ComplaintScore } from './complaints';
import { createTicket, postMessage, setPriority, ticketNumber } from './service';

export interface EscalationResult {
  escalated: boolean;
  score: ComplaintScore;
  ticketId?: string;
  ticketNumber?: string;
  /** True when this message opened the complaint ticket, false when it raised an open one. */
  created?: boolean;
  /** What to send back to the follower. */
  reply?: string;
}

/** Answered in the language the follower wrote in, from the dictionaries (shared/i18n). */
function replyFor(text: string, number: string, created: boolean): string {
  return translate(languageOfText(text), created ? 'bot.complaint.created' : 'bot.complaint.raised', { number });
}

/**
 * Called for each message a follower sends the official account. Every message is scored (and the
 * score recorded with the model's version, for the staff to confirm or correct). A strong complaint opens a
 * high-priority complaint ticket, or raises the customer's open one, and alerts the managers.
 * Concurrent messages of one customer are serialized by a per-customer lock, so they never open
 * two tickets; a crash half-way leaves a ticket the next message finds and raises.
 */
export async function escalateFromMessage(customerId: Types.ObjectId, text: string, at: Date = new Date()): Promise<EscalationResult> {
  const score = await scoreMessage(text);
  if (score.level !== 'strong') {
    await recordScore({ customerId, text, at, score });
    return { escalated: false, score };
  }

  const { ticket, created } = await withLock(`complaint:${customerId}`, async () => {
    const open = await Ticket.findOne({ customerId, type: 'complaint', state: { $in: OPEN_STATES } })
      .sort({ createdAt: -1 })
      .select({ history: 0 })
      .lean<TicketDoc>();
    if (open) {
      const raised = await setPriority(
        open._id,
        'high',
        { kind: 'system' },
        {
          at,
          raiseOnly: true,
          historyAction: 'escalate',
          note: text.slice(0, 200),
        },
      );
      return { ticket: raised ?? open, created: false };
    }
    // The store the customer last dealt with handles it; without one, it waits for an admin to assign it.
    const last = await Ticket.findOne({ customerId, storeId: { $ne: null } })
      .sort({ createdAt: -1 })
      .select({ storeId: 1 })
      .lean();
    const opened = await createTicket(
      customerId,
      { type: 'complaint', description: text.slice(0, 2000), photos: [], contact: { preference: 'wechat' } },
      { source: 'official_account', priority: 'high', at, storeId: last?.storeId ?? null },
    );
    return { ticket: opened, created: true };
  });

  const number = ticketNumber(ticket._id);
  // The follower's words go on the ticket's conversation; the key makes a redelivered message one message.
  const idempotencyKey = createHash('sha256')
    .update(`${String(customerId)}|${at.toISOString()}|${text}`)
    .digest('hex')
    .slice(0, 40);
  if (!created) {
    await postMessage(ticket._id, { kind: 'customer', customerId: String(customerId) }, { text: text.slice(0, 2000), idempotencyKey }, at);
  }
  await recordNotification({
    dedupeKey: created ? `${ticket._id}:complaint:opened` : `${ticket._id}:complaint:escalated:${ticket.escalations ?? 0}`,
    storeId: ticket.storeId,
    customerId,
    ticketId: ticket._id,
    kind: created ? 'complaint.opened' : 'complaint.escalated',
    title: created ? `新投诉 #${number}（公众号）` : `投诉 #${number} 顾客再次催促`,
    data: { cues: score.cues, complaintScore: score.complaintScore, modelVersion: score.modelVersion, text: text.slice(0, 200) },
    at,
  });
  if (!created) {
    await appendTimeline(customerId, {
      type: 'ticket.escalated',
      channel: 'official_account',
      summary: `投诉 #${number} 加急`,
      data: { ticketId: String(ticket._id), cues: score.cues },
      at,
      ...(ticket.storeId ? { storeId: ticket.storeId } : {}),
    });
  }
  await recordScore({ customerId, text, at, score, storeId: ticket.storeId, ticketId: ticket._id });
  return { escalated: true, score, ticketId: String(ticket._id), ticketNumber: number, created, reply: replyFor(text, number, created) };
}

export interface TicketStatusSummary {
  openCount: number;
  tickets: Array<{ id: string; number: string; type: TicketType; state: TicketState; updatedAt: Date }>;
  /** Ready to send as the bot's answer to "my tickets". */
  text: string;
}

const shanghaiDate = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', month: '2-digit', day: '2-digit' });

/** The customer's recent tickets, for the official-account bot's "my tickets" answer. */
export async function ticketStatusSummary(customerId: Types.ObjectId): Promise<TicketStatusSummary> {
  const recent = await Ticket.find({ customerId })
    .sort({ updatedAt: -1, _id: -1 })
    .limit(5)
    .select({ type: 1, state: 1, updatedAt: 1 })
    .lean<Array<Pick<TicketDoc, '_id' | 'type' | 'state' | 'updatedAt'>>>();
  const openCount = await Ticket.countDocuments({ customerId, state: { $in: OPEN_STATES } });
  const tickets = recent.map((t) => ({
    id: String(t._id),
    number: ticketNumber(t._id),
    type: t.type as TicketType,
    state: t.state as TicketState,
    updatedAt: t.updatedAt,
  }));
  const lines = tickets.map((t) =>
    translate(DEFAULT_LANGUAGE, 'bot.tickets.line', {
      type: translate(DEFAULT_LANGUAGE, `ticket.type.${t.type}`),
      number: t.number,
      state: translate(DEFAULT_LANGUAGE, `ticket.state.${t.state}`),
      date: shanghaiDate.format(t.updatedAt),
    }),
  );
  const text = tickets.length
    ? [translate(DEFAULT_LANGUAGE, 'bot.tickets.count', { count: openCount }), ...lines].join('\n')
    : translate(DEFAULT_LANGUAGE, 'bot.tickets.none');
  return { openCount, tickets, text };
}

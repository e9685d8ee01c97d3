import { createHash } from 'node:crypto';
import type { Types } from 'mongoose';
import { OPEN_STATES, STATE_LABELS, TYPE_LABELS, type TicketState, type TicketType } from '@shared/tickets';
import { appendTimeline } from '../customers';
import { withLock } from './lock';
import { Ticket, type TicketDoc } from './model';
import { recordNotification } from './notifications';
import { scoreMessage, type ComplaintScore } from './sentiment/score';
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

const hasChinese = (text: string) => /[\u3400-\u9fff]/.test(text);

function replyFor(text: string, number: string, created: boolean): string {
  if (hasChinese(text)) {
    return created
      ? `非常抱歉给您带来不好的体验。我们已为您登记投诉（工单号 ${number}），专人正在处理，会尽快与您联系。`
      : `您的问题已加急（工单号 ${number}），专人正在跟进，请稍候，我们会尽快联系您。`;
  }
  return created
    ? `We're sorry about this. We've logged your complaint (ticket ${number}) and a person is on it; we'll contact you shortly.`
    : `We've marked your complaint (ticket ${number}) as urgent. A person is on it and will contact you shortly.`;
}

/**
 * Called for each message a follower sends the official account. A strong complaint opens a
 * high-priority complaint ticket, or raises the customer's open one, and alerts the managers.
 * Concurrent messages of one customer are serialized by a per-customer lock, so they never open
 * two tickets; a crash half-way leaves a ticket the next message finds and raises.
 */
export async function escalateFromMessage(customerId: Types.ObjectId, text: string, at: Date = new Date()): Promise<EscalationResult> {
  const score = scoreMessage(text);
  if (score.level !== 'strong') return { escalated: false, score };

  const { ticket, created } = await withLock(`complaint:${customerId}`, async () => {
    const open = await Ticket.findOne({ customerId, type: 'complaint', state: { $in: OPEN_STATES } })
      .sort({ createdAt: -1 })
      .select({ history: 0 })
      .lean<TicketDoc>();
    if (open) {
      const raised = await setPriority(open._id, 'high', { kind: 'system' }, {
        at,
        raiseOnly: true,
        historyAction: 'escalate',
        note: text.slice(0, 200),
      });
      return { ticket: raised ?? open, created: false };
    }
    // The store the customer last dealt with handles it; without one, it waits for an admin to assign it.
    const last = await Ticket.findOne({ customerId, storeId: { $ne: null } }).sort({ createdAt: -1 }).select({ storeId: 1 }).lean();
    const opened = await createTicket(
      customerId,
      { type: 'complaint', description: text.slice(0, 2000), photos: [], contact: { preference: 'wechat' } },
      { source: 'official_account', priority: 'high', at, storeId: last?.storeId ?? null },
    );
    return { ticket: opened, created: true };
  });

  const number = ticketNumber(ticket._id);
  // The follower's words go on the ticket's conversation; the key makes a redelivered message one message.
  const idempotencyKey = createHash('sha256').update(`${String(customerId)}|${at.toISOString()}|${text}`).digest('hex').slice(0, 40);
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
    data: { cues: score.cues, complaintScore: score.complaintScore, text: text.slice(0, 200) },
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
  const lines = tickets.map(
    (t) => `· ${TYPE_LABELS[t.type].zh} ${t.number}：${STATE_LABELS[t.state].zh}（${shanghaiDate.format(t.updatedAt)} 更新）`,
  );
  const text = tickets.length
    ? [`您有 ${openCount} 个处理中的工单。最近的工单：`, ...lines].join('\n')
    : '您还没有售后工单。需要帮助时，可以在小程序“售后服务”里提交，或直接在这里留言。';
  return { openCount, tickets, text };
}

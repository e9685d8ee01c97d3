import { Types } from 'mongoose';
import {
  DEFAULT_PRIORITY,
  FINAL_STATES,
  OPEN_STATES,
  STATE_LABELS,
  TYPE_LABELS,
  TicketErrorCode,
  allowedActions,
  canTransition,
  roleOn,
  type CreateTicketInput,
  type SlaBadge,
  type TicketAction,
  type TicketActor,
  type TicketMessageInput,
  type TicketPriority,
  type TicketRole,
  type TicketState,
  type TransitionData,
} from '@shared/tickets';
import { appendTimeline, type Channel } from '../customers';
import { badRequest, conflict, forbidden, isDomainError, notFound, type DomainError } from '../platform/errors';
import { isDuplicateKey } from '../platform/db/errors';
import type { WechatPlatform } from '../wechat/platform';
import type { Logger } from '../platform/logger';
import { withLock } from './lock';
import { ticketRuleView } from './policies';
import { finishPendingDelivery, PENDING_DELIVERY } from './replyDelivery';
import { followUpLowRating } from './ratingFollowUp';
import { Ticket, TicketMessage, type TicketDoc, type TicketMessageDoc } from './model';
import { nextDueAt, slaBadge, slaDeadlines } from './sla';

export type { TicketActor } from '@shared/tickets';

const STAFF_ACTIONS_THAT_ANSWER: readonly TicketAction[] = ['accept', 'reject', 'start', 'request_info', 'resolve'];

/** Short number a person can read out: the end of the id. */
export const ticketNumber = (id: Types.ObjectId | string) => String(id).slice(-6).toUpperCase();

const ruleView = ticketRuleView;

function actorRecord(actor: TicketActor, role?: TicketRole | null) {
  switch (actor.kind) {
    case 'customer':
      return { kind: 'customer', id: actor.customerId, role: role ?? 'customer' };
    case 'staff':
      return { kind: 'staff', id: actor.staffId, role: role ?? actor.role };
    case 'admin':
      return { kind: 'admin', id: actor.adminId, role: 'admin' };
    default:
      return { kind: 'system' };
  }
}

const channelOf = (actor: TicketActor): Channel =>
  actor.kind === 'customer' ? 'mini_program' : actor.kind === 'system' ? 'system' : 'store';

const asObjectId = (id: Types.ObjectId | string): Types.ObjectId | null =>
  id instanceof Types.ObjectId ? id : Types.ObjectId.isValid(id) && /^[0-9a-f]{24}$/i.test(id) ? new Types.ObjectId(id) : null;

export interface CreateOptions {
  source?: 'mini_program' | 'official_account' | 'store';
  priority?: TicketPriority;
  at?: Date;
  /** Chosen by the caller when it must know the id before the ticket exists (escalation). */
  id?: Types.ObjectId;
  storeId?: Types.ObjectId | null;
}

export type CreateTicketData = Omit<CreateTicketInput, 'storeId' | 'subscribeAccepted'> & {
  storeId?: string | Types.ObjectId | null | undefined;
  subscribeAccepted?: boolean | undefined;
};

/** Opens a ticket for the customer; it starts submitted with its SLA clocks running. */
export async function createTicket(customerId: Types.ObjectId, input: CreateTicketData, options: CreateOptions = {}): Promise<TicketDoc> {
  const at = options.at ?? new Date();
  const priority = options.priority ?? DEFAULT_PRIORITY[input.type];
  const deadlines = slaDeadlines(priority, at);
  const storeId = options.storeId !== undefined ? options.storeId : input.storeId ? asObjectId(input.storeId) : null;
  const created = await Ticket.create({
    ...(options.id ? { _id: options.id } : {}),
    customerId,
    storeId: storeId ?? undefined,
    type: input.type,
    orderRef: input.orderRef,
    description: input.description,
    photos: input.photos ?? [],
    contact: input.contact ?? { preference: 'wechat' },
    subscribeAccepted: input.subscribeAccepted === true,
    priority,
    state: 'submitted',
    source: options.source ?? 'mini_program',
    history: [{ action: 'create', to: 'submitted', at, actor: { kind: 'customer', id: String(customerId), role: 'customer' }, priority }],
    sla: { cycle: 0, startedAt: at, ...deadlines, nextDueAt: nextDueAt(deadlines) },
    createdAt: at,
  });
  await appendTimeline(customerId, {
    type: 'ticket.created',
    channel: options.source === 'official_account' ? 'official_account' : options.source === 'store' ? 'store' : 'mini_program',
    summary: `${TYPE_LABELS[input.type].zh}工单 #${ticketNumber(created._id)} 已提交`,
    data: { ticketId: String(created._id), type: input.type, priority, source: options.source ?? 'mini_program' },
    at,
    ...(storeId ? { storeId } : {}),
  });
  return created.toObject() as TicketDoc;
}

/** How long a ticket took to reach a service-level step and whether it missed the deadline: for reports. */
export interface SlaFact {
  ms: number;
  breached: boolean;
}

function slaFact(ticket: Pick<TicketDoc, 'createdAt' | 'sla'>, at: Date, due: Date | null | undefined): SlaFact {
  const startedAt = ticket.sla?.startedAt ?? ticket.createdAt;
  return { ms: Math.max(0, at.getTime() - startedAt.getTime()), breached: Boolean(due && at > due) };
}

export async function getTicket(ticketId: Types.ObjectId | string): Promise<TicketDoc | null> {
  const id = asObjectId(ticketId);
  return id ? Ticket.findById(id).lean<TicketDoc>() : null;
}

/** The ticket as the actor may see it, or 404 (someone else's ticket is not acknowledged to exist). */
export async function getTicketFor(ticketId: Types.ObjectId | string, actor: TicketActor): Promise<TicketDoc & { role: TicketRole }> {
  const ticket = await getTicket(ticketId);
  const role = ticket ? roleOn(ruleView(ticket), actor) : null;
  if (!ticket || !role) throw notFound('No such ticket.');
  return Object.assign(ticket, { role });
}

export function actionsFor(ticket: TicketDoc, actor: TicketActor, now = new Date()): TicketAction[] {
  return allowedActions(ruleView(ticket), actor, now);
}

function refusalError(check: Extract<ReturnType<typeof canTransition>, { ok: false }>): DomainError {
  switch (check.refusal) {
    case 'NO_ROLE':
      return notFound('No such ticket.');
    case 'ROLE_NOT_ALLOWED':
      return forbidden(check.message);
    case 'MISSING_FIELD':
      return badRequest(check.message, [{ path: `body.${check.field}`, message: 'Required' }]);
    case 'REOPEN_WINDOW_PASSED':
      return conflict(TicketErrorCode.REOPEN_WINDOW_PASSED, check.message);
    default:
      return conflict(TicketErrorCode.INVALID_TRANSITION, check.message);
  }
}

/**
 * Moves the ticket along the state table. Atomic without transactions: the update is guarded on the
 * state and version the decision was made on, so of many concurrent attempts exactly one applies and
 * the rest answer 409.
 */
export async function transition(
  ticketId: Types.ObjectId | string,
  action: TicketAction,
  actor: TicketActor,
  data: TransitionData = {},
  now: Date = new Date(),
): Promise<TicketDoc> {
  const id = asObjectId(ticketId);
  if (!id) throw notFound('No such ticket.');
  const { updated, entry, from, to, facts } = await withLock(`ticket:${id}`, async () => {
    const ticket = await getTicket(id);
    if (!ticket) throw notFound('No such ticket.');
    const check = canTransition(ruleView(ticket), action, actor, data, now);
    if (!check.ok) throw refusalError(check);

    const from = ticket.state as TicketState;
    const to = check.transition.to;
    const sla = ticket.sla!;
    const set: Record<string, unknown> = { state: to };
    const unset: Record<string, ''> = {};
    const isStaff = check.role !== 'customer';
    const answersFirst = isStaff && !sla.firstRespondedAt && STAFF_ACTIONS_THAT_ANSWER.includes(action);
    if (answersFirst) {
      set['sla.firstRespondedAt'] = now;
      set['sla.nextDueAt'] = sla.resolutionDue;
      // Only the resolution clock matters from here on.
      set.atRisk = sla.resolutionLevel !== 'none';
      set.overdue = sla.resolutionLevel === 'overdue';
    }
    if (action === 'resolve') {
      set.resolvedAt = now;
      set.resolution = data.resolution?.trim();
    }
    if (action === 'close') set.closedAt = now;
    if (to === 'resolved' || FINAL_STATES.includes(to)) {
      set.atRisk = false;
      set.overdue = false;
      // Nothing is owed any more, even when this same step was the first response.
      delete set['sla.nextDueAt'];
      unset['sla.nextDueAt'] = '';
    }
    if (action === 'reopen') {
      // Reopening owes the customer a new resolution, on a fresh clock.
      const fresh = slaDeadlines(ticket.priority as TicketPriority, now);
      set['sla.resolutionDue'] = fresh.resolutionDue;
      set['sla.resolutionRiskAt'] = fresh.resolutionRiskAt;
      set['sla.resolutionLevel'] = 'none';
      set['sla.nextDueAt'] = fresh.resolutionDue;
      set.atRisk = false;
      set.overdue = false;
      unset.closedAt = '';
    }
    const entry = {
      action,
      from,
      to,
      at: now,
      actor: actorRecord(actor, check.role),
      ...(data.reason?.trim() ? { reason: data.reason.trim() } : {}),
      ...(action === 'resolve' && data.resolution ? { resolution: data.resolution.trim() } : {}),
      ...(data.note?.trim() ? { note: data.note.trim() } : {}),
    };
    const update: Record<string, unknown> = {
      $set: set,
      $inc: { version: 1, ...(action === 'reopen' ? { 'sla.cycle': 1 } : {}) },
      $push: { history: entry },
    };
    if (Object.keys(unset).length) update.$unset = unset;

    // The guard is what holds on MongoDB; the lock is what holds on the embedded engine.
    const updated = await Ticket.findOneAndUpdate({ _id: ticket._id, state: from, version: ticket.version }, update, {
      new: true,
    }).lean<TicketDoc>();
    if (!updated) throw conflict(TicketErrorCode.TICKET_CHANGED, 'The ticket changed meanwhile; reload it and try again.');
    const facts = {
      ...(answersFirst ? { firstResponse: slaFact(ticket, now, sla.firstResponseDue) } : {}),
      ...(action === 'resolve' ? { resolution: slaFact(ticket, now, sla.resolutionDue) } : {}),
    };
    return { updated, entry, from, to, facts };
  });
  await appendTimeline(updated.customerId, {
    type: `ticket.${action}`,
    channel: channelOf(actor),
    summary: `工单 #${ticketNumber(updated._id)}：${STATE_LABELS[from].zh} → ${STATE_LABELS[to].zh}`,
    data: {
      ticketId: String(updated._id),
      action,
      from,
      to,
      ...(entry.reason ? { reason: entry.reason } : {}),
      ...(Object.keys(facts).length ? { ...facts, ticketType: updated.type, source: updated.source } : {}),
    },
    at: now,
    ...(updated.storeId ? { storeId: updated.storeId } : {}),
    ...(actor.kind === 'staff' && asObjectId(actor.staffId) ? { staffId: asObjectId(actor.staffId)! } : {}),
  });
  return updated;
}

const PRIORITY_RANK: Record<TicketPriority, number> = { urgent: 0, high: 1, normal: 2, low: 3 };

/**
 * Changes the priority and moves the SLA deadlines with it (counted from when the clock started).
 * With `raiseOnly`, a lower priority than the current one is left alone.
 */
export async function setPriority(
  ticketId: Types.ObjectId,
  priority: TicketPriority,
  actor: TicketActor,
  options: { at?: Date; raiseOnly?: boolean; historyAction?: 'set_priority' | 'escalate'; note?: string } = {},
): Promise<TicketDoc | null> {
  const at = options.at ?? new Date();
  return withLock(`ticket:${ticketId}`, async () => {
    const ticket = await getTicket(ticketId);
    if (!ticket) return null;
    if (actor.kind !== 'system') {
      const role = roleOn(ruleView(ticket), actor);
      if (!role) throw notFound('No such ticket.');
      if (role === 'customer') throw forbidden('Only staff set the priority.');
    }
    const current = ticket.priority as TicketPriority;
    const target = options.raiseOnly && PRIORITY_RANK[current] <= PRIORITY_RANK[priority] ? current : priority;
    const sla = ticket.sla!;
    const set: Record<string, unknown> = { priority: target };
    const inc: Record<string, number> = {};
    if (target !== current) {
      const startedAt = sla.startedAt ?? ticket.createdAt;
      const d = slaDeadlines(target, startedAt);
      // A reopened ticket's resolution clock started at the reopen; keep that start.
      const resolutionStart = sla.resolutionDue
        ? new Date(sla.resolutionDue.getTime() - slaDeadlines(current, new Date(0)).resolutionDue.getTime())
        : startedAt;
      const r = slaDeadlines(target, resolutionStart);
      Object.assign(set, {
        'sla.firstResponseDue': d.firstResponseDue,
        'sla.firstResponseRiskAt': d.firstResponseRiskAt,
        'sla.firstResponseLevel': 'none',
        'sla.resolutionDue': r.resolutionDue,
        'sla.resolutionRiskAt': r.resolutionRiskAt,
        'sla.resolutionLevel': 'none',
      });
      if (OPEN_STATES.includes(ticket.state as TicketState)) {
        set['sla.nextDueAt'] = nextDueAt({
          firstRespondedAt: sla.firstRespondedAt,
          firstResponseDue: d.firstResponseDue,
          resolutionDue: r.resolutionDue,
        });
      }
      inc['sla.cycle'] = 1;
    }
    if (options.historyAction === 'escalate') {
      inc.escalations = 1;
      set.lastEscalatedAt = at;
    } else if (target === current) {
      return ticket;
    }
    return Ticket.findOneAndUpdate(
      { _id: ticket._id, priority: current, 'sla.cycle': sla.cycle ?? 0 },
      {
        $set: set,
        ...(Object.keys(inc).length ? { $inc: inc } : {}),
        $push: {
          history: {
            action: options.historyAction ?? 'set_priority',
            at,
            actor: actorRecord(actor),
            priority: target,
            ...(options.note ? { note: options.note } : {}),
          },
        },
      },
      { new: true },
    ).lean<TicketDoc>();
  });
}

export interface PostedMessage {
  message: TicketMessageDoc;
  /** False when this was a retry of a message already stored. */
  created: boolean;
}

/**
 * Adds a message to the ticket's conversation. The idempotency key makes a retry return the stored
 * message instead of a second copy; a message is acknowledged only once it is stored.
 */
export async function postMessage(
  ticketId: Types.ObjectId | string,
  actor: TicketActor,
  input: Pick<TicketMessageInput, 'text' | 'idempotencyKey'> & { photos?: string[] },
  now: Date = new Date(),
  options: { wechat?: WechatPlatform; log?: Logger } = {},
): Promise<PostedMessage> {
  const ticket = await getTicketFor(ticketId, actor);
  const author = actorRecord(actor, ticket.role);
  const stored = () => TicketMessage.findOne({ ticketId: ticket._id, idempotencyKey: input.idempotencyKey }).lean<TicketMessageDoc>();
  let message: TicketMessageDoc | null = null;
  let created = true;
  if (FINAL_STATES.includes(ticket.state as TicketState)) {
    // A retry of a message stored before the ticket closed still gets its answer; a new one does not.
    message = await stored();
    if (!message) throw conflict(TicketErrorCode.TICKET_CLOSED, 'This ticket is closed; open a new one.');
    created = false;
  } else {
    try {
      message = (
        await TicketMessage.create({
          ticketId: ticket._id,
          customerId: ticket.customerId,
          author,
          text: input.text,
          photos: input.photos ?? [],
          idempotencyKey: input.idempotencyKey,
          at: now,
          // A staff reply owes the customer a delivery from the moment it is stored.
          ...(ticket.role !== 'customer' ? { delivery: PENDING_DELIVERY(now) } : {}),
        })
      ).toObject() as TicketMessageDoc;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      message = await stored();
      if (!message) throw err;
      created = false;
    }
  }
  if (!created && (message.author?.kind !== author.kind || message.author?.id !== author.id || message.text !== input.text)) {
    throw conflict(TicketErrorCode.IDEMPOTENCY_KEY_REUSED, 'This idempotency key was used for another message.');
  }
  if (!message.onTimeline) {
    const messageId = message._id;
    await withLock(`message:${messageId}`, async () => {
      const fresh = await TicketMessage.findById(messageId).lean<TicketMessageDoc>();
      if (fresh && !fresh.onTimeline) await finishMessage(ticket, fresh, actor);
    });
    message.onTimeline = true;
  }
  if (message.delivery?.status === 'pending' && options.wechat) {
    // Only once stored, and on a retry too when the first attempt died before finishing it; the
    // staff's reply stands whatever happens on the way to the customer (the job finishes it later).
    try {
      message.delivery = await finishPendingDelivery(options.wechat, ticket, message._id, ticketNumber(ticket._id), now);
    } catch (err) {
      options.log?.error({ err, messageId: String(message._id) }, 'ticket reply delivery failed; the delivery job will retry');
    }
  }
  if (created && ticket.role === 'customer' && ticket.state === 'awaiting_customer') {
    // The customer's answer is what staff were waiting for: the ticket goes back to work.
    await transition(ticket._id, 'resume', actor, {}, now).catch((err: unknown) => {
      // Someone else moved it on meanwhile: the message stands all the same.
      if (!isDomainError(err, TicketErrorCode.INVALID_TRANSITION, TicketErrorCode.TICKET_CHANGED)) throw err;
    });
  }
  return { message, created };
}

async function finishMessage(ticket: TicketDoc, message: TicketMessageDoc, actor: TicketActor): Promise<void> {
  const fromStaff = message.author?.kind === 'staff' || message.author?.kind === 'admin';
  let firstResponse: SlaFact | undefined;
  await withLock(`ticket:${ticket._id}`, async () => {
    const current = await getTicket(ticket._id);
    if (!current) return;
    const set: Record<string, unknown> = {};
    if (!current.lastMessageAt || current.lastMessageAt < message.at) set.lastMessageAt = message.at;
    if (fromStaff && !current.sla?.firstRespondedAt) {
      // A staff reply is the first response, if nothing answered before.
      firstResponse = slaFact(current, message.at, current.sla?.firstResponseDue);
      set['sla.firstRespondedAt'] = message.at;
      if (OPEN_STATES.includes(current.state as TicketState)) {
        set['sla.nextDueAt'] = current.sla?.resolutionDue;
        set.atRisk = current.sla?.resolutionLevel !== 'none';
        set.overdue = current.sla?.resolutionLevel === 'overdue';
      }
    }
    if (Object.keys(set).length) await Ticket.updateOne({ _id: ticket._id, version: current.version }, { $set: set });
  });
  await appendTimeline(ticket.customerId, {
    sourceKey: `ticket-message:${String(message._id)}`,
    type: fromStaff ? 'ticket.reply' : 'ticket.message',
    channel: channelOf(actor),
    summary: message.text.slice(0, 140),
    data: {
      ticketId: String(ticket._id),
      messageId: String(message._id),
      ...(firstResponse ? { firstResponse, ticketType: ticket.type, source: ticket.source } : {}),
    },
    at: message.at,
    ...(ticket.storeId ? { storeId: ticket.storeId } : {}),
  });
  await TicketMessage.updateOne({ _id: message._id }, { $set: { onTimeline: true } });
}

export async function listMessages(ticketId: Types.ObjectId | string, actor: TicketActor): Promise<TicketMessageDoc[]> {
  const ticket = await getTicketFor(ticketId, actor);
  return TicketMessage.find({ ticketId: ticket._id }).sort({ at: 1, _id: 1 }).limit(500).lean<TicketMessageDoc[]>();
}

/** The customer's own tickets, newest first. */
export async function listCustomerTickets(customerId: Types.ObjectId, options: { limit?: number } = {}): Promise<TicketDoc[]> {
  return Ticket.find({ customerId })
    .sort({ createdAt: -1, _id: -1 })
    .limit(Math.min(options.limit ?? 20, 100))
    .select({ history: 0 })
    .lean<TicketDoc[]>();
}

export interface InboxItem {
  ticket: TicketDoc;
  badge: SlaBadge;
}

/**
 * The staff inbox: open tickets, the most pressing deadline first, each with its SLA badge.
 * `storeId` limits it to one store; without it (admins) it lists every store and the unassigned.
 */
export async function listInbox(
  scope: { storeId: Types.ObjectId } | { all: true } | { unassigned: true },
  options: { now?: Date; limit?: number; states?: TicketState[] } = {},
): Promise<InboxItem[]> {
  const now = options.now ?? new Date();
  const filter: Record<string, unknown> = { state: { $in: options.states ?? OPEN_STATES } };
  if ('storeId' in scope) filter.storeId = scope.storeId;
  if ('unassigned' in scope) filter.storeId = null;
  const tickets = await Ticket.find(filter)
    .sort({ 'sla.nextDueAt': 1, _id: 1 })
    .limit(Math.min(options.limit ?? 50, 200))
    .select({ history: 0 })
    .lean<TicketDoc[]>();
  return tickets.map((ticket) => ({ ticket, badge: slaBadge({ state: ticket.state as TicketState, sla: ticket.sla }, now) }));
}

/** The customer rates a resolved or closed ticket, once. */
export async function rateTicket(
  ticketId: Types.ObjectId | string,
  actor: TicketActor,
  rating: { stars: number; comment?: string | undefined },
  now: Date = new Date(),
): Promise<TicketDoc> {
  const ticket = await getTicketFor(ticketId, actor);
  if (ticket.role !== 'customer') throw forbidden('Only the customer rates a ticket.');
  if (ticket.state !== 'resolved' && ticket.state !== 'closed') {
    throw conflict(TicketErrorCode.INVALID_TRANSITION, 'A ticket is rated once it is resolved.');
  }
  const updated = await withLock(`ticket:${ticket._id}`, async () => {
    const current = await getTicket(ticket._id);
    if (current?.rating?.stars) return { alreadyRated: current };
    return Ticket.findOneAndUpdate(
      { _id: ticket._id, 'rating.stars': null },
      {
        $set: { rating: { stars: rating.stars, comment: rating.comment, at: now } },
        $push: { history: { action: 'rate', at: now, actor: actorRecord(actor), note: `${rating.stars}` } },
      },
      { new: true },
    ).lean<TicketDoc>();
  });
  if (updated && 'alreadyRated' in updated) {
    // A retry of a low rating whose follow-up may not have finished: finish it (it is idempotent).
    const { rating: earlier } = updated.alreadyRated;
    await followUpLowRating(updated.alreadyRated, earlier!.stars!, earlier!.comment ?? undefined, earlier!.at ?? now);
    throw conflict(TicketErrorCode.ALREADY_RATED, 'This ticket is already rated.');
  }
  if (!updated) throw conflict(TicketErrorCode.ALREADY_RATED, 'This ticket is already rated.');
  await appendTimeline(ticket.customerId, {
    type: 'ticket.rated',
    channel: 'mini_program',
    summary: `工单 #${ticketNumber(ticket._id)} 评价 ${rating.stars} 星`,
    data: { ticketId: String(ticket._id), stars: rating.stars },
    at: now,
    ...(ticket.storeId ? { storeId: ticket.storeId } : {}),
  });
  await followUpLowRating(updated, rating.stars, rating.comment, now);
  return updated;
}

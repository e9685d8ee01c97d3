// What the social CRM reads about a customer's tickets and a store's after-sale work for the day.
import type { Types } from 'mongoose';
import { OPEN_STATES, type TicketState, type TicketType } from '@shared/tickets';
import { Ticket, TicketMessage } from './model';
import { LOW_RATING_MAX } from './ratingFollowUp';

export interface TicketFacts {
  open: boolean;
  /** The lowest rating the customer gave, if any. */
  lowestRating: number | undefined;
}

/** One equality lookup on the customer's tickets (indexed). */
export async function ticketFactsOf(customerId: Types.ObjectId): Promise<TicketFacts> {
  const tickets = await Ticket.find({ customerId }, { state: 1, rating: 1 }).limit(500).lean();
  const ratings = tickets.map((t) => t.rating?.stars).filter((s): s is number => typeof s === 'number');
  return {
    open: tickets.some((t) => (OPEN_STATES as readonly string[]).includes(t.state)),
    lowestRating: ratings.length ? Math.min(...ratings) : undefined,
  };
}

/** The customer's tickets for the staff view, newest first. */
export async function ticketsOfCustomer(customerId: Types.ObjectId, limit = 20) {
  const tickets = await Ticket.find({ customerId }, { type: 1, state: 1, createdAt: 1, rating: 1, storeId: 1 })
    .sort({ createdAt: -1 })
    .limit(limit)
    .lean();
  return tickets.map((t) => ({
    id: t._id.toString(),
    type: t.type,
    state: t.state,
    createdAt: t.createdAt,
    rating: t.rating?.stars ?? null,
    storeId: t.storeId?.toString() ?? null,
  }));
}

/** The customer a ticket belongs to, and its store (for a link from a ticket to the customer). */
export async function ticketOwner(ticketId: Types.ObjectId): Promise<{ customerId: Types.ObjectId; storeId?: Types.ObjectId } | null> {
  const ticket = await Ticket.findById(ticketId, { customerId: 1, storeId: 1 }).lean();
  return ticket ? { customerId: ticket.customerId, ...(ticket.storeId ? { storeId: ticket.storeId } : {}) } : null;
}

export interface StoreWork {
  kind: 'sla_breached' | 'sla_at_risk' | 'complaint_escalated' | 'low_rating';
  ticketId: Types.ObjectId;
  customerId: Types.ObjectId;
  at: Date;
  ticketType: TicketType;
  ticketState: TicketState;
  /** Times escalated (complaint_escalated). */
  escalations?: number;
  /** The rating's stars (low_rating). */
  stars?: number;
}

/**
 * A store's after-sale work for today: open tickets at risk of or past their SLA, escalated
 * complaints, and low ratings nobody on the staff has answered since. Read by the store (an
 * indexed equality); the rest is decided here.
 */
export async function storeWorklist(storeId: Types.ObjectId, now = new Date()): Promise<StoreWork[]> {
  const tickets = await Ticket.find(
    { storeId },
    { customerId: 1, state: 1, type: 1, atRisk: 1, overdue: 1, sla: 1, escalations: 1, lastEscalatedAt: 1, rating: 1, createdAt: 1 },
  )
    .sort({ createdAt: -1 })
    .limit(2000)
    .lean();
  const work: StoreWork[] = [];
  for (const t of tickets) {
    const open = (OPEN_STATES as readonly string[]).includes(t.state);
    const base = { ticketId: t._id, customerId: t.customerId, ticketType: t.type as TicketType, ticketState: t.state as TicketState };
    if (open) {
      const due = t.sla?.nextDueAt;
      const breached = t.overdue || (due !== undefined && due !== null && due.getTime() <= now.getTime());
      if (breached) work.push({ ...base, kind: 'sla_breached', at: due ?? t.createdAt });
      else if (t.atRisk) work.push({ ...base, kind: 'sla_at_risk', at: due ?? t.createdAt });
      if (t.type === 'complaint' && (t.escalations ?? 0) > 0) {
        work.push({ ...base, kind: 'complaint_escalated', at: t.lastEscalatedAt ?? t.createdAt, escalations: t.escalations ?? 0 });
      }
    }
    const stars = t.rating?.stars;
    if (typeof stars === 'number' && stars <= LOW_RATING_MAX && t.rating?.at) {
      const answered = await TicketMessage.find({ ticketId: t._id }, { author: 1, at: 1 }).sort({ at: -1 }).limit(50).lean();
      const followedUp = answered.some(
        (m) => m.author?.kind !== undefined && m.author.kind !== 'customer' && m.author.kind !== 'system' && m.at > t.rating!.at!,
      );
      if (!followedUp) work.push({ ...base, kind: 'low_rating', at: t.rating.at, stars });
    }
  }
  return work;
}

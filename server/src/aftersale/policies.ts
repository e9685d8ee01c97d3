// Who may see and act on a ticket. The rules themselves are the state table in shared/tickets.ts
// (roleOn, canTransition, allowedActions): data, not ifs. This file only says how a ticket and a
// signed-in person are seen by those rules, for routes and services alike.
import type { Types } from 'mongoose';
import {
  canTransition,
  roleOn,
  type TicketAction,
  type TicketActor,
  type TicketRuleView,
  type TicketState,
  type TransitionData,
} from '@shared/tickets';
import { notFound } from '../platform/errors';
import type { RoleDoc } from '../staff';
import type { TicketDoc } from './model';

/** The ticket as the state table sees it. */
export const ticketRuleView = (ticket: TicketDoc): TicketRuleView => ({
  state: ticket.state as TicketState,
  customerId: String(ticket.customerId),
  storeId: ticket.storeId ? String(ticket.storeId) : null,
  resolvedAt: ticket.resolvedAt ?? null,
});

/** Every capacity a signed-in person may act in: as a customer, as staff of each store, as admin. */
export function actorsOf(customerId: Types.ObjectId | string, roles: Pick<RoleDoc, 'role' | 'storeId'>[]): TicketActor[] {
  const me = String(customerId);
  const actors: TicketActor[] = [{ kind: 'customer', customerId: me }];
  for (const grant of roles) {
    if (grant.role === 'admin') actors.push({ kind: 'admin', adminId: me });
    else if (grant.storeId)
      actors.push({ kind: 'staff', staffId: me, role: grant.role as 'clerk' | 'manager', storeId: String(grant.storeId) });
  }
  return actors;
}

export const ticketPolicy = {
  /** The first capacity that has any business with this ticket (customers first), or none. */
  actorOn: (actors: TicketActor[], ticket: TicketDoc): TicketActor | undefined => actors.find((a) => roleOn(ticketRuleView(ticket), a)),

  /** As actorOn, but a ticket that is not theirs is not acknowledged to exist: 404. */
  requireActorOn(actors: TicketActor[], ticket: TicketDoc | null): TicketActor {
    const actor = ticket ? ticketPolicy.actorOn(actors, ticket) : undefined;
    if (!ticket || !actor) throw notFound('No such ticket.');
    return actor;
  },

  /** A staff or admin capacity on the ticket (priority changes), or 404. */
  requireStaffOn(actors: TicketActor[], ticket: TicketDoc | null): TicketActor {
    return ticketPolicy.requireActorOn(
      actors.filter((a) => a.kind !== 'customer'),
      ticket,
    );
  },

  /** The capacity in which the person may take this action; otherwise the first relevant one, to explain why not. */
  actorFor(actors: TicketActor[], ticket: TicketDoc, action: TicketAction, data: TransitionData, now: Date): TicketActor {
    const view = ticketRuleView(ticket);
    return actors.find((a) => canTransition(view, action, a, data, now).ok) ?? ticketPolicy.requireActorOn(actors, ticket);
  },
};

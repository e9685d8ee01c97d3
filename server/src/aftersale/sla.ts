import type { SlaBadge, TicketPriority, TicketState } from '@shared/tickets';

const HOUR = 60 * 60 * 1000;

/**
 * Service levels by priority, in one place: how soon staff must first answer and how soon the
 * ticket must be resolved, counted from submission (or from a reopen).
 */
export const SLA_TABLE: Record<TicketPriority, { firstResponseMs: number; resolutionMs: number }> = {
  urgent: { firstResponseMs: 1 * HOUR, resolutionMs: 8 * HOUR },
  high: { firstResponseMs: 4 * HOUR, resolutionMs: 24 * HOUR },
  normal: { firstResponseMs: 24 * HOUR, resolutionMs: 72 * HOUR },
  low: { firstResponseMs: 72 * HOUR, resolutionMs: 168 * HOUR },
};

/** Share of a deadline's time after which a ticket counts as at risk. */
export const AT_RISK_FRACTION = 0.75;

export type SlaClock = 'firstResponse' | 'resolution';
export type SlaLevel = 'none' | 'at_risk' | 'overdue';

/** States in which each clock can raise an alarm (waiting on the customer raises none). */
export const CLOCK_STATES: Record<SlaClock, TicketState[]> = {
  firstResponse: ['submitted', 'accepted', 'in_progress'],
  resolution: ['submitted', 'accepted', 'in_progress'],
};

export interface SlaDeadlines {
  firstResponseDue: Date;
  firstResponseRiskAt: Date;
  resolutionDue: Date;
  resolutionRiskAt: Date;
}

export function slaDeadlines(priority: TicketPriority, startedAt: Date): SlaDeadlines {
  const { firstResponseMs, resolutionMs } = SLA_TABLE[priority];
  const t = startedAt.getTime();
  return {
    firstResponseDue: new Date(t + firstResponseMs),
    firstResponseRiskAt: new Date(t + Math.round(firstResponseMs * AT_RISK_FRACTION)),
    resolutionDue: new Date(t + resolutionMs),
    resolutionRiskAt: new Date(t + Math.round(resolutionMs * AT_RISK_FRACTION)),
  };
}

export interface TicketSlaView {
  state: TicketState;
  sla?: {
    firstRespondedAt?: Date | null;
    firstResponseDue?: Date | null;
    firstResponseRiskAt?: Date | null;
    resolutionDue?: Date | null;
    resolutionRiskAt?: Date | null;
  } | null;
}

/** The badge the staff inbox shows, read from the deadlines with the given clock. */
export function slaBadge(ticket: TicketSlaView, now: Date): SlaBadge {
  if (!CLOCK_STATES.resolution.includes(ticket.state) || !ticket.sla) return 'none';
  const clocks: Array<[Date | null | undefined, Date | null | undefined]> = [[ticket.sla.resolutionRiskAt, ticket.sla.resolutionDue]];
  if (!ticket.sla.firstRespondedAt) clocks.push([ticket.sla.firstResponseRiskAt, ticket.sla.firstResponseDue]);
  let badge: SlaBadge = 'on_track';
  for (const [riskAt, due] of clocks) {
    if (due && now >= due) return 'overdue';
    if (riskAt && now >= riskAt) badge = 'at_risk';
  }
  return badge;
}

/** The deadline that comes next while the ticket is open: what the inbox sorts on. */
export function nextDueAt(sla: { firstRespondedAt?: Date | null; firstResponseDue: Date; resolutionDue: Date }): Date {
  if (sla.firstRespondedAt) return sla.resolutionDue;
  return sla.firstResponseDue < sla.resolutionDue ? sla.firstResponseDue : sla.resolutionDue;
}

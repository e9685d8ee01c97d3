import type { PeriodicJob } from '../platform/jobs/periodic';
import type { TicketState } from '@shared/tickets';
import { withLock } from './lock';
import { Ticket, type TicketDoc } from './model';
import { recordNotification } from './notifications';
import { CLOCK_STATES, type SlaClock, type SlaLevel } from './sla';
import { ticketNumber } from './service';

const BATCH = 200;

export interface SlaPassResult {
  atRisk: number;
  overdue: number;
  notified: number;
}

const CLOCK_LABEL: Record<SlaClock, string> = { firstResponse: '首次响应', resolution: '解决' };

/**
 * One pass over the open tickets: raises each clock's alarm level (none → at_risk → overdue), sets the
 * ticket's flags and records one notification per ticket, clock cycle and level. Safe to run twice or
 * on two instances at once: the notification's unique key and the level guard keep every effect single.
 */
export async function runSlaPass(now: Date): Promise<SlaPassResult> {
  const result: SlaPassResult = { atRisk: 0, overdue: 0, notified: 0 };
  for (const clock of ['firstResponse', 'resolution'] as const) {
    for (const level of ['overdue', 'at_risk'] as const) {
      const filter: Record<string, unknown> = {
        state: { $in: CLOCK_STATES[clock] },
        [`sla.${clock}Level`]: level === 'overdue' ? { $in: ['none', 'at_risk'] } : 'none',
        [level === 'overdue' ? `sla.${clock}Due` : `sla.${clock}RiskAt`]: { $lte: now },
      };
      if (clock === 'firstResponse') filter['sla.firstRespondedAt'] = null;
      // Each handled ticket leaves the filter, so the loop ends; a ticket another instance handles does too.
      for (;;) {
        const tickets = await Ticket.find(filter).limit(BATCH).select({ history: 0 }).lean<TicketDoc[]>();
        if (!tickets.length) break;
        for (const ticket of tickets) {
          const raised = await raiseLevel(ticket, clock, level, now);
          if (raised.notified) result.notified++;
          if (raised.changed) result[level === 'overdue' ? 'overdue' : 'atRisk']++;
        }
        if (tickets.length < BATCH) break;
      }
    }
  }
  return result;
}

async function raiseLevel(ticket: TicketDoc, clock: SlaClock, level: Exclude<SlaLevel, 'none'>, now: Date) {
  const cycle = ticket.sla?.cycle ?? 0;
  const due = clock === 'firstResponse' ? ticket.sla?.firstResponseDue : ticket.sla?.resolutionDue;
  // Notify first: if the pass dies here, the next pass finds the level unchanged and the key stops a repeat.
  const notified = await recordNotification({
    dedupeKey: `${ticket._id}:sla:${cycle}:${clock}:${level}`,
    storeId: ticket.storeId,
    customerId: ticket.customerId,
    ticketId: ticket._id,
    kind: level === 'overdue' ? 'sla.overdue' : 'sla.at_risk',
    title: `工单 #${ticketNumber(ticket._id)} ${CLOCK_LABEL[clock]}${level === 'overdue' ? '已超时' : '即将超时'}`,
    data: { clock, level, due, priority: ticket.priority },
    at: now,
  });
  const changed = await withLock(`ticket:${ticket._id}`, async () => {
    const current = await Ticket.findById(ticket._id).select({ history: 0 }).lean<TicketDoc>();
    const currentLevel = current?.sla?.[`${clock}Level`] ?? 'none';
    // Re-checked under the lock: a transition or a priority change may have moved on meanwhile.
    if (!current || (current.sla?.cycle ?? 0) !== cycle || currentLevel === level || currentLevel === 'overdue') return false;
    if (!CLOCK_STATES[clock].includes(current.state as TicketState)) return false;
    if (clock === 'firstResponse' && current.sla?.firstRespondedAt) return false;
    const set: Record<string, unknown> = { [`sla.${clock}Level`]: level, atRisk: true };
    if (level === 'overdue') set.overdue = true;
    const result = await Ticket.updateOne({ _id: ticket._id, version: current.version, 'sla.cycle': cycle }, { $set: set });
    return result.modifiedCount > 0;
  });
  return { notified, changed };
}

export const slaJob: PeriodicJob = {
  name: 'aftersale.sla',
  intervalMs: 60_000,
  run: async (now) => {
    await runSlaPass(now);
  },
};

import { describe, expect, it } from 'vitest';
import {
  TICKET_ACTIONS,
  TICKET_ROLES,
  TICKET_STATES,
  allowedActions,
  canTransition,
  createTicketSchema,
  ticketMessageSchema,
  type TicketActor,
  type TicketRole,
  type TicketRuleView,
} from './tickets';

const now = new Date('2030-03-01T12:00:00Z');
const customerId = 'c'.repeat(24);
const storeId = 'a'.repeat(24);

const actors: Record<TicketRole, TicketActor> = {
  customer: { kind: 'customer', customerId },
  clerk: { kind: 'staff', staffId: '1'.repeat(24), role: 'clerk', storeId },
  manager: { kind: 'staff', staffId: '2'.repeat(24), role: 'manager', storeId },
  admin: { kind: 'admin', adminId: '3'.repeat(24) },
};

// Written out by hand from the product rules, not derived from the table under test:
// "state action -> target : roles".
const EXPECTED = `
submitted accept -> accepted : clerk manager admin
submitted reject -> rejected : clerk manager admin
submitted cancel -> cancelled : customer
accepted start -> in_progress : clerk manager admin
accepted reject -> rejected : clerk manager admin
in_progress request_info -> awaiting_customer : clerk manager admin
in_progress resolve -> resolved : clerk manager admin
awaiting_customer resume -> in_progress : customer clerk manager admin
resolved close -> closed : customer clerk manager admin
resolved reopen -> in_progress : customer
closed reopen -> in_progress : customer
`;
const allowed = new Map<string, string>();
for (const line of EXPECTED.trim().split('\n')) {
  const [, state, action, to, roles] = /^(\S+) (\S+) -> (\S+) : (.+)$/.exec(line)!;
  for (const role of roles!.split(' ')) allowed.set(`${state} ${action} ${role}`, to!);
}

const ticketIn = (state: (typeof TICKET_STATES)[number]): TicketRuleView => ({
  state,
  customerId,
  storeId,
  resolvedAt: new Date(now.getTime() - 24 * 3600 * 1000),
});

describe('ticket state machine', () => {
  const cases = TICKET_STATES.flatMap((state) =>
    TICKET_ACTIONS.flatMap((action) => TICKET_ROLES.map((role) => [state, action, role] as const)),
  );

  it.each(cases)('%s + %s by %s', (state, action, role) => {
    const check = canTransition(ticketIn(state), action, actors[role], { reason: 'r', resolution: 'r' }, now);
    const target = allowed.get(`${state} ${action} ${role}`);
    if (target) {
      expect(check).toMatchObject({ ok: true, role, transition: { to: target } });
    } else {
      expect(check.ok).toBe(false);
    }
  });

  it('covers every state × action × role', () => {
    expect(cases).toHaveLength(8 * 9 * 4);
  });

  it('gives a stranger no action on any state', () => {
    const strangers: TicketActor[] = [
      { kind: 'customer', customerId: 'd'.repeat(24) },
      { kind: 'staff', staffId: '4'.repeat(24), role: 'manager', storeId: 'b'.repeat(24) },
      { kind: 'system' },
    ];
    for (const state of TICKET_STATES) {
      for (const stranger of strangers) {
        expect(allowedActions(ticketIn(state), stranger, now)).toEqual([]);
        for (const action of TICKET_ACTIONS) {
          expect(canTransition(ticketIn(state), action, stranger, { reason: 'r', resolution: 'r' }, now)).toMatchObject({
            ok: false,
            refusal: 'NO_ROLE',
          });
        }
      }
    }
  });

  it('lists the buttons each role sees', () => {
    expect(allowedActions(ticketIn('submitted'), actors.customer, now)).toEqual(['cancel']);
    expect(allowedActions(ticketIn('submitted'), actors.clerk, now)).toEqual(['accept', 'reject']);
    expect(allowedActions(ticketIn('resolved'), actors.customer, now)).toEqual(['close', 'reopen']);
    expect(allowedActions(ticketIn('cancelled'), actors.admin, now)).toEqual([]);
  });

  it('lets the customer reopen only within 7 days of resolution', () => {
    const day = 24 * 3600 * 1000;
    const resolvedAgo = (ms: number) => ({ ...ticketIn('resolved'), resolvedAt: new Date(now.getTime() - ms) });
    expect(canTransition(resolvedAgo(7 * day), 'reopen', actors.customer, { reason: 'still broken' }, now).ok).toBe(true);
    expect(canTransition(resolvedAgo(7 * day + 1), 'reopen', actors.customer, { reason: 'still broken' }, now)).toMatchObject({
      ok: false,
      refusal: 'REOPEN_WINDOW_PASSED',
    });
    expect(canTransition({ ...ticketIn('closed'), resolvedAt: null }, 'reopen', actors.customer, { reason: 'x' }, now).ok).toBe(false);
  });

  it('requires a reason to reject and a resolution to resolve', () => {
    expect(canTransition(ticketIn('submitted'), 'reject', actors.clerk, {}, now)).toMatchObject({
      ok: false,
      refusal: 'MISSING_FIELD',
      field: 'reason',
    });
    expect(canTransition(ticketIn('submitted'), 'reject', actors.clerk, { reason: '   ' }, now).ok).toBe(false);
    expect(canTransition(ticketIn('in_progress'), 'resolve', actors.manager, { reason: 'x' }, now)).toMatchObject({
      ok: false,
      field: 'resolution',
    });
  });
});

describe('ticket schemas', () => {
  it('accepts a minimal ticket and fills defaults', () => {
    const parsed = createTicketSchema.parse({ storeId, type: 'repair', description: '拉链坏了' });
    expect(parsed.contact).toEqual({ preference: 'wechat' });
    expect(parsed.photos).toEqual([]);
  });

  it('refuses a phone preference without a phone, unknown types and empty descriptions', () => {
    expect(createTicketSchema.safeParse({ storeId, type: 'repair', description: 'x', contact: { preference: 'phone' } }).success).toBe(
      false,
    );
    expect(createTicketSchema.safeParse({ storeId, type: 'upgrade', description: 'x' }).success).toBe(false);
    expect(createTicketSchema.safeParse({ storeId, type: 'repair', description: '   ' }).success).toBe(false);
  });

  it('requires a well-formed idempotency key on messages', () => {
    expect(ticketMessageSchema.safeParse({ text: 'hi', idempotencyKey: 'short' }).success).toBe(false);
    expect(ticketMessageSchema.safeParse({ text: 'hi', idempotencyKey: 'msg-0001-abc' }).success).toBe(true);
  });
});

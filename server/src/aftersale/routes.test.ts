import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/helpers';
import { signInTwoStoreCast, type SignedIn } from '../../test/session';

let app: TestApp;
let admin: SignedIn;
let customer: SignedIn;
let stranger: SignedIn;
let clerk: SignedIn;
let otherClerk: SignedIn;
let storeId: string;

beforeAll(async () => {
  app = await startTestApp({ ADMIN_OPENIDS: 'as-admin', LOG_LEVEL: 'error' });
  ({ admin, customer, stranger, clerk, otherClerk, storeId } = await signInTwoStoreCast(app, 'as'));
});
afterAll(async () => {
  await app?.close();
});

const openTicket = async () => {
  const res = await app.request('POST', '/api/v1/tickets', {
    token: customer.token,
    body: { storeId, type: 'repair', description: '手表进水了', orderRef: 'SO-1001' },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; allowedActions: string[]; state: string };
};

describe('ticket API', () => {
  it('needs a session and valid input; bad input changes nothing', async () => {
    expect((await app.request('GET', '/api/v1/tickets')).status).toBe(401);
    const bad = await app.request('POST', '/api/v1/tickets', {
      token: customer.token,
      body: { storeId, type: 'upgrade', description: '' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect(bad.body.error.fields.map((f: { path: string }) => f.path)).toEqual(expect.arrayContaining(['body.type', 'body.description']));
    const unknownStore = await app.request('POST', '/api/v1/tickets', {
      token: customer.token,
      body: { storeId: 'f'.repeat(24), type: 'repair', description: 'x' },
    });
    expect(unknownStore.status).toBe(400);
    expect((await app.request('GET', '/api/v1/tickets', { token: customer.token })).body.items).toHaveLength(0);
  });

  it('shows each person only what is theirs, with the buttons they may press', async () => {
    const ticket = await openTicket();
    expect(ticket.allowedActions).toEqual(['cancel']);
    const asClerk = await app.request('GET', `/api/v1/tickets/${ticket.id}`, { token: clerk.token });
    expect(asClerk.status).toBe(200);
    expect(asClerk.body.allowedActions).toEqual(['accept', 'reject']);
    expect((await app.request('GET', `/api/v1/tickets/${ticket.id}`, { token: stranger.token })).status).toBe(404);
    expect((await app.request('GET', `/api/v1/tickets/${ticket.id}`, { token: otherClerk.token })).status).toBe(404);
    expect((await app.request('GET', '/api/v1/tickets/not-an-id', { token: customer.token })).status).toBe(404);
  });

  it('lets exactly one of 10 concurrent HTTP accepts win; the rest get 409', async () => {
    const ticket = await openTicket();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        app.request('POST', `/api/v1/tickets/${ticket.id}/transitions`, {
          token: i % 2 ? clerk.token : admin.token,
          body: { action: 'accept' },
        }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    const losers = results.filter((r) => r.status !== 200);
    expect(losers.map((r) => r.status)).toEqual(Array(9).fill(409));
    for (const r of losers) expect(r.body.error.code).toMatch(/^(INVALID_TRANSITION|TICKET_CHANGED)$/);
  });

  it('answers 403 to a role that may not act, 400 without a reason, 409 from the wrong state', async () => {
    const ticket = await openTicket();
    const tr = (who: SignedIn, body: unknown) =>
      app.request('POST', `/api/v1/tickets/${ticket.id}/transitions`, { token: who.token, body });
    expect((await tr(customer, { action: 'accept' })).status).toBe(403);
    const noReason = await tr(clerk, { action: 'reject' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.fields[0].path).toBe('body.reason');
    expect((await tr(clerk, { action: 'resolve', resolution: 'x' })).status).toBe(409);
    expect((await tr(stranger, { action: 'cancel' })).status).toBe(404);
    const rejected = await tr(clerk, { action: 'reject', reason: '不在保修范围' });
    expect(rejected.status).toBe(200);
    expect(rejected.body.state).toBe('rejected');
  });

  it('keeps one copy of a retried message and shows the conversation to both sides', async () => {
    const ticket = await openTicket();
    const send = () =>
      app.request('POST', `/api/v1/tickets/${ticket.id}/messages`, {
        token: customer.token,
        body: { text: '多久能修好？', idempotencyKey: 'retry-me-123' },
      });
    const first = await send();
    const again = await send();
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body.id).toBe(first.body.id);
    const reply = await app.request('POST', `/api/v1/tickets/${ticket.id}/messages`, {
      token: clerk.token,
      body: { text: '预计三天', idempotencyKey: 'clerk-reply-1' },
    });
    expect(reply.status).toBe(201);
    const list = await app.request('GET', `/api/v1/tickets/${ticket.id}/messages`, { token: customer.token });
    expect(list.body.items.map((m: { from: string }) => m.from)).toEqual(['customer', 'staff']);
    const detail = await app.request('GET', `/api/v1/tickets/${ticket.id}`, { token: customer.token });
    expect(detail.body.sla.firstRespondedAt).not.toBeNull();
  });

  it('gives staff an inbox of their store, most pressing first', async () => {
    const inbox = await app.request('GET', '/api/v1/staff/tickets', { token: clerk.token });
    expect(inbox.status).toBe(200);
    expect(inbox.body.items.length).toBeGreaterThan(0);
    expect(inbox.body.items.every((t: { storeId: string }) => t.storeId === storeId)).toBe(true);
    const dues = inbox.body.items.map((t: { sla: { firstRespondedAt: string | null; firstResponseDue: string; resolutionDue: string } }) =>
      t.sla.firstRespondedAt ? t.sla.resolutionDue : t.sla.firstResponseDue,
    );
    expect([...dues].sort()).toEqual(dues);
    expect((await app.request('GET', '/api/v1/staff/tickets', { token: customer.token })).status).toBe(403);
    expect((await app.request('GET', `/api/v1/staff/tickets?storeId=${storeId}`, { token: otherClerk.token })).status).toBe(403);
    expect((await app.request('GET', '/api/v1/staff/notifications', { token: clerk.token })).status).toBe(200);
  });
});

import mongoose, { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketActor } from '@shared/tickets';
import { testDatabaseUri } from '../../test/helpers';
import { Customer, TimelineEntry } from '../customers/model';
import { listTimeline } from '../customers/service';
import { DomainError } from '../platform/errors';
import { HTTP_STATUS } from '../platform/http/errors';
import { TicketMessage, initAftersaleModels } from './model';
import { createTicket, getTicket, listMessages, postMessage, rateTicket, setPriority, transition } from './service';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

beforeAll(async () => {
  await mongoose.connect(testDatabaseUri());
  await Promise.all([initAftersaleModels(), Customer.init(), TimelineEntry.init()]);
});
afterAll(async () => {
  await mongoose.disconnect();
});

function people() {
  const customerId = new Types.ObjectId();
  const storeId = new Types.ObjectId();
  const customer: TicketActor = { kind: 'customer', customerId: String(customerId) };
  const clerk: TicketActor = { kind: 'staff', staffId: String(new Types.ObjectId()), role: 'clerk', storeId: String(storeId) };
  const manager: TicketActor = { kind: 'staff', staffId: String(new Types.ObjectId()), role: 'manager', storeId: String(storeId) };
  const otherStoreClerk: TicketActor = {
    kind: 'staff',
    staffId: String(new Types.ObjectId()),
    role: 'clerk',
    storeId: String(new Types.ObjectId()),
  };
  return { customerId, storeId, customer, clerk, manager, otherStoreClerk };
}

const newTicket = (customerId: Types.ObjectId, storeId: Types.ObjectId, at = new Date(), type: 'repair' | 'complaint' = 'repair') =>
  createTicket(
    customerId,
    { storeId: String(storeId), type, description: '洗衣机不脱水', photos: [], contact: { preference: 'wechat' } },
    { at },
  );

async function expectAppError(promise: Promise<unknown>, status: number, code?: string) {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  expect(HTTP_STATUS[(err as DomainError).code]).toBe(status);
  if (code) expect((err as DomainError).code).toBe(code);
}

describe('createTicket', () => {
  it('opens a submitted ticket with deadlines by priority and a timeline entry', async () => {
    const { customerId, storeId } = people();
    const at = new Date('2030-01-01T00:00:00Z');
    const ticket = await newTicket(customerId, storeId, at);
    expect(ticket.state).toBe('submitted');
    expect(ticket.priority).toBe('normal');
    expect(ticket.sla?.firstResponseDue?.toISOString()).toBe('2030-01-02T00:00:00.000Z');
    expect(ticket.sla?.resolutionDue?.toISOString()).toBe('2030-01-04T00:00:00.000Z');
    const complaint = await newTicket(customerId, storeId, at, 'complaint');
    expect(complaint.priority).toBe('high');
    expect(complaint.sla?.firstResponseDue?.toISOString()).toBe('2030-01-01T04:00:00.000Z');
    const timeline = await listTimeline(customerId);
    expect(timeline.filter((e) => e.type === 'ticket.created')).toHaveLength(2);
  });
});

describe('transition', () => {
  it('lets exactly one of 10 concurrent accepts win; the rest get 409', async () => {
    const { customerId, storeId, clerk, manager } = people();
    const ticket = await newTicket(customerId, storeId);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => transition(ticket._id, 'accept', i % 2 ? clerk : manager)),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(9);
    for (const r of lost) expect(HTTP_STATUS[(r.reason as DomainError).code]).toBe(409);
    const stored = await getTicket(ticket._id);
    expect(stored?.state).toBe('accepted');
    expect(stored?.history.filter((h) => h.action === 'accept')).toHaveLength(1);
    const timeline = await listTimeline(customerId, { types: ['ticket.accept'] });
    expect(timeline).toHaveLength(1);
  });

  it('runs a ticket through its life and records every step on the ticket and the timeline', async () => {
    const { customerId, storeId, customer, clerk, manager } = people();
    const t0 = new Date('2030-02-01T00:00:00Z');
    const at = (h: number) => new Date(t0.getTime() + h * HOUR);
    const ticket = await newTicket(customerId, storeId, t0);
    await transition(ticket._id, 'accept', clerk, {}, at(1));
    await transition(ticket._id, 'start', clerk, {}, at(2));
    await transition(ticket._id, 'request_info', clerk, { reason: '请提供购买凭证' }, at(3));
    await transition(ticket._id, 'resume', customer, {}, at(4));
    await transition(ticket._id, 'resolve', manager, { resolution: '已更换电机' }, at(5));
    const reopened = await transition(ticket._id, 'reopen', customer, { reason: '又坏了' }, at(6 * 24));
    expect(reopened.state).toBe('in_progress');
    // A reopen owes a new resolution on a fresh clock.
    expect(reopened.sla?.resolutionDue?.getTime()).toBe(at(6 * 24).getTime() + 72 * HOUR);
    await transition(ticket._id, 'resolve', manager, { resolution: '上门维修完成' }, at(7 * 24));
    const closed = await transition(ticket._id, 'close', customer, {}, at(7 * 24 + 1));
    expect(closed.state).toBe('closed');
    expect(closed.sla?.firstRespondedAt?.getTime()).toBe(at(1).getTime());
    expect(closed.history.map((h) => h.action)).toEqual([
      'create',
      'accept',
      'start',
      'request_info',
      'resume',
      'resolve',
      'reopen',
      'resolve',
      'close',
    ]);
    expect(closed.history[3]).toMatchObject({ reason: '请提供购买凭证', actor: { kind: 'staff', role: 'clerk' } });
    const timeline = await listTimeline(customerId);
    expect(timeline.map((e) => e.type).reverse()).toEqual([
      'ticket.created',
      'ticket.accept',
      'ticket.start',
      'ticket.request_info',
      'ticket.resume',
      'ticket.resolve',
      'ticket.reopen',
      'ticket.resolve',
      'ticket.close',
    ]);
  });

  it('refuses by role, by state, for strangers, without a reason, and after the reopen window', async () => {
    const { customerId, storeId, customer, clerk, otherStoreClerk } = people();
    const t0 = new Date('2030-03-01T00:00:00Z');
    const ticket = await newTicket(customerId, storeId, t0);
    await expectAppError(transition(ticket._id, 'accept', customer, {}, t0), 403, 'FORBIDDEN');
    await expectAppError(transition(ticket._id, 'accept', otherStoreClerk, {}, t0), 404, 'NOT_FOUND');
    await expectAppError(transition(ticket._id, 'reject', clerk, {}, t0), 400, 'VALIDATION_FAILED');
    await expectAppError(transition(ticket._id, 'resolve', clerk, { resolution: 'x' }, t0), 409, 'INVALID_TRANSITION');
    await expectAppError(transition(new Types.ObjectId(), 'accept', clerk), 404);
    expect((await getTicket(ticket._id))?.version).toBe(0); // nothing changed

    await transition(ticket._id, 'accept', clerk, {}, t0);
    await transition(ticket._id, 'start', clerk, {}, t0);
    await transition(ticket._id, 'resolve', clerk, { resolution: 'done' }, t0);
    await expectAppError(
      transition(ticket._id, 'reopen', customer, { reason: 'no' }, new Date(t0.getTime() + 8 * DAY)),
      409,
      'REOPEN_WINDOW_PASSED',
    );
  });

  it('rejects a ticket straight away, the rejection being the first response', async () => {
    const { customerId, storeId, clerk } = people();
    const ticket = await newTicket(customerId, storeId);
    const rejected = await transition(ticket._id, 'reject', clerk, { reason: '超出保修期' });
    expect(rejected).toMatchObject({ state: 'rejected', atRisk: false, overdue: false });
    expect(rejected.sla?.firstRespondedAt).toBeInstanceOf(Date);
    expect(rejected.sla?.nextDueAt).toBeUndefined();
  });

  it('lets the customer cancel only before acceptance', async () => {
    const { customerId, storeId, customer, clerk } = people();
    const a = await newTicket(customerId, storeId);
    expect((await transition(a._id, 'cancel', customer)).state).toBe('cancelled');
    const b = await newTicket(customerId, storeId);
    await transition(b._id, 'accept', clerk);
    await expectAppError(transition(b._id, 'cancel', customer), 409, 'INVALID_TRANSITION');
  });
});

describe('ticket messages', () => {
  it('stores a message once however often it is retried, even concurrently', async () => {
    const { customerId, storeId, customer } = people();
    const ticket = await newTicket(customerId, storeId);
    const posts = await Promise.all(
      Array.from({ length: 8 }, () => postMessage(ticket._id, customer, { text: '什么时候能修好？', idempotencyKey: 'key-0001-abc' })),
    );
    expect(new Set(posts.map((p) => String(p.message._id))).size).toBe(1);
    expect(posts.filter((p) => p.created)).toHaveLength(1);
    expect(await TicketMessage.countDocuments({ ticketId: ticket._id })).toBe(1);
    expect(await listTimeline(customerId, { types: ['ticket.message'] })).toHaveLength(1);
    await expectAppError(
      postMessage(ticket._id, customer, { text: '另一条', idempotencyKey: 'key-0001-abc' }),
      409,
      'IDEMPOTENCY_KEY_REUSED',
    );
  });

  it('counts a staff reply as the first response and keeps the conversation in order', async () => {
    const { customerId, storeId, customer, clerk, otherStoreClerk } = people();
    const t0 = new Date('2030-04-01T00:00:00Z');
    const ticket = await newTicket(customerId, storeId, t0);
    await postMessage(ticket._id, customer, { text: '在吗', idempotencyKey: 'cust-000001' }, new Date(t0.getTime() + 1000));
    await postMessage(ticket._id, clerk, { text: '您好，我们在处理', idempotencyKey: 'staff-00001' }, new Date(t0.getTime() + 2000));
    const stored = await getTicket(ticket._id);
    expect(stored?.sla?.firstRespondedAt?.getTime()).toBe(t0.getTime() + 2000);
    expect(stored?.sla?.nextDueAt?.getTime()).toBe(stored?.sla?.resolutionDue?.getTime());
    const messages = await listMessages(ticket._id, customer);
    expect(messages.map((m) => m.author?.kind)).toEqual(['customer', 'staff']);
    await expectAppError(listMessages(ticket._id, otherStoreClerk), 404);
  });

  it('puts a ticket back to work when the customer answers a question', async () => {
    const { customerId, storeId, customer, clerk } = people();
    const ticket = await newTicket(customerId, storeId);
    await transition(ticket._id, 'accept', clerk);
    await transition(ticket._id, 'start', clerk);
    await transition(ticket._id, 'request_info', clerk, { reason: '请发购买凭证' });
    await postMessage(ticket._id, customer, { text: '凭证在这里', idempotencyKey: 'answer-0001', photos: ['media:receipt-1'] });
    const stored = await getTicket(ticket._id);
    expect(stored?.state).toBe('in_progress');
    expect(stored?.history.at(-1)).toMatchObject({ action: 'resume', actor: { kind: 'customer' } });
  });

  it('refuses new messages on a closed ticket but still answers a retry of a stored one', async () => {
    const { customerId, storeId, customer } = people();
    const ticket = await newTicket(customerId, storeId);
    const first = await postMessage(ticket._id, customer, { text: '算了', idempotencyKey: 'before-close' });
    await transition(ticket._id, 'cancel', customer);
    const retry = await postMessage(ticket._id, customer, { text: '算了', idempotencyKey: 'before-close' });
    expect(retry).toMatchObject({ created: false });
    expect(String(retry.message._id)).toBe(String(first.message._id));
    await expectAppError(postMessage(ticket._id, customer, { text: '还在吗', idempotencyKey: 'after-close' }), 409, 'TICKET_CLOSED');
  });
});

describe('priority and rating', () => {
  it('moves the deadlines when staff raise the priority', async () => {
    const { customerId, storeId, clerk, customer } = people();
    const t0 = new Date('2030-05-01T00:00:00Z');
    const ticket = await newTicket(customerId, storeId, t0);
    const raised = await setPriority(ticket._id, 'urgent', clerk, { at: t0 });
    expect(raised?.sla?.firstResponseDue?.getTime()).toBe(t0.getTime() + HOUR);
    expect(raised?.sla?.resolutionDue?.getTime()).toBe(t0.getTime() + 8 * HOUR);
    await expectAppError(setPriority(ticket._id, 'low', customer), 403);
  });

  it('takes one rating per resolved ticket', async () => {
    const { customerId, storeId, clerk, customer } = people();
    const ticket = await newTicket(customerId, storeId);
    await expectAppError(rateTicket(ticket._id, customer, { stars: 5 }), 409);
    await transition(ticket._id, 'accept', clerk);
    await transition(ticket._id, 'start', clerk);
    await transition(ticket._id, 'resolve', clerk, { resolution: 'ok' });
    const results = await Promise.allSettled([1, 2, 3].map((s) => rateTicket(ticket._id, customer, { stars: s + 2 })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });
});

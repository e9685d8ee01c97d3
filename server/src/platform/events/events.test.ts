import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUri } from '../../../test/helpers';
import { emit, handlersOf, on, PendingEvent, retryPendingEvents } from '.';

beforeAll(async () => {
  await mongoose.connect(testDatabaseUri());
  await PendingEvent.init();
});
afterAll(() => mongoose.disconnect());

const later = (ms: number) => new Date(Date.now() + ms);

describe('domain events', () => {
  it('runs every handler, in order, before emit returns, and leaves nothing behind', async () => {
    const seen: string[] = [];
    on('customer.merged', 'test.first', async ({ from, into }) => void seen.push(`first ${from}>${into}`));
    on('customer.merged', 'test.second', async ({ from }) => void seen.push(`second ${from}`));
    const result = await emit('customer.merged', { from: 'a', into: 'b' });
    expect(result.failed).toEqual([]);
    expect(seen).toEqual(['first a>b', 'second a']);
    expect(handlersOf('customer.merged')).toEqual(['test.first', 'test.second']);
    expect(await PendingEvent.countDocuments()).toBe(0);
  });

  it('registering a name again replaces the handler', async () => {
    const seen: string[] = [];
    on('customer.merged', 'test.first', async () => void seen.push('replaced'));
    await emit('customer.merged', { from: 'c', into: 'd' });
    expect(seen).toEqual(['replaced']);
    expect(handlersOf('customer.merged').filter((n) => n === 'test.first')).toHaveLength(1);
  });

  it('records a failed handler, runs the others, and retries only the failed one until it succeeds', async () => {
    const calls: Record<string, number> = { flaky: 0, steady: 0 };
    let failuresLeft = 2;
    on('customer.erased', 'test.flaky', async () => {
      calls.flaky!++;
      if (failuresLeft-- > 0) throw new Error('database hiccup');
    });
    on('customer.erased', 'test.steady', async () => void calls.steady!++);

    const result = await emit('customer.erased', { customerId: 'x1' }, { id: 'customer.erased:x1' });
    expect(result.failed.map((f) => f.handler)).toEqual(['test.flaky']);
    expect(calls).toEqual({ flaky: 1, steady: 1 });
    const pending = await PendingEvent.findById('customer.erased:x1').lean();
    expect(pending?.pending).toEqual(['test.flaky']);
    expect(pending?.lastError?.message).toBe('database hiccup');

    // Not before its back-off…
    expect((await retryPendingEvents(new Date())).retried).toBe(0);
    // …then again, failing once more, then succeeding; the steady handler never runs twice.
    expect(await retryPendingEvents(later(60 * 60_000))).toEqual({ retried: 1, failed: 1 });
    expect(await retryPendingEvents(later(2 * 60 * 60_000))).toEqual({ retried: 1, failed: 0 });
    expect(calls).toEqual({ flaky: 3, steady: 1 });
    expect(await PendingEvent.countDocuments()).toBe(0);
  });

  it('finishes an event whose process died before its handlers ran', async () => {
    const seen: string[] = [];
    on('customer.erased', 'test.flaky', async ({ customerId }) => void seen.push(customerId));
    on('customer.erased', 'test.steady', async () => undefined);
    // What a process leaves when it dies right after writing the event down.
    await PendingEvent.create({
      _id: 'customer.erased:crashed',
      event: 'customer.erased',
      payload: { customerId: 'crashed' },
      at: new Date(),
      pending: ['test.flaky', 'test.steady'],
      notBefore: new Date(Date.now() + 60_000),
    });
    expect((await retryPendingEvents(new Date())).retried).toBe(0); // still owned by the emitting process
    expect(await retryPendingEvents(later(61_000))).toEqual({ retried: 1, failed: 0 });
    expect(seen).toEqual(['crashed']);
    expect(await PendingEvent.countDocuments()).toBe(0);
  });

  it('emitting the same event id again runs the handlers again (they are idempotent)', async () => {
    const seen: string[] = [];
    on('customer.erased', 'test.flaky', async ({ customerId }) => void seen.push(customerId));
    await emit('customer.erased', { customerId: 'y' }, { id: 'customer.erased:y' });
    await emit('customer.erased', { customerId: 'y' }, { id: 'customer.erased:y' });
    expect(seen).toEqual(['y', 'y']);
  });
});

import { setTimeout as sleep } from 'node:timers/promises';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUri } from '../../test/helpers';
import { AftersaleLock, withLock } from './lock';

beforeAll(async () => {
  await mongoose.connect(testDatabaseUri());
  await AftersaleLock.init();
});
afterAll(async () => {
  await mongoose.disconnect();
});

describe('withLock', () => {
  it('lets one holder at a time read-modify-write, so 20 concurrent increments all count', async () => {
    const counters = mongoose.connection.db!.collection<{ _id: string; n: number }>('lock_counters');
    await counters.insertOne({ _id: 'c', n: 0 });
    await Promise.all(
      Array.from({ length: 20 }, () =>
        withLock(
          'counter',
          async () => {
            const doc = await counters.findOne({ _id: 'c' });
            await sleep(1);
            await counters.updateOne({ _id: 'c' }, { $set: { n: doc!.n + 1 } });
          },
          // Mutual exclusion is the point here, not the wait: twenty in a row may take a while on a busy engine.
          { waitMs: 60_000 },
        ),
      ),
    );
    expect((await counters.findOne({ _id: 'c' }))?.n).toBe(20);
    expect(await AftersaleLock.countDocuments({ _id: 'counter' })).toBe(0);
  }, 90_000);

  it('releases the lock when the work throws', async () => {
    await expect(withLock('throws', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await withLock('throws', async () => 'again')).toBe('again');
  });

  it('takes over a lock whose holder died', async () => {
    await AftersaleLock.create({ _id: 'abandoned', holder: 'dead-instance', until: new Date(Date.now() - 1000) });
    expect(await withLock('abandoned', async () => 'mine')).toBe('mine');
  });

  it('gives up with 503 when the lock stays busy', async () => {
    await AftersaleLock.create({ _id: 'busy', holder: 'someone', until: new Date(Date.now() + 60_000) });
    await expect(withLock('busy', async () => 'never', { waitMs: 50 })).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });
});

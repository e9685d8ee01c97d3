import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUri } from '../../../test/helpers';
import { hitRateLimit, RateLimitHit, sweepRateLimits } from './rateLimit';

beforeAll(async () => {
  await mongoose.connect(testDatabaseUri());
  await RateLimitHit.init();
});
afterAll(async () => {
  await mongoose.disconnect();
});

describe('rate limit', () => {
  it('lets exactly `max` of a concurrent burst through, per key and window', async () => {
    const limit = { name: 'burst', max: 10, windowMs: 60_000 };
    const now = new Date('2030-01-01T00:00:10Z');
    const results = await Promise.all(Array.from({ length: 40 }, () => hitRateLimit(limit, 'k1', now)));
    expect(results.filter(Boolean)).toHaveLength(10);
    // Races are timing-dependent: several more bursts, each on its own key, must hold too.
    for (const key of ['b1', 'b2', 'b3', 'b4']) {
      const burst = await Promise.all(Array.from({ length: 40 }, () => hitRateLimit(limit, key, now)));
      expect(burst.filter(Boolean), key).toHaveLength(10);
    }
    // Another key, and the next window, start afresh.
    expect(await hitRateLimit(limit, 'k2', now)).toBe(true);
    expect(await hitRateLimit(limit, 'k1', new Date('2030-01-01T00:01:00Z'))).toBe(true);
  });

  it('sweeps finished windows only', async () => {
    await sweepRateLimits(new Date('2030-01-01T00:01:00Z'));
    expect(await RateLimitHit.countDocuments({})).toBe(1);
  });

  it('lets a burst under the limit through whole', async () => {
    const limit = { name: 'roomy', max: 60, windowMs: 60_000 };
    const results = await Promise.all(Array.from({ length: 40 }, () => hitRateLimit(limit, 'k', new Date())));
    expect(results.every(Boolean)).toBe(true);
  });
});

import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUri } from '../../../test/helpers';
import { Lease, releaseLease, tryAcquireLease } from './lease';

beforeAll(async () => {
  await mongoose.connect(testDatabaseUri());
  await Lease.init();
});
afterAll(async () => {
  await mongoose.disconnect();
});

describe('lease', () => {
  it('is held by exactly one of many concurrent contenders', async () => {
    const holders = Array.from({ length: 20 }, (_, i) => `instance-${i}`);
    const results = await Promise.all(holders.map((h) => tryAcquireLease('race', 60_000, h)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('is renewed by its holder and refused to others until it runs out', async () => {
    const t0 = new Date('2030-01-01T00:00:00Z');
    expect(await tryAcquireLease('renew', 1_000, 'a', t0)).toBe(true);
    expect(await tryAcquireLease('renew', 1_000, 'b', new Date(t0.getTime() + 500))).toBe(false);
    expect(await tryAcquireLease('renew', 1_000, 'a', new Date(t0.getTime() + 900))).toBe(true);
    expect(await tryAcquireLease('renew', 1_000, 'b', new Date(t0.getTime() + 1_500))).toBe(false);
    expect(await tryAcquireLease('renew', 1_000, 'b', new Date(t0.getTime() + 2_000))).toBe(true);
  });

  it('is taken over by exactly one contender when it runs out', async () => {
    const t0 = new Date('2031-01-01T00:00:00Z');
    expect(await tryAcquireLease('takeover', 1_000, 'old', t0)).toBe(true);
    const later = new Date(t0.getTime() + 5_000);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => tryAcquireLease('takeover', 1_000, `new-${i}`, later)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await tryAcquireLease('takeover', 1_000, 'old', later)).toBe(false);
  });

  it('can be handed over by releasing it', async () => {
    expect(await tryAcquireLease('handover', 60_000, 'a')).toBe(true);
    await releaseLease('handover', 'a');
    expect(await tryAcquireLease('handover', 60_000, 'b')).toBe(true);
  });
});

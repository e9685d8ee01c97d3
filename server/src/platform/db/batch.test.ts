import { describe, expect, it } from 'vitest';
import { createBatcher } from './batch';

/** A flush that records each batch and waits until released, answering each item with item * 10. */
function recorder() {
  const batches: number[][] = [];
  const releases: Array<() => void> = [];
  const flush = async (items: number[]) => {
    batches.push(items);
    await new Promise<void>((resolve) => releases.push(resolve));
    return items.map((n) => (n < 0 ? new Error(`refused ${n}`) : n * 10));
  };
  const releaseAll = async () => {
    while (releases.length) releases.shift()!();
    await new Promise((r) => setImmediate(r));
  };
  return { batches, releases, flush, releaseAll };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('createBatcher (group commit)', () => {
  it('sends a write at once when the line is free, and gathers the writes that arrive meanwhile into the next round trip', async () => {
    const r = recorder();
    const write = createBatcher<number, number>({ maxInFlight: 1, maxSize: 100, flush: r.flush });
    const first = write(1);
    await tick();
    expect(r.batches).toEqual([[1]]);
    const later = [2, 3, 4].map(write);
    await tick();
    expect(r.batches).toEqual([[1]]); // one round trip in flight at most
    await r.releaseAll();
    expect(await first).toBe(10);
    expect(r.batches).toEqual([[1], [2, 3, 4]]);
    await r.releaseAll();
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
  });

  it('keeps at most maxInFlight round trips going and cuts batches at maxSize', async () => {
    const r = recorder();
    const write = createBatcher<number, number>({ maxInFlight: 2, maxSize: 2, flush: r.flush });
    const all = [1, 2, 3, 4, 5, 6, 7].map(write);
    await tick();
    expect(r.batches).toEqual([
      [1, 2],
      [3, 4],
    ]);
    await r.releaseAll();
    expect(r.batches.slice(2)).toEqual([[5, 6], [7]]);
    await r.releaseAll();
    expect(await Promise.all(all)).toEqual([10, 20, 30, 40, 50, 60, 70]);
  });

  it('rejects only the item its outcome refuses, and the whole batch when the round trip fails', async () => {
    const r = recorder();
    const write = createBatcher<number, number>({ maxInFlight: 1, maxSize: 10, flush: r.flush });
    const results = [5, -1, 6].map((n) =>
      write(n).then(
        (v) => ({ v }),
        (e: Error) => ({ e: e.message }),
      ),
    );
    await tick();
    await r.releaseAll();
    expect(await Promise.all(results)).toEqual([{ v: 50 }, { e: 'refused -1' }, { v: 60 }]);

    let calls = 0;
    const flaky = createBatcher<number, number>({
      maxInFlight: 1,
      maxSize: 10,
      flush: async (items) => {
        calls++;
        if (calls === 1) throw new Error('engine away');
        return items.map((n) => n * 10);
      },
    });
    const both = await Promise.allSettled([flaky(1), flaky(2)]);
    expect(both.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    // The line is free again after a failed round trip.
    expect(await flaky(9)).toBe(90);
    expect(calls).toBe(2);
  });
});

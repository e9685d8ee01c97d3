// `npm run bench:segments`: segment counts on the embedded engine at 1,000 and at 100,000 customers.
// Seeds the CRM's per-customer keys (what the rules pass writes: tier, points ladder, follow state,
// activity, store, behaviour, brand tags) with insertMany, lets the engine build its GIN indexes,
// builds the segment index (as the rules pass does), then times the count of a few segments (median
// of 5) at each size and prints the ratio.
//
//   npm run bench:segments                     (embedded engine in a scratch directory)
//   BENCH_CUSTOMERS=20000 npm run bench:segments
//   MONGODB_URI=mongodb://… npm run bench:segments
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import mongoose, { Types } from 'mongoose';
import type { SegmentCondition } from '@shared/api/crm';
import { CustomerKey, KeyChunk, KeyIndex } from '../src/crm/model';
import { rebuildSegmentIndex } from '../src/crm/segmentIndex';
import { matchingIds } from '../src/crm/segments';
import { loadConfig } from '../src/platform/config';
import { startEmbeddedEngine, type EmbeddedEngine } from '../src/platform/db/embeddedEngine';
import { createLogger } from '../src/platform/logger';

const BASELINE = 1_000;
const LARGE = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
const STORES = Array.from({ length: 10 }, () => new Types.ObjectId().toString());
const TAG = new Types.ObjectId().toString();
const TIERS = ['regular', 'silver', 'gold', 'platinum'];

const SEGMENTS: Array<{ name: string; conditions: SegmentCondition[] }> = [
  { name: 'members (≈60%)', conditions: [{ kind: 'behaviour', behaviour: 'member', negate: false }] },
  {
    name: 'gold and following',
    conditions: [
      { kind: 'tier', tiers: ['gold'] },
      { kind: 'following', value: true },
    ],
  },
  {
    name: 'tag, ≥500 points, not active 30d',
    conditions: [
      { kind: 'tag', tagId: TAG, negate: false },
      { kind: 'points', atLeast: 500 },
      { kind: 'active', withinDays: 30, negate: true },
    ],
  },
  { name: 'one store (≈10%)', conditions: [{ kind: 'store', storeId: STORES[0]! }] },
];

/** A deterministic pseudo-random customer profile. */
function keysFor(i: number, at: Date) {
  // Independent draws per salt (a multiply-xorshift mix), 0–999.
  const r = (salt: number) => {
    let x = Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(salt, 0x85ebca77);
    x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d);
    x = Math.imul(x ^ (x >>> 12), 0x297a2d39);
    return ((x ^ (x >>> 15)) >>> 0) % 1000;
  };
  const customerId = new Types.ObjectId();
  const keys = ['all'];
  if (r(1) < 600) {
    keys.push('b:member', `tier:${TIERS[r(2) % TIERS.length]}`);
    const points = r(3) * 12;
    for (const n of [100, 200, 500, 1000, 2000, 5000, 10000]) if (points >= n) keys.push(`pts:${n}`);
  }
  if (r(4) < 700) keys.push('following');
  if (r(5) < 400) keys.push('active:7', 'active:30', 'active:90');
  keys.push(`store:${STORES[r(6) % STORES.length]}`);
  if (r(7) < 100) keys.push(`t:${TAG}`);
  if (r(8) < 150) keys.push('b:coupon_claimed');
  return keys.map((key) => ({ _id: `${key}|${customerId}`, key, customerId, source: 'auto', at }));
}

async function seed(customers: number, engine: EmbeddedEngine | undefined): Promise<number> {
  await CustomerKey.collection.drop().catch(() => undefined);
  await KeyChunk.collection.drop().catch(() => undefined);
  await KeyIndex.collection.drop().catch(() => undefined);
  await CustomerKey.init();
  await CustomerKey.createIndexes();
  const at = new Date();
  let docs = 0;
  const started = performance.now();
  let batch: ReturnType<typeof keysFor> = [];
  for (let i = 0; i < customers; i++) {
    batch.push(...keysFor(i, at));
    if (batch.length >= 5_000 || i === customers - 1) {
      await CustomerKey.insertMany(batch, { ordered: false, lean: true });
      docs += batch.length;
      batch = [];
    }
  }
  const seconds = (performance.now() - started) / 1000;
  await engine?.ensureIndexes();
  const indexStarted = performance.now();
  const built = await rebuildSegmentIndex();
  console.log(
    `  segment index built in ${((performance.now() - indexStarted) / 1000).toFixed(1)} s: ${built.keys} keys, ${built.chunks} chunks (the rules pass's background work)`,
  );
  console.log(`  seeded ${customers.toLocaleString()} customers: ${docs.toLocaleString()} keys in ${seconds.toFixed(1)} s`);
  return docs;
}

async function timeSegments(): Promise<number[]> {
  const medians: number[] = [];
  for (const segment of SEGMENTS) {
    const times: number[] = [];
    let count = 0;
    for (let run = 0; run < 5; run++) {
      const started = performance.now();
      count = (await matchingIds(segment.conditions)).length;
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    medians.push(times[2]!);
    console.log(`    ${segment.name.padEnd(34)} count ${String(count).padStart(7)}  median ${times[2]!.toFixed(1)} ms`);
  }
  return medians;
}

async function main() {
  const dataDir = await mkdtemp(path.join(process.env.BENCH_DATA_DIR ?? os.tmpdir(), 'loopline-bench-'));
  const base = loadConfig({ ...process.env, PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  let engine: EmbeddedEngine | undefined;
  try {
    engine = base.mongodbUri
      ? undefined
      : await startEmbeddedEngine({ dataDir, ferretdbBin: base.ferretdbBin, log: createLogger('error') });
    await mongoose.connect(base.mongodbUri ?? `${engine!.uri}/bench_segments_${Date.now()}`);
    console.log(`Segment counts (${engine ? 'embedded FerretDB/PostgreSQL' : 'MONGODB_URI'})`);
    console.log(`At ${BASELINE.toLocaleString()} customers (baseline):`);
    await seed(BASELINE, engine);
    const small = await timeSegments();
    console.log(`At ${LARGE.toLocaleString()} customers:`);
    await seed(LARGE, engine);
    const large = await timeSegments();
    console.log('Ratio (large / baseline), per segment:');
    for (const [i, segment] of SEGMENTS.entries()) {
      console.log(
        `    ${segment.name.padEnd(34)} ${(large[i]! / small[i]!).toFixed(1)}×  (${small[i]!.toFixed(1)} → ${large[i]!.toFixed(1)} ms)`,
      );
    }
    const worst = Math.max(...large);
    console.log(`Slowest count at ${LARGE.toLocaleString()}: ${worst.toFixed(0)} ms (target ≤ 1000 ms)`);
  } finally {
    await mongoose.disconnect().catch(() => undefined);
    await engine?.stop();
    await rm(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}

await main();

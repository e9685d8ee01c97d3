// `npm run bench:scale`: does the cost of a request path grow with the data? Two databases on one
// embedded engine (as `npm start` runs it, in a scratch DATA_DIR): a small one (1k customers, 1k
// documents per collection, 10k timeline entries) and a large one (100k customers, 100k sessions,
// identities, deliveries, coupons and tickets, 1M timeline entries), seeded with insertMany. Then the
// lookups each request path makes (test/hotQueries.ts), through the driver with the server's own
// connection settings, on random keys, at a fixed concurrency. Sizes alternate round by round so a
// change in the machine's load hits both alike. Prints per path and size: throughput, p50, p99, and
// the large/small cost ratio (target ≤ 1.5), plus EXPLAIN's verdict (no Seq Scan) at both sizes.
//
//   npm run bench:scale     BENCH_LARGE=100000 BENCH_OPS=600 BENCH_CONCURRENCY=8 BENCH_DATA_DIR=/tmp
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import mongoose, { type Connection } from 'mongoose';
import { connectDatabase } from '../src/platform/db/connection';
import { startEmbeddedEngine, type EmbeddedEngine } from '../src/platform/db/embeddedEngine';
import { pgClient } from '../src/platform/db/embeddedPostgres';
import { createLogger } from '../src/platform/logger';
import { fullScans, hotData, hotModels, hotQueries, seedHotData, type HotData } from '../test/hotQueries';

const LARGE = Number(process.env.BENCH_LARGE ?? 100_000);
const OPS = Number(process.env.BENCH_OPS ?? 600);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const ROUNDS = 3;
const TARGET_RATIO = 1.5;
const SMALL_TABLE_ROWS = 5_000;

const SIZES = [
  { label: '1k', size: 1_000 },
  { label: `${LARGE / 1_000}k`, size: LARGE },
].map(({ label, size }) => ({
  label,
  data: hotData(size, { customers: size, campaigns: Math.max(10, size / 100), timelinePerCustomer: 10, keywordRules: 200 }),
}));

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');

async function seed(connection: Connection, label: string, data: HotData, engine: EmbeddedEngine): Promise<void> {
  await Promise.all(Object.values(hotModels(connection)).map((m) => m.init()));
  // The GIN indexes exist before the rows go in (the engine would add them within seconds anyway).
  await engine.ensureIndexes();
  const started = performance.now();
  let last = started;
  const done = new Map<string, number>();
  await seedHotData(data, {
    connection,
    batch: 5_000,
    onProgress: (what, count) => {
      done.set(what, count);
      if (performance.now() - last > 10_000) {
        last = performance.now();
        const documents = [...done.values()].reduce((a, b) => a + b, 0);
        process.stdout.write(`  ${label}: ${documents.toLocaleString('en')} documents in ${((last - started) / 1000).toFixed(0)} s\n`);
      }
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const total = data.size * 5 + data.customers.length * (2 + data.timelinePerCustomer) + data.campaigns.length + data.keywordRules;
  console.log(`  ${label}: ${total.toLocaleString('en')} documents in ${seconds.toFixed(1)} s (${(total / seconds).toFixed(0)} docs/s)`);
}

/** OPS lookups of one path on random keys, CONCURRENCY at a time: latencies and the wall time. */
async function measure(run: (i: number) => Promise<unknown>, size: number, ops: number): Promise<{ latencies: number[]; ms: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < ops) {
        next++;
        const key = Math.floor(Math.random() * size);
        const t = performance.now();
        await run(key);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { latencies, ms: performance.now() - started };
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(path.join(process.env.BENCH_DATA_DIR ?? os.tmpdir(), 'loopline-scale-'));
  let engine: EmbeddedEngine | undefined;
  let failed = false;
  try {
    console.log(`load average at start: ${load()} (${os.cpus().length} cores)`);
    engine = await startEmbeddedEngine({ dataDir, log: createLogger('error') });
    await connectDatabase(`${engine.uri}/scale_probe`, { embedded: true });
    const connections = SIZES.map(({ label }) => mongoose.connection.useDb(`scale_${label}`, { useCache: true }));

    console.log('Seeding (insertMany, unordered, 5,000 per batch):');
    for (const [i, { label, data }] of SIZES.entries()) await seed(connections[i]!, label, data, engine);
    await engine.ensureIndexes();
    const pg = pgClient({ port: engine.postgres.port, password: engine.postgres.password });
    await pg.connect();
    try {
      // Fresh planner statistics (autovacuum would gather them in time on its own).
      await pg.query({ text: 'ANALYZE', query_timeout: 600_000 } as never);
    } finally {
      await pg.end();
    }

    const queries = SIZES.map(({ data }, i) => hotQueries(data, connections[i]));
    const paths = Object.keys(queries[0]!);

    console.log('EXPLAIN of every path at both sizes:');
    // A Seq Scan on a small table (a few hundred keyword rules or campaigns) is PostgreSQL's own
    // choice with the GIN index there: reading a few pages beats the index. It counts as a failure
    // from SMALL_TABLE_ROWS rows on.
    const found: Array<{ name: string; label: string; relation: string }> = [];
    for (const name of paths) {
      for (const [i, { label }] of SIZES.entries()) {
        for (const scan of fullScans(await queries[i]![name]!(7).explain('queryPlanner'))) {
          found.push({ name, label, relation: scan.replace(/^Seq Scan on /, '') });
        }
      }
    }
    const pgRows = pgClient({ port: engine.postgres.port, password: engine.postgres.password });
    await pgRows.connect();
    const scans: string[] = [];
    try {
      for (const { name, label, relation } of found) {
        const { rows } = await pgRows.query<{ rows: string }>(
          'SELECT c.reltuples::bigint AS rows FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2',
          [`scale_${label}`, relation],
        );
        const count = Number(rows[0]?.rows ?? 0);
        const small = count < SMALL_TABLE_ROWS;
        if (!small) scans.push(`${name} @ ${label}`);
        console.log(`  ${small ? 'small' : 'FAIL '} ${name} @ ${label}: Seq Scan on ${relation} (${count} rows)`);
      }
    } finally {
      await pgRows.end();
    }
    if (!found.length) console.log('  no sequential scan on any path');
    console.log(
      `Measuring: ${OPS} lookups per path and size on random keys, ${CONCURRENCY} at a time, sizes alternating over ${ROUNDS} rounds`,
    );
    const results = new Map<string, Array<{ latencies: number[]; ms: number }>>();
    for (const name of paths) {
      const perSize = SIZES.map(() => ({ latencies: [] as number[], ms: 0 }));
      // Warm-up: connections, plans, caches.
      for (const [i, { data }] of SIZES.entries()) await measure((k) => queries[i]![name]!(k).lean().exec(), data.size, 2 * CONCURRENCY);
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 ? [...SIZES.keys()].reverse() : [...SIZES.keys()];
        for (const i of order) {
          const r = await measure((k) => queries[i]![name]!(k).lean().exec(), SIZES[i]!.data.size, Math.ceil(OPS / ROUNDS));
          perSize[i]!.latencies.push(...r.latencies);
          perSize[i]!.ms += r.ms;
        }
      }
      results.set(name, perSize);
    }

    const [small, large] = SIZES.map((s) => s.label);
    console.log(`\n${'path'.padEnd(34)} | ${small} ops/s  p50   p99 | ${large} ops/s  p50   p99 | cost ${large}/${small}`);
    const over: string[] = [];
    for (const [name, [a, b]] of results) {
      const rate = (r: { latencies: number[]; ms: number }) => (r.latencies.length / r.ms) * 1000;
      const ratio = rate(a!) / rate(b!);
      if (ratio > TARGET_RATIO) over.push(`${name} ${ratio.toFixed(2)}×`);
      const cells = (r: { latencies: number[]; ms: number }) =>
        `${rate(r).toFixed(0).padStart(9)} ${percentile(r.latencies, 50).toFixed(1).padStart(5)} ${percentile(r.latencies, 99).toFixed(1).padStart(5)}`;
      console.log(`${name.padEnd(34)} |${cells(a!)} ms |${cells(b!)} ms | ${ratio.toFixed(2)}×`);
    }
    console.log(`(cost ratio = throughput at ${small} / throughput at ${large}; target ≤ ${TARGET_RATIO}×; latencies in ms)`);
    console.log(`load average at end: ${load()}`);
    console.log('Checks:');
    console.log(
      `  ${scans.length ? 'FAIL' : 'PASS'}  no sequential scan on a request path (tables of ${SMALL_TABLE_ROWS}+ rows)${scans.length ? `: ${scans.join(', ')}` : ''}`,
    );
    console.log(
      `  ${over.length ? 'FAIL' : 'PASS'}  every path at ${large} within ${TARGET_RATIO}× of its cost at ${small}${over.length ? `: ${over.join(', ')}` : ''}`,
    );
    failed = scans.length > 0 || over.length > 0;
  } finally {
    await mongoose.disconnect().catch(() => undefined);
    await engine?.stop();
    await rm(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
  if (failed) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

// `npm run bench:dashboard`: the analytics dashboard's 90-day answer time at 1k customers (≈10k
// timeline entries) and at 100k customers (1M entries), against the real server (its own process)
// and database. The timeline is seeded with insertMany (entries shaped as the modules write them,
// spread over 90 days up to now, so today's part is counted live), the closed days are rolled up
// (timed too: the first pass, then a daily one from its saved state, then today's closed hours), then
// the dashboard is asked for the last 90 days, brand-wide and for one store.
//
//   npm run bench:dashboard                 (embedded engine in a scratch directory)
//   BENCH_CUSTOMERS=20000 npm run bench:dashboard   (a smaller large step)
//   MONGODB_URI=mongodb://… npm run bench:dashboard
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import mongoose, { Types } from 'mongoose';
import { rollHours } from '../src/analytics/live';
import { rollupId, runRollups } from '../src/analytics/rollup';
import { loadConfig } from '../src/platform/config';
import { startEmbeddedEngine, type EmbeddedEngine } from '../src/platform/db/embeddedEngine';
import { createLogger } from '../src/platform/logger';
import { generateTimeline, shanghaiDayOf, type SeedEntry } from '../test/analyticsSeed';
import { spawnServer, type Target } from '../test/spawnServer';

const LARGE = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
const SMALL = 1_000;
const PER_CUSTOMER = 10;
const DAYS = 90;
const RUNS = 5;
const DAY = 86_400_000;

async function call(url: string, path: string, token?: string): Promise<{ status: number; body: any; ms: number }> {
  const started = performance.now();
  const res = await fetch(url + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, ms: performance.now() - started };
}

async function seed(
  customers: number,
  stores: string[],
  campaigns: string[],
  seedNo: number,
): Promise<{ entries: number; seconds: number }> {
  const timeline = mongoose.connection.collection('timeline');
  const people = mongoose.connection.collection('customers');
  const started = performance.now();
  let entries = 0;
  const pending: SeedEntry[][] = [];
  generateTimeline({ customers, days: DAYS, now: new Date(), stores, campaigns, seed: seedNo, perCustomer: PER_CUSTOMER }, (batch) =>
    pending.push(batch),
  );
  // Four batches in flight at once.
  let next = 0;
  const worker = async () => {
    while (next < pending.length) {
      const batch = pending[next++]!;
      const ids = [...new Set(batch.map((e) => e.customerId.toString()))];
      await people
        .insertMany(
          ids.map((id) => ({ _id: new Types.ObjectId(id), status: 'active', officialAccount: { following: true } })),
          { ordered: false },
        )
        .catch((err: { code?: number }) => {
          if (err.code !== 11000) throw err; // a customer whose entries span two batches
        });
      await timeline.insertMany(batch, { ordered: false });
      entries += batch.length;
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return { entries, seconds: (performance.now() - started) / 1000 };
}

const METRICS_TOKEN = 'bench-metrics-token-0123456789';

/** The database commands the server has sent so far, by `command collection`. */
async function commandCounts(url: string): Promise<Map<string, number>> {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const counts = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    const m = /^loopline_db_commands_total\{(.*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    counts.set(`${labels.command} ${labels.collection}`, Number(m[2]));
  }
  return counts;
}

/** The database commands one dashboard request costs. */
async function commandsPerRequest(url: string, token: string, query: string): Promise<string> {
  const before = await commandCounts(url);
  await call(url, `/api/v1/analytics/dashboard?${query}`, token);
  const after = await commandCounts(url);
  const diff = [...after]
    .map(([key, n]) => [key, n - (before.get(key) ?? 0)] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  const total = diff.reduce((n, [, d]) => n + d, 0);
  return `${total} (${diff.map(([key, n]) => `${key} ×${n}`).join(', ')})`;
}

/** How the engine runs a find (EXPLAIN): whether the filter reached the database and the plan's scans. */
async function explainFind(collection: string, filter: Record<string, unknown>): Promise<string> {
  const plan = await mongoose.connection.db!.command({ explain: { find: collection, filter }, verbosity: 'queryPlanner' });
  const text = JSON.stringify(plan);
  const scans = [
    ...new Set([...text.matchAll(/(Bitmap Index Scan|Bitmap Heap Scan|Index Scan|Index Only Scan|Seq Scan)/g)].map((m) => m[1])),
  ];
  const pushdown = (plan as { filterPushdown?: boolean; pushdown?: boolean }).filterPushdown ?? (plan as { pushdown?: boolean }).pushdown;
  return `${scans.join(' + ') || 'no plan nodes reported'}${pushdown === undefined ? '' : `, filter pushed down: ${pushdown}`}`;
}

/** The two ways to read a range's rollups, timed here in the same run (median of RUNS each). */
async function rollupReads(from: string, days: number): Promise<string> {
  const rollups = mongoose.connection.collection<{ _id: string }>('analytics_daily_rollups');
  const start = Date.parse(`${from}T00:00:00Z`);
  const ids = Array.from({ length: days }, (_, i) => rollupId(new Date(start + i * DAY).toISOString().slice(0, 10)));
  const time = async (read: () => Promise<unknown>) => {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      await read();
      times.push(performance.now() - started);
    }
    return median(times);
  };
  const byIn = await time(() => rollups.find({ _id: { $in: ids } }).toArray());
  const byKey = await time(async () => {
    let next = 0;
    const worker = async () => {
      while (next < ids.length) await rollups.findOne({ _id: ids[next++]! });
    };
    await Promise.all(Array.from({ length: 8 }, worker));
  });
  return `one $in find ${byIn.toFixed(0)} ms, ${days} finds by _id (8 at a time) ${byKey.toFixed(0)} ms`;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(url: string, token: string, query: string): Promise<{ median: number; max: number; body: any }> {
  const warm = await call(url, `/api/v1/analytics/dashboard?${query}`, token);
  if (warm.status !== 200) throw new Error(`dashboard answered ${warm.status}: ${JSON.stringify(warm.body)}`);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push((await call(url, `/api/v1/analytics/dashboard?${query}`, token)).ms);
  return { median: median(times), max: Math.max(...times), body: warm.body };
}

async function scale(
  engine: EmbeddedEngine | undefined,
  uri: string,
  dataDir: string,
  customers: number,
  seedNo: number,
): Promise<{ customers: number; entries: number; brand: number; store: number; brandMax: number; dailyRollup: number }> {
  // Seeded before the server starts: its indexes are then built once over the data, not per insert.
  await mongoose.connect(uri);
  const stores = Array.from({ length: 3 }, () => new Types.ObjectId().toString());
  const campaigns = Array.from({ length: 6 }, () => new Types.ObjectId().toString());
  const s = await seed(customers, stores, campaigns, seedNo);
  console.log(
    `${customers} customers: seeded ${s.entries} timeline entries in ${s.seconds.toFixed(1)} s (${Math.round(s.entries / s.seconds)}/s)`,
  );
  let server: Target | undefined;
  try {
    let started = performance.now();
    server = await spawnServer(
      'server/src/main.ts',
      [],
      {
        ...process.env,
        PORT: '0',
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
        MONGODB_URI: uri,
        DATA_DIR: dataDir,
        ADMIN_OPENIDS: 'bench-admin',
        METRICS_TOKEN,
      },
      /running at (\S+)/,
      600_000,
    );
    await mongoose.connection.collection('timeline').createIndex({ day: 1 });
    await engine?.ensureIndexes();
    console.log(`  server up and indexes built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const url = server.url;
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'test:bench-admin' }),
    });
    const admin = ((await login.json()) as { token: string }).token;
    const to = shanghaiDayOf(new Date());
    const from = shanghaiDayOf(new Date(Date.now() - (DAYS - 1) * DAY));
    const query = `from=${from}&to=${to}`;
    // Rolling up is the periodic job's work; here it runs at once, and is timed: the first pass as it
    // would have run yesterday (it reads the whole timeline and saves the people's state), then
    // today's daily pass, which starts from that state and reads only the day it rolls up.
    started = performance.now();
    const first = await runRollups(new Date(Date.now() - DAY));
    console.log(
      `  rollup, first pass: ${first.rolled.length} day(s) written in ${((performance.now() - started) / 1000).toFixed(1)} s (read: ${first.read})`,
    );
    started = performance.now();
    const daily = await runRollups(new Date());
    const dailySeconds = (performance.now() - started) / 1000;
    console.log(`  rollup, daily pass: ${daily.rolled.length} day(s) written in ${dailySeconds.toFixed(1)} s (read: ${daily.read})`);
    started = performance.now();
    const hours = await rollHours(new Date());
    console.log(
      `  rollup of today's closed hours: ${hours.length} hour(s) written in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    await engine?.ensureIndexes();
    const brand = await measure(url, admin, query);
    const store = await measure(url, admin, `${query}&storeId=${stores[0]}`);
    console.log(
      `  dashboard, ${DAYS} days (live: ${brand.body.liveDays.join(', ') || 'none'}): all stores median ${brand.median.toFixed(0)} ms (max ${brand.max.toFixed(0)}), one store median ${store.median.toFixed(0)} ms (max ${store.max.toFixed(0)})`,
    );
    console.log(`  EXPLAIN timeline {day: today}: ${await explainFind('timeline', { day: to })}`);
    console.log(`  EXPLAIN analytics_daily_rollups {_id: <day>}: ${await explainFind('analytics_daily_rollups', { _id: rollupId(from) })}`);
    console.log(`  rollups of ${DAYS} days: ${await rollupReads(from, DAYS)}`);
    console.log(`  database commands per dashboard request: ${await commandsPerRequest(url, admin, query)}`);
    console.log(
      `  figures: messages in ${brand.body.interactions.messagesIn}, redeemed ${brand.body.coupons.redeemed}, sales ¥${(brand.body.coupons.salesFen / 100).toFixed(0)}, active members ${brand.body.members.active30}`,
    );
    return { customers, entries: s.entries, brand: brand.median, brandMax: brand.max, store: store.median, dailyRollup: dailySeconds };
  } finally {
    await mongoose.disconnect().catch(() => undefined);
    await server?.stop();
  }
}

async function main() {
  const dataDir = await mkdtemp(path.join(process.env.BENCH_DATA_DIR ?? os.tmpdir(), 'loopline-bench-'));
  const base = loadConfig({ ...process.env, PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  let engine: EmbeddedEngine | undefined;
  const rows: string[] = [];
  try {
    engine = base.mongodbUri
      ? undefined
      : await startEmbeddedEngine({ dataDir, ferretdbBin: base.ferretdbBin, log: createLogger('error') });
    const uriOf = (name: string) =>
      base.mongodbUri ? base.mongodbUri.replace(/\/([^/?]*)(\?|$)/, `/${name}$2`) : `${engine!.uri}/${name}`;
    const stamp = Date.now();
    const small = await scale(engine, uriOf(`bench_dashboard_small_${stamp}`), dataDir, SMALL, 101);
    const large = await scale(engine, uriOf(`bench_dashboard_large_${stamp}`), dataDir, LARGE, 102);
    rows.push(
      `  ${small.customers} customers / ${small.entries} entries: ${small.brand.toFixed(0)} ms (one store ${small.store.toFixed(0)} ms)`,
    );
    rows.push(
      `  ${large.customers} customers / ${large.entries} entries: ${large.brand.toFixed(0)} ms, max ${large.brandMax.toFixed(0)} ms (one store ${large.store.toFixed(0)} ms)   target ≤ 1000 ms`,
    );
    rows.push(`  ratio large / small: ${(large.brand / small.brand).toFixed(2)}×`);
    rows.push(
      `  daily rollup pass: ${small.dailyRollup.toFixed(1)} s at ${small.customers} customers, ${large.dailyRollup.toFixed(1)} s at ${large.customers}`,
    );
    rows.push(`  database: ${base.mongodbUri ? 'MONGODB_URI' : `embedded ${engine?.kind}`}`);
    if (large.brand > 1000) process.exitCode = 1;
  } finally {
    await engine?.stop();
    await rm(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
  console.log(`Dashboard over ${DAYS} days (median of ${RUNS}):`);
  for (const row of rows) console.log(row);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

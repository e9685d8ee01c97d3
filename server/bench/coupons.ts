// `npm run bench:coupons`: claim storms and a redemption race against the real server (its own
// process) and database. Two storms, each on a fresh campaign, one coupon per customer, every
// customer claiming twice at once with two Idempotency-Keys, from many client addresses
// (127.0.x.y):
//   1. 2,000 claims from 1,000 customers on stock 500;
//   2. 20,000 claims from 10,000 customers on stock 5,000.
// Then 50 concurrent redemptions of one code. Prints claims/s, latency (on the wire, and including
// the wait for one of the client's connections) and the invariant checks; exit 1 if one fails.
//
//   npm run bench:coupons            (embedded engine in a scratch directory)
//   MONGODB_URI=mongodb://… npm run bench:coupons
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import mongoose, { Types } from 'mongoose';
import { issueSessions } from '../src/auth/service';
import { Coupon } from '../src/coupons/model';
import { Customer, CustomerIdentity, identityKey } from '../src/customers/model';
import { loadConfig } from '../src/platform/config';
import { startEmbeddedEngine, type EmbeddedEngine } from '../src/platform/db/embeddedEngine';
import { createLogger } from '../src/platform/logger';
import { spawnServer, type Target } from '../test/spawnServer';
import { BENCH_METRICS_TOKEN, commandCounts, commandsPer, cpuSeconds, cpuShares } from './probe';

/** BENCH_STORMS=1 runs only the first storm. */
const STORMS = [
  { customers: 1_000, stock: 500 },
  { customers: 10_000, stock: 5_000 },
].slice(0, Number(process.env.BENCH_STORMS ?? 2));
const CLAIMS_PER_CUSTOMER = 2;
const REDEEMERS = 50;
/** Client addresses the customers are spread over (127.0.x.y). */
const ADDRESSES = 1_000;

// Requests are all made at once; at most this many are in flight and the rest wait their turn. Each
// client address keeps its own connection alive. Each phase gets fresh connections: one left idle
// past the server's keep-alive timeout (while the next storm's customers are prepared) would be
// closed under the next request.
const MAX_SOCKETS = Number(process.env.BENCH_SOCKETS ?? 128);
const newAgent = () => new http.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
let agent = newAgent();
let inFlight = 0;
const queued: Array<() => void> = [];
async function turn(): Promise<() => void> {
  if (inFlight >= MAX_SOCKETS) await new Promise<void>((resolve) => queued.push(resolve));
  inFlight++;
  return () => {
    inFlight--;
    queued.shift()?.();
  };
}
const addressOf = (i: number) => {
  const a = 2 + (i % ADDRESSES);
  return `127.0.${a >> 8}.${a & 255}`;
};

interface Timed {
  status: number;
  body: any;
  /** From the request getting a connection (its turn among the client's in-flight requests) to the answer. */
  wireMs: number;
  /** From the call, including the wait for a free connection. */
  totalMs: number;
}

async function call(
  base: string,
  method: string,
  url: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string>; from?: string } = {},
): Promise<Timed> {
  const started = performance.now();
  const done = await turn();
  try {
    return await send(base, method, url, opts, started);
  } finally {
    done();
  }
}

function send(
  base: string,
  method: string,
  url: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string>; from?: string },
  started: number,
): Promise<Timed> {
  // On the wire from when a connection is assigned (requests from one address share its connection).
  let onWire = performance.now();
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      base + url,
      {
        method,
        agent,
        ...(opts.from ? { localAddress: opts.from } : {}),
        headers: {
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
          ...opts.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const now = performance.now();
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined, wireMs: now - onWire, totalMs: now - started });
        });
        res.on('error', reject);
      },
    );
    req.on('socket', () => {
      onWire = performance.now();
    });
    req.on('error', reject);
    req.end(payload);
  });
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};

const checks: Array<{ name: string; ok: boolean; detail: string }> = [];
const check = (name: string, ok: boolean, detail: string) => {
  checks.push({ name, ok, detail });
  console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${name} (${detail})`);
};

/** Processes whose CPU the benchmark reports: the server, and the embedded engine when there is one. */
let cpuGroups: Record<string, number[]> = {};

async function storm(base: string, admin: string, index: number, customers: number, stock: number) {
  const label = `storm ${index + 1}`;
  const campaign = await call(base, 'POST', '/api/v1/admin/campaigns', {
    token: admin,
    body: {
      name: `Bench ${label}`,
      type: 'cash',
      valueFen: 1000,
      stock,
      perUserLimit: 1,
      validity: { kind: 'days', days: 7 },
      status: 'active',
    },
  });
  if (campaign.status !== 201) throw new Error(`campaign not created: ${JSON.stringify(campaign.body)}`);
  const campaignId = campaign.body.id as string;

  process.stdout.write(`Preparing ${customers} signed-in customers… `);
  const prepStarted = performance.now();
  // Written in bulk (customers, their mini-program identities, sessions): signing in one by one is
  // not what is measured.
  const tokens: string[] = [];
  for (let from = 0; from < customers; from += 1_000) {
    const ids = Array.from({ length: Math.min(1_000, customers - from) }, () => new Types.ObjectId());
    await Customer.insertMany(ids.map((_id) => ({ _id })));
    await CustomerIdentity.insertMany(
      ids.map((customerId, j) => {
        const openid = `bench-${index}-customer-${from + j}`;
        return { _id: identityKey('mp_openid', openid), kind: 'mp_openid', value: openid, customerId };
      }),
    );
    tokens.push(...(await issueSessions(ids)).map((s) => s.token));
  }
  console.log(`${((performance.now() - prepStarted) / 1000).toFixed(1)} s`);

  const keyOf = (customer: number, attempt: number) => `bench-${customer}-${attempt}`;
  console.log(
    `${label}: ${customers * CLAIMS_PER_CUSTOMER} concurrent claims from ${customers} customers on ${Math.min(customers, ADDRESSES)} addresses (≤ ${MAX_SOCKETS} connections), stock ${stock}, limit 1`,
  );
  agent.destroy();
  agent = newAgent();
  const commandsBefore = await commandCounts(base);
  const cpuBefore = await cpuSeconds(cpuGroups);
  const started = performance.now();
  const claims = await Promise.all(
    tokens.flatMap((token, c) =>
      Array.from({ length: CLAIMS_PER_CUSTOMER }, (_, a) =>
        call(base, 'POST', `/api/v1/campaigns/${campaignId}/claim`, {
          token,
          from: addressOf(c),
          headers: { 'Idempotency-Key': keyOf(c, a) },
        }).then((r) => ({ ...r, c, a })),
      ),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuShares(cpuBefore, await cpuSeconds(cpuGroups), seconds);
  const commands = commandsPer(commandsBefore, await commandCounts(base), claims.length);
  const byStatus = new Map<string, number>();
  for (const r of claims) {
    const key = r.status === 201 ? '201' : `${r.status} ${r.body?.error?.code ?? ''}`.trim();
    byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
  }
  const wire = claims.map((r) => r.wireMs);
  const total = claims.map((r) => r.totalMs);
  const rate = claims.length / seconds;
  console.log(`  ${claims.length} claims in ${seconds.toFixed(2)} s: ${rate.toFixed(0)} claims/s`);
  console.log(
    `  on the wire: p50 ${percentile(wire, 50).toFixed(0)} ms, p99 ${percentile(wire, 99).toFixed(0)} ms, max ${Math.max(...wire).toFixed(0)} ms`,
  );
  console.log(`  incl. client queue: p50 ${percentile(total, 50).toFixed(0)} ms, p99 ${percentile(total, 99).toFixed(0)} ms`);
  console.log(`  answers: ${[...byStatus].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
  console.log(`  CPU (share of one core of ${os.availableParallelism()}): ${cpu}; load average ${os.loadavg()[0]!.toFixed(1)}`);
  console.log(`  database commands per claim: ${commands.total.toFixed(2)}`);
  for (const line of commands.lines.slice(0, 8)) console.log(`    ${line}`);

  const won = claims.filter((r) => r.status === 201);
  const expected = Math.min(stock, customers);
  check(`${label}: exactly the stock issued (201s)`, won.length === expected, `${won.length} of ${expected}`);
  const stored = await Coupon.find({ campaignId }, { claimantId: 1, stockSlot: 1 }).batchSize(100_000).lean();
  check(`${label}: exactly the stock stored`, stored.length === expected, `${stored.length}`);
  const perCustomer = new Map<string, number>();
  for (const c of stored) perCustomer.set(String(c.claimantId), (perCustomer.get(String(c.claimantId)) ?? 0) + 1);
  const overLimit = [...perCustomer.values()].filter((n) => n > 1).length;
  check(`${label}: nobody over the per-customer limit`, overLimit === 0, `${overLimit} customers hold more than 1`);
  check(
    `${label}: stock places distinct and below the stock`,
    new Set(stored.map((c) => c.stockSlot)).size === stored.length && stored.every((c) => c.stockSlot < stock),
    'unique places',
  );
  const others = claims.filter((r) => r.status !== 201);
  check(
    `${label}: every refusal is 409 OUT_OF_STOCK or LIMIT_REACHED`,
    others.every((r) => r.status === 409 && ['OUT_OF_STOCK', 'LIMIT_REACHED'].includes(r.body?.error?.code)),
    `${others.length} refusals`,
  );
  const retried = await Promise.all(
    won.slice(0, 100).map((r) =>
      call(base, 'POST', `/api/v1/campaigns/${campaignId}/claim`, {
        token: tokens[r.c],
        from: addressOf(r.c),
        headers: { 'Idempotency-Key': keyOf(r.c, r.a) },
      }).then((again) => ({ again, first: r })),
    ),
  );
  const same = retried.filter(({ again, first }) => again.status === 201 && again.body.coupon.id === first.body.coupon.id).length;
  check(`${label}: idempotent retries return the same coupon`, same === retried.length, `${same}/${retried.length}`);
  check(`${label}: retries issued nothing new`, (await Coupon.countDocuments({ campaignId })) === expected, 'count unchanged');
  return { campaignId, won, rate, p99: percentile(wire, 99), p99Total: percentile(total, 99), seconds };
}

async function main() {
  const dataDir = await mkdtemp(path.join(process.env.BENCH_DATA_DIR ?? os.tmpdir(), 'loopline-bench-'));
  const base = loadConfig({ ...process.env, PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  let engine: EmbeddedEngine | undefined;
  let server: Target | undefined;
  const results: Array<Awaited<ReturnType<typeof storm>>> = [];
  try {
    engine = base.mongodbUri
      ? undefined
      : await startEmbeddedEngine({ dataDir, ferretdbBin: base.ferretdbBin, log: createLogger('error') });
    const uri = base.mongodbUri ?? `${engine!.uri}/bench_coupons_${Date.now()}`;
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
        METRICS_TOKEN: BENCH_METRICS_TOKEN,
      },
      /running at (\S+)/,
    );
    await mongoose.connect(uri);
    cpuGroups = { server: [server.child.pid!], ...(engine ? { engine: Object.values(engine.pids()) } : {}) };
    const url = server.url;
    const admin = (await call(url, 'POST', '/api/v1/auth/login', { body: { code: 'test:bench-admin' } })).body.token as string;
    const store = (await call(url, 'POST', '/api/v1/admin/stores', { token: admin, body: { name: 'Bench store', code: 'BENCH-1' } })).body
      .id as string;
    const clerk = (await call(url, 'POST', '/api/v1/auth/login', { body: { code: 'test:bench-clerk' }, from: '127.0.9.1' })).body;
    await call(url, 'POST', '/api/v1/admin/staff', {
      token: admin,
      body: { customerId: clerk.customer.id, role: 'clerk', storeId: store },
    });

    for (const [i, s] of STORMS.entries()) results.push(await storm(url, admin, i, s.customers, s.stock));

    // Redemption race: 50 concurrent redeems of one code.
    const first = results[0]!;
    const code = first.won[0]!.body.coupon.code as string;
    console.log(`Redemption race: ${REDEEMERS} concurrent redeems of one code`);
    // Fifty tills: each its own connection.
    agent.destroy();
    agent = new http.Agent({ keepAlive: true, maxSockets: REDEEMERS });
    const redeemCommandsBefore = await commandCounts(url);
    const redeems = await Promise.all(
      Array.from({ length: REDEEMERS }, () =>
        call(url, 'POST', '/api/v1/staff/redemptions', { token: clerk.token, body: { code, orderAmountFen: 5000 }, from: '127.0.9.1' }),
      ),
    );
    const redeemWire = redeems.map((r) => r.wireMs);
    console.log(
      `  p50 ${percentile(redeemWire, 50).toFixed(0)} ms, p99 ${percentile(redeemWire, 99).toFixed(0)} ms (target ≤ 200 ms); incl. client queue p99 ${percentile(
        redeems.map((r) => r.totalMs),
        99,
      ).toFixed(0)} ms`,
    );
    const redeemCommands = commandsPer(redeemCommandsBefore, await commandCounts(url), REDEEMERS);
    console.log(`  database commands per redeem: ${redeemCommands.total.toFixed(2)}`);
    for (const line of redeemCommands.lines.slice(0, 8)) console.log(`    ${line}`);
    const redeemed = redeems.filter((r) => r.status === 201).length;
    const already = redeems.filter((r) => r.status === 409 && r.body?.error?.code === 'ALREADY_REDEEMED').length;
    check('redemption: exactly one succeeds', redeemed === 1, `${redeemed} × 201`);
    check('redemption: the rest are 409 ALREADY_REDEEMED', already === REDEEMERS - 1, `${already} × 409`);

    const funnel = await call(url, 'GET', `/api/v1/admin/reports/funnel?campaignId=${first.campaignId}`, { token: admin });
    const expected = first.won.length;
    check(
      'funnel counts agree',
      funnel.body.issued === expected && funnel.body.claimed === expected && funnel.body.redeemed === 1,
      JSON.stringify({ issued: funnel.body.issued, claimed: funnel.body.claimed, redeemed: funnel.body.redeemed }),
    );
  } finally {
    agent.destroy();
    await mongoose.disconnect().catch(() => undefined);
    await server?.stop();
    await engine?.stop();
    await rm(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }

  console.log('Summary:');
  for (const [i, r] of results.entries()) {
    console.log(
      `  storm ${i + 1}: ${r.rate.toFixed(0)} claims/s, p99 ${r.p99.toFixed(0)} ms on the wire (${r.p99Total.toFixed(0)} ms incl. client queue), ${r.seconds.toFixed(1)} s${i === 0 ? '   (target ≥ 300 claims/s, p99 ≤ 2 s)' : ''}`,
    );
  }
  console.log(`  database: ${base.mongodbUri ? 'MONGODB_URI' : `embedded ${engine?.kind}`}`);
  console.log('Invariants:');
  for (const c of checks) console.log(`  ${c.ok ? 'PASS' : 'FAIL'}  ${c.name} (${c.detail})`);
  if (checks.some((c) => !c.ok)) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

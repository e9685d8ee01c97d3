// Coupon benchmark against the real server and database: a claim storm (2,000 concurrent claims
// from 1,000 customers for 500 coupons, one per person) and a redemption race (50 concurrent
// redeems of one code). Prints throughput, latency and the invariant checks; exits 1 if one fails.
//
//   npm run bench:coupons            (embedded engine in a scratch directory)
//   MONGODB_URI=mongodb://… npm run bench:coupons
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { issueSession } from '../src/auth/service';
import { LOGIN_LIMITS } from '../src/auth/routes';
import { Coupon } from '../src/coupons/model';
import { resolveCustomer } from '../src/customers/service';
import { loadConfig } from '../src/platform/config';
import { startServer } from '../src/server';

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 1000);
const CLAIMS_PER_CUSTOMER = 2;
const STOCK = Number(process.env.BENCH_STOCK ?? 500);
const REDEEMERS = 50;

interface Timed {
  status: number;
  body: any;
  ms: number;
}

// All requests are sent at once; the client keeps at most this many connections open and queues the
// rest (a queued request's latency includes its wait), so slow answers are measured, not dropped by
// socket timeouts.
const MAX_SOCKETS = Number(process.env.BENCH_SOCKETS ?? 128);
const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });

function call(base: string, method: string, url: string, token?: string, body?: unknown, headers: Record<string, string> = {}): Promise<Timed> {
  const started = performance.now();
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      base + url,
      {
        method,
        agent,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined, ms: performance.now() - started });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

async function inBatches<T>(count: number, size: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < count; i += size) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(size, count - i) }, (_, j) => make(i + j)))));
  }
  return out;
}

const checks: Array<{ name: string; ok: boolean; detail: string }> = [];
const check = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });

async function main() {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'loopline-bench-'));
  const config = loadConfig({
    ...process.env,
    PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
    ADMIN_OPENIDS: 'bench-admin',
  });
  const server = await startServer(config, { databaseName: `bench_${Date.now()}` });
  LOGIN_LIMITS.perIp.max = 1_000_000; // every bench client signs in from one address
  const base = server.url;
  try {
    const admin = (await call(base, 'POST', '/api/v1/auth/login', undefined, { code: 'test:bench-admin' })).body.token as string;
    const store = (await call(base, 'POST', '/api/v1/admin/stores', admin, { name: 'Bench store', code: 'BENCH-1' })).body.id as string;
    const clerkLogin = (await call(base, 'POST', '/api/v1/auth/login', undefined, { code: 'test:bench-clerk' })).body;
    await call(base, 'POST', '/api/v1/admin/staff', admin, { customerId: clerkLogin.customer.id, role: 'clerk', storeId: store });
    const campaign = await call(base, 'POST', '/api/v1/admin/campaigns', admin, {
      name: 'Bench 10 off',
      type: 'cash',
      valueFen: 1000,
      stock: STOCK,
      perUserLimit: 1,
      validity: { kind: 'days', days: 7 },
      status: 'active',
    });
    if (campaign.status !== 201) throw new Error(`campaign not created: ${JSON.stringify(campaign.body)}`);
    const campaignId = campaign.body.id as string;

    process.stdout.write(`Preparing ${CUSTOMERS} signed-in customers… `);
    const prepStarted = performance.now();
    const tokens = await inBatches(CUSTOMERS, 50, async (i) => {
      const customerId = await resolveCustomer({ app: 'mini_program', openid: `bench-customer-${i}` });
      return (await issueSession(customerId)).token;
    });
    console.log(`${((performance.now() - prepStarted) / 1000).toFixed(1)} s`);

    // Claim storm: every request at once.
    const keyOf = (customer: number, attempt: number) => `bench-${customer}-${attempt}`;
    console.log(`Claim storm: ${CUSTOMERS * CLAIMS_PER_CUSTOMER} concurrent claims (≤ ${MAX_SOCKETS} connections), stock ${STOCK}, limit 1 per customer`);
    const stormStarted = performance.now();
    const claims = await Promise.all(
      tokens.flatMap((token, c) =>
        Array.from({ length: CLAIMS_PER_CUSTOMER }, (_, a) =>
          call(base, 'POST', `/api/v1/campaigns/${campaignId}/claim`, token, undefined, { 'Idempotency-Key': keyOf(c, a) }).then((r) => ({ ...r, c, a })),
        ),
      ),
    );
    const stormSeconds = (performance.now() - stormStarted) / 1000;
    const latencies = claims.map((r) => r.ms).sort((a, b) => a - b);
    const byStatus = new Map<string, number>();
    for (const r of claims) {
      const key = r.status === 201 ? '201' : `${r.status} ${r.body?.error?.code ?? ''}`.trim();
      byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
    }
    console.log(`  ${claims.length} requests in ${stormSeconds.toFixed(2)} s: ${(claims.length / stormSeconds).toFixed(1)} claims/s`);
    console.log(`  latency p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms, max ${latencies.at(-1)!.toFixed(0)} ms`);
    console.log(`  answers: ${[...byStatus].map(([k, n]) => `${k} ×${n}`).join(', ')}`);

    const won = claims.filter((r) => r.status === 201);
    const expectedWins = Math.min(STOCK, CUSTOMERS);
    check('exactly stock coupons issued (201s)', won.length === expectedWins, `${won.length} of ${expectedWins}`);
    const stored = await Coupon.find({ campaignId }, { claimantId: 1, stockSlot: 1 }).lean();
    check('exactly stock coupons stored', stored.length === expectedWins, `${stored.length}`);
    const perCustomer = new Map<string, number>();
    for (const c of stored) perCustomer.set(String(c.claimantId), (perCustomer.get(String(c.claimantId)) ?? 0) + 1);
    const overLimit = [...perCustomer.values()].filter((n) => n > 1).length;
    check('nobody over the per-customer limit', overLimit === 0, `${overLimit} customers hold more than 1`);
    check('stock places distinct and below stock', new Set(stored.map((c) => c.stockSlot)).size === stored.length && stored.every((c) => c.stockSlot < STOCK), 'unique slots');
    const others = claims.filter((r) => r.status !== 201);
    check(
      'every refusal is 409 OUT_OF_STOCK or LIMIT_REACHED',
      others.every((r) => r.status === 409 && ['OUT_OF_STOCK', 'LIMIT_REACHED'].includes(r.body?.error?.code)),
      `${others.length} refusals`,
    );

    // Idempotent retries of 100 winning requests, concurrently.
    const retried = await Promise.all(
      won.slice(0, 100).map((r) => call(base, 'POST', `/api/v1/campaigns/${campaignId}/claim`, tokens[r.c], undefined, { 'Idempotency-Key': keyOf(r.c, r.a) }).then((again) => ({ again, first: r }))),
    );
    const sameCoupon = retried.filter(({ again, first }) => again.status === 201 && again.body.coupon.id === first.body.coupon.id).length;
    check('idempotent retries return the same coupon', sameCoupon === retried.length, `${sameCoupon}/${retried.length}`);
    check('retries issued nothing new', (await Coupon.countDocuments({ campaignId })) === expectedWins, 'count unchanged');

    // Redemption race: 50 concurrent redeems of one code.
    const code = won[0]!.body.coupon.code as string;
    console.log(`Redemption race: ${REDEEMERS} concurrent redeems of one code`);
    const raceStarted = performance.now();
    const redeems = await Promise.all(
      Array.from({ length: REDEEMERS }, () => call(base, 'POST', '/api/v1/staff/redemptions', clerkLogin.token, { code, orderAmountFen: 5000 })),
    );
    const raceSeconds = (performance.now() - raceStarted) / 1000;
    const redeemLatencies = redeems.map((r) => r.ms).sort((a, b) => a - b);
    console.log(`  ${REDEEMERS} requests in ${raceSeconds.toFixed(2)} s, p99 ${percentile(redeemLatencies, 99).toFixed(0)} ms`);
    const redeemed = redeems.filter((r) => r.status === 201).length;
    const already = redeems.filter((r) => r.status === 409 && r.body?.error?.code === 'ALREADY_REDEEMED').length;
    check('exactly one redemption succeeds', redeemed === 1, `${redeemed} × 201`);
    check('the rest are 409 ALREADY_REDEEMED', already === REDEEMERS - 1, `${already} × 409`);

    const funnel = await call(base, 'GET', `/api/v1/admin/reports/funnel?campaignId=${campaignId}`, admin);
    check('funnel counts agree', funnel.body.issued === expectedWins && funnel.body.claimed === expectedWins && funnel.body.redeemed === 1, JSON.stringify({ issued: funnel.body.issued, claimed: funnel.body.claimed, redeemed: funnel.body.redeemed }));
  } finally {
    agent.destroy();
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  }

  console.log('Invariants:');
  for (const c of checks) console.log(`  ${c.ok ? 'PASS' : 'FAIL'}  ${c.name} (${c.detail})`);
  if (checks.some((c) => !c.ok)) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

// The storm that wedged the earlier engine, on the embedded engine as `npm start` runs it (its own
// PostgreSQL and FerretDB, the embedded driver settings): 2,000 concurrent claims from 1,000
// customers, each claiming twice at once, from 1,000 client addresses (127.0.x.y). Exactly the stock
// is issued, nobody gets two, every refusal is in the contract's shape, and /readyz answers 200
// throughout.
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import mongoose, { Types } from 'mongoose';
import { afterAll, expect, it } from 'vitest';
import { issueSessions } from '../src/auth/service';
import { Coupon } from '../src/coupons/model';
import { Customer } from '../src/customers/model';
import { createLogger } from '../src/platform/logger';
import { startServer } from '../src/server';
import { httpRequest, testConfig } from './helpers';

const CUSTOMERS = 1_000;
const CLAIMS_PER_CUSTOMER = 2;
const STOCK = 500;
/** Connections in flight at once (each client address keeps its own). */
const MAX_IN_FLIGHT = 128;

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const addressOf = (i: number) => `127.0.${(2 + i) >> 8}.${(2 + i) & 255}`;

/** One request from a given loopback address. */
function claimFrom(base: string, from: string, token: string, campaignId: string, key: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${base}/api/v1/campaigns/${campaignId}/claim`,
      { method: 'POST', agent, localAddress: from, headers: { authorization: `Bearer ${token}`, 'Idempotency-Key': key } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

let dataDir: string | undefined;
let close: (() => Promise<void>) | undefined;
afterAll(async () => {
  agent.destroy();
  await close?.();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it('issues exactly the stock under 2,000 concurrent claims from 1,000 customers on 1,000 addresses, ready throughout', async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'loopline-storm-'));
  const server = await startServer(
    { ...testConfig({ ADMIN_OPENIDS: 'storm-admin' }), mongodbUri: undefined, dataDir },
    { log: createLogger('silent') },
  );
  close = () => server.close();
  const base = server.url;
  const admin = (await httpRequest(base, 'POST', '/api/v1/auth/login', { body: { code: 'test:storm-admin' } })).body.token as string;
  const campaign = await httpRequest(base, 'POST', '/api/v1/admin/campaigns', {
    token: admin,
    body: {
      name: 'Storm',
      type: 'cash',
      valueFen: 1000,
      stock: STOCK,
      perUserLimit: 1,
      validity: { kind: 'days', days: 7 },
      status: 'active',
    },
  });
  expect(campaign.status).toBe(201);
  const campaignId = campaign.body.id as string;

  // Signed-in customers, written in bulk: the storm is what is under test, not 1,000 sign-ins.
  const ids = Array.from({ length: CUSTOMERS }, () => new Types.ObjectId());
  await Customer.insertMany(ids.map((_id) => ({ _id })));
  const tokens = (await issueSessions(ids)).map((s) => s.token);

  // /readyz polled all through the storm.
  const readiness: number[] = [];
  let storming = true;
  const poller = (async () => {
    while (storming) {
      readiness.push((await httpRequest(base, 'GET', '/readyz')).status);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();

  let inFlight = 0;
  const waiting: Array<() => void> = [];
  const claims = await Promise.all(
    tokens.flatMap((token, c) =>
      Array.from({ length: CLAIMS_PER_CUSTOMER }, async (_, a) => {
        if (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => waiting.push(resolve));
        inFlight++;
        try {
          return { c, ...(await claimFrom(base, addressOf(c), token, campaignId, `storm-${c}-${a}`)) };
        } finally {
          inFlight--;
          waiting.shift()?.();
        }
      }),
    ),
  );
  storming = false;
  await poller;

  const won = claims.filter((r) => r.status === 201);
  const refused = claims.filter((r) => r.status !== 201);
  expect(claims).toHaveLength(CUSTOMERS * CLAIMS_PER_CUSTOMER);
  expect(won).toHaveLength(STOCK);
  expect(new Set(won.map((r) => r.c)).size).toBe(STOCK);
  expect(refused.filter((r) => !(r.status === 409 && ['OUT_OF_STOCK', 'LIMIT_REACHED'].includes(r.body?.error?.code)))).toEqual([]);
  const stored = await Coupon.find({ campaignId }, { claimantId: 1 }).lean();
  expect(stored).toHaveLength(STOCK);
  expect(new Set(stored.map((c) => String(c.claimantId))).size).toBe(STOCK);
  expect(readiness.length).toBeGreaterThan(0);
  expect(readiness.filter((s) => s !== 200)).toEqual([]);
  expect((await httpRequest(base, 'GET', '/readyz')).status).toBe(200);
  expect(server.engine!.restarts()).toBe(0);
  expect(mongoose.connection.readyState).toBe(1);
}, 600_000);

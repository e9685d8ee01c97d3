// A server killed (SIGKILL) in the middle of an outreach, and another started on the same database:
// the send continues from where it stopped and no customer gets the message twice.
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Outreach, OutreachDelivery } from '../src/outreach/model';
import { SimMessage } from '../src/wechat/simulator/model';
import { httpRequest, testDatabaseUri } from './helpers';
import { OA_ENV } from './oaPush';
import { seedOutreachCustomers, simFollowersOf, type SeededCustomer } from './outreachSeed';
import { spawnServer, type Target } from './spawnServer';

const uri = testDatabaseUri();
const CONCURRENCY = 8;
const env = {
  ...process.env,
  PORT: '0',
  LOG_LEVEL: 'silent',
  MONGODB_URI: uri,
  ADMIN_OPENIDS: 'crash-admin',
  JOB_INTERVAL_MS: '500',
  OUTREACH_SEND_CONCURRENCY: String(CONCURRENCY),
  ...OA_ENV,
};
const started: Target[] = [];
const start = async () => {
  const target = await spawnServer('server/src/main.ts', [], env, /running at (\S+)/, 120_000);
  started.push(target);
  return target;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let seeded: SeededCustomer[];

beforeAll(async () => {
  await mongoose.connect(uri);
  seeded = await seedOutreachCustomers(600, { cap: 2 });
}, 300_000);

afterAll(async () => {
  await Promise.all(started.map((t) => t.stop()));
  await mongoose.disconnect();
});

describe('an outreach whose server is killed mid-send', () => {
  it('finishes on a restarted server without sending anyone twice', async () => {
    const first = await start();
    const call = (target: Target, method: string, path: string, body?: unknown, token?: string) =>
      httpRequest(target.url, method, path, { body, ...(token ? { token } : {}) });
    const followers = simFollowersOf(seeded);
    for (let i = 0; i < followers.length; i += 1000) {
      expect((await call(first, 'POST', '/__wechat/_sim/followers', { followers: followers.slice(i, i + 1000) })).status).toBe(201);
    }
    // A slow platform (30 messages a second, then 45011), so the kill lands mid-send.
    await call(first, 'POST', '/__wechat/_sim/settings', { sendsPerSecond: 30 });
    const admin = (await call(first, 'POST', '/api/v1/auth/login', { code: 'test:crash-admin' })).body.token;
    const created = await call(
      first,
      'POST',
      '/api/v1/admin/outreaches',
      { name: 'Crash', text: '新品到店', audience: { kind: 'customers', customerIds: seeded.map((s) => s.id) } },
      admin,
    );
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await call(first, 'POST', `/api/v1/admin/outreaches/${id}/send`, undefined, admin)).status).toBe(202);

    // Wait until a few chunks are done, then kill the server without warning.
    for (let i = 0; ; i++) {
      const o = await Outreach.findById(id).lean();
      if ((o?.nextChunk ?? 0) >= 2) break;
      if (i > 4000) throw new Error('the send did not get going');
      await sleep(250);
    }
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    const atKill = (await Outreach.findById(id).lean())!;
    expect(atKill.status).toBe('sending');
    const recordedAtKill = await OutreachDelivery.countDocuments({ outreachId: id });
    expect(recordedAtKill).toBeLessThan(600);

    const second = await start();
    for (let i = 0; ; i++) {
      const res = await call(second, 'GET', `/api/v1/admin/outreaches/${id}`, undefined, admin).catch(() => undefined);
      if (res?.body.status === 'done') break;
      if (i > 3000) throw new Error(`not finished after the restart: ${JSON.stringify(res?.body.progress)}`);
      await sleep(500);
    }

    const deliveries = await OutreachDelivery.find({ outreachId: id }).lean();
    expect(deliveries).toHaveLength(600);
    const byCustomer = new Map(deliveries.map((d) => [String(d.customerId), d]));
    const received = new Map<string, number>();
    for (const m of await SimMessage.find({ kind: { $in: ['custom', 'subscribe'] } }, { touser: 1 }).lean()) {
      received.set(m.touser, (received.get(m.touser) ?? 0) + 1);
    }
    // Nobody got the message twice.
    expect([...received.values()].every((n) => n === 1)).toBe(true);
    let interrupted = 0;
    for (const s of seeded) {
      const d = byCustomer.get(s.id)!;
      if (s.expected.status === 'skipped') {
        expect(d).toMatchObject({ status: 'skipped', reason: s.expected.reason });
        continue;
      }
      const openid = s.expected.channel === 'customer_service' ? s.oaOpenid! : s.mpOpenid!;
      if (d.status === 'failed') {
        // Cut off by the kill between its record and its result (`interrupted`), or an answer the
        // overloaded platform never gave in time: at most once, never resent.
        if (d.reason === 'interrupted') interrupted++;
        expect(received.get(openid) ?? 0).toBeLessThanOrEqual(1);
      } else {
        expect(d).toMatchObject({ status: 'sent', channel: s.expected.channel });
        expect(received.get(openid)).toBe(1);
      }
    }
    // Only the sends in flight at the kill can be in doubt.
    expect(interrupted).toBeLessThanOrEqual(CONCURRENCY);
    const progress = (await call(second, 'GET', `/api/v1/admin/outreaches/${id}`, undefined, admin)).body.progress;
    expect(progress).toMatchObject({ total: 600, pending: 0, skipped: 300 });
    expect(progress.sent + progress.failed).toBe(300);
  }, 2_400_000);
});

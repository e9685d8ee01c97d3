import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { httpRequest, startTestApp, type TestApp } from '../../test/helpers';
import { login, type SignedIn } from '../../test/session';
import { LOGIN_LIMITS } from '../auth/routes';
import { listTimeline } from '../customers/service';
import { ExchangeOutcome, PointsExchange } from './model';
import { claimCoupon } from '../coupons/claim';
import { spendPoints } from '../members/service';
import { completeExchange, recoverExchanges } from './service';

let app: TestApp;
let admin: SignedIn;
const SECRET = 's'.repeat(40);

const post = (path: string, who: SignedIn, body?: unknown, headers?: Record<string, string>) =>
  app.request('POST', path, { token: who.token, ...(body === undefined ? {} : { body }), ...(headers ? { headers } : {}) });
const get = (path: string, who: SignedIn) => app.request('GET', path, { token: who.token });

beforeAll(async () => {
  app = await startTestApp({ ADMIN_OPENIDS: 'px-admin', SESSION_SECRET: SECRET });
  LOGIN_LIMITS.perIp.max = 10_000;
  admin = await login(app, 'px-admin');
});
afterAll(async () => {
  await app?.close();
});

async function offer(body: Record<string, unknown> = {}) {
  const res = await post('/api/v1/admin/campaigns', admin, {
    name: '积分换 5 元券',
    type: 'cash',
    valueFen: 500,
    stock: 100,
    perUserLimit: 100,
    validity: { kind: 'days', days: 30 },
    channels: ['points'],
    pointsPrice: 100,
    ...body,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

/** A member with `points` points. */
async function member(openid: string, points: number): Promise<SignedIn> {
  const who = await login(app, openid);
  expect((await post('/api/v1/members/join', who, { acceptTerms: true, termsVersion: '2026-01' })).status).toBe(201);
  if (points > 0) {
    const res = await post('/api/v1/staff/points/adjust', admin, {
      customerId: who.customerId,
      points,
      reason: '测试积分',
      refKey: `seed-${openid}`,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  return who;
}

const balanceOf = async (who: SignedIn) =>
  (await get('/api/v1/me/points?limit=100', who)).body as { balance: number; items: Array<{ type: string; points: number }> };
const couponsOf = async (who: SignedIn, campaignId: string) =>
  ((await get('/api/v1/coupons', who)).body.items as Array<{ campaignId: string; state: string; channel: string }>).filter(
    (c) => c.campaignId === campaignId,
  );
const exchange = (who: SignedIn, campaignId: string, key = `k-${randomUUID()}`) =>
  post(`/api/v1/points-exchange/${campaignId}`, who, undefined, { 'idempotency-key': key });

describe('points exchange', () => {
  it('spends the points and issues the coupon; the same key twice is one exchange', async () => {
    const campaignId = await offer();
    const who = await member('px-one', 250);
    const offers = await get('/api/v1/points-exchange', who);
    expect(offers.status).toBe(200);
    expect(offers.body.balance).toBe(250);
    expect(offers.body.items.find((o: { id: string }) => o.id === campaignId)).toMatchObject({ pointsPrice: 100, affordable: true });

    const first = await exchange(who, campaignId, 'same-key-001');
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({
      balance: 150,
      exchange: { state: 'issued', points: 100 },
      coupon: { state: 'available', channel: 'points' },
    });
    const again = await exchange(who, campaignId, 'same-key-001');
    expect(again.status).toBe(200);
    expect(again.body.coupon.id).toBe(first.body.coupon.id);
    expect((await balanceOf(who)).balance).toBe(150);
    expect(await couponsOf(who, campaignId)).toHaveLength(1);

    const timeline = await listTimeline(new Types.ObjectId(who.customerId), {
      types: ['points.exchanged', 'points.spent', 'coupon.claimed'],
    });
    expect(timeline.map((t) => t.type).sort()).toEqual(['coupon.claimed', 'points.exchanged', 'points.spent']);
    const history = await get('/api/v1/points-exchange/history', who);
    expect(history.body.items).toHaveLength(1);
  });

  it('refuses with clear 409s and changes nothing', async () => {
    const who = await member('px-refusals', 150);
    const pricey = await offer({ pointsPrice: 1000 });
    const poor = await exchange(who, pricey);
    expect(poor.status).toBe(409);
    expect(poor.body.error.code).toBe('INSUFFICIENT_POINTS');

    const scarce = await offer({ stock: 1 });
    const rival = await member('px-rival', 500);
    expect((await exchange(rival, scarce)).status).toBe(201);
    const gone = await exchange(who, scarce);
    expect(gone.status).toBe(409);
    expect(gone.body.error.code).toBe('OUT_OF_STOCK');

    const once = await offer({ perUserLimit: 1 });
    expect((await exchange(who, once)).status).toBe(201);
    const limit = await exchange(who, once);
    expect(limit.status).toBe(409);
    expect(limit.body.error.code).toBe('LIMIT_REACHED');

    expect((await balanceOf(who)).balance).toBe(50);
    const stranger = await login(app, 'px-not-member');
    expect((await exchange(stranger, once)).body.error.code).toBe('NOT_A_MEMBER');
    // A points offer cannot be claimed for free from the coupon centre.
    expect((await post(`/api/v1/campaigns/${once}/claim`, who)).body.error.code).toBe('NOT_CLAIMABLE');
    expect((await app.request('POST', `/api/v1/points-exchange/${once}`)).status).toBe(401);
    expect((await exchange(who, once, 'bad key!')).status).toBe(400);
  });

  it('50 concurrent exchanges by one member with points for 3: exactly 3 coupons, 3 spends', async () => {
    const campaignId = await offer({ pointsPrice: 100 });
    const who = await member('px-storm', 300);
    const results = await Promise.all(Array.from({ length: 50 }, () => exchange(who, campaignId)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(3);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.error.code === 'INSUFFICIENT_POINTS')).toBe(true);
    expect(statuses.filter((s) => s !== 201 && s !== 409)).toEqual([]);
    const ledger = await balanceOf(who);
    expect(ledger.balance).toBe(0);
    expect(ledger.items.filter((e) => e.type === 'spend')).toHaveLength(3);
    expect(ledger.items.filter((e) => e.type === 'refund')).toHaveLength(0);
    expect(await couponsOf(who, campaignId)).toHaveLength(3);
  });

  it('50 concurrent requests with one key: one exchange', async () => {
    const campaignId = await offer();
    const who = await member('px-same-key', 1000);
    const results = await Promise.all(Array.from({ length: 50 }, () => exchange(who, campaignId, 'one-key-for-all')));
    expect(results.every((r) => r.status === 201 || r.status === 200)).toBe(true);
    expect(new Set(results.map((r) => r.body.coupon.id)).size).toBe(1);
    expect((await balanceOf(who)).balance).toBe(900);
    expect(await couponsOf(who, campaignId)).toHaveLength(1);
  });

  it('the stock running out between spend and issue gives the points back', async () => {
    const campaignId = await offer({ stock: 1 });
    const who = await member('px-race-stock', 1000);
    // Many members race for one coupon; the prechecks pass for all of them, one claim wins.
    const others = await Promise.all(Array.from({ length: 5 }, (_, i) => member(`px-race-stock-${i}`, 100)));
    const results = await Promise.all([who, ...others].map((m) => exchange(m, campaignId)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    for (const [i, m] of [who, ...others].entries()) {
      const coupons = await couponsOf(m, campaignId);
      const { balance } = await balanceOf(m);
      if (results[i]!.status === 201) expect([coupons.length, balance]).toEqual([1, (i === 0 ? 1000 : 100) - 100]);
      else expect([coupons.length, balance, results[i]!.body.error.code]).toEqual([0, i === 0 ? 1000 : 100, 'OUT_OF_STOCK']);
    }
  });
});

describe('racing attempts of one exchange', () => {
  it('an attempt that issued after the outcome was decided as refunded has its coupon withdrawn, and the refund is given once', async () => {
    const campaignId = await offer();
    const who = await member('px-late-issue', 300);
    const customerId = new Types.ObjectId(who.customerId);
    const id = `${who.customerId}:${campaignId}:late-key-001`;
    // Attempt A spent and then decided "refunded"; attempt B, slower, claims the coupon afterwards.
    const exchangeDoc = (
      await PointsExchange.create({
        _id: id,
        customerId,
        campaignId,
        key: 'late-key-001',
        name: '积分换 5 元券',
        points: 100,
        state: 'pending',
        createdAt: new Date(),
      })
    ).toObject();
    await spendPoints(customerId, 100, 'Exchanged', `points-exchange:${id}`);
    await ExchangeOutcome.create({
      _id: id,
      customerId,
      outcome: 'refunded',
      code: 'OUT_OF_STOCK',
      message: 'All coupons of this campaign have been claimed.',
      at: new Date(),
    });
    const late = await claimCoupon(campaignId, customerId, { channel: 'points', idempotencyKey: 'late-key-001' });
    expect(late.coupon.state).toBe('available');

    const settle = () =>
      completeExchange(exchangeDoc as never).then(
        () => 'issued',
        (err: { code?: string }) => err.code,
      );
    expect(await Promise.all([settle(), settle(), settle()])).toEqual(['OUT_OF_STOCK', 'OUT_OF_STOCK', 'OUT_OF_STOCK']);
    const coupons = await couponsOf(who, campaignId);
    expect(coupons.map((c) => c.state)).toEqual(['voided']);
    const ledger = await balanceOf(who);
    expect(ledger.balance).toBe(300);
    expect(ledger.items.filter((e) => e.type === 'refund')).toHaveLength(1);
    const timeline = await listTimeline(customerId, { types: ['coupon.withdrawn', 'points.refunded'] });
    expect(timeline.map((t) => t.type).sort()).toEqual(['coupon.withdrawn', 'points.refunded']);
  });
});

describe('a crash between spend and issue', () => {
  /** Runs one exchange on a second server process on the same database that dies at the failpoint. */
  async function exchangeOnDyingServer(who: SignedIn, campaignId: string, key: string, failpoint: string) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
      env: {
        ...process.env,
        PORT: '0',
        LOG_LEVEL: 'warn',
        MONGODB_URI: app.config.mongodbUri!,
        FERRETDB_BIN: inject('ferretdbBin'),
        SESSION_SECRET: SECRET,
        LOOPLINE_FAILPOINTS: failpoint,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    for (let i = 0; i < 300 && !/running at (http:\/\/\S+)/.test(out); i++) await sleep(100);
    const url = /running at (http:\/\/\S+)/.exec(out)?.[1];
    expect(url, out).toBeDefined();
    const attempt = await httpRequest(url!, 'POST', `/api/v1/points-exchange/${campaignId}`, {
      token: who.token,
      headers: { 'idempotency-key': key },
    }).catch((err: Error) => err);
    expect(attempt).toBeInstanceOf(Error); // the server died mid-request: no answer
    expect(await exited).toBe('SIGKILL');
  }

  it('a retry with the same key completes it: one spend, one coupon', async () => {
    const campaignId = await offer();
    const who = await member('px-crash-retry', 300);
    await exchangeOnDyingServer(who, campaignId, 'crash-key-001', 'points-exchange.after-spend');
    // Half done: the points are spent, no coupon yet, the exchange pending.
    expect((await balanceOf(who)).balance).toBe(200);
    expect(await couponsOf(who, campaignId)).toHaveLength(0);
    const id = `${who.customerId}:${campaignId}:crash-key-001`;
    expect((await PointsExchange.findById(id).lean())?.state).toBe('pending');

    const retry = await exchange(who, campaignId, 'crash-key-001');
    expect(retry.status, JSON.stringify(retry.body)).toBe(200);
    expect(retry.body.balance).toBe(200);
    expect(await couponsOf(who, campaignId)).toHaveLength(1);
    expect((await balanceOf(who)).items.filter((e) => e.type === 'spend')).toHaveLength(1);
  });

  it('the recovery job finishes it, or gives the points back when the coupon can no longer be issued', async () => {
    const campaignId = await offer();
    const who = await member('px-crash-recover', 300);
    await exchangeOnDyingServer(who, campaignId, 'crash-key-002', 'points-exchange.after-spend');
    await exchangeOnDyingServer(who, campaignId, 'crash-key-003', 'points-exchange.after-issue');
    expect((await balanceOf(who)).balance).toBe(100);

    // Not yet: within the grace period the request itself may still finish.
    expect((await recoverExchanges(new Date())).completed).toBe(0);
    await recoverExchanges(new Date(Date.now() + 60_000));
    expect(await couponsOf(who, campaignId)).toHaveLength(2);
    expect((await balanceOf(who)).balance).toBe(100);

    // Now a crash after the spend, and the campaign is ended before anyone comes back.
    await exchangeOnDyingServer(who, campaignId, 'crash-key-004', 'points-exchange.after-spend');
    expect((await balanceOf(who)).balance).toBe(0);
    expect(
      (await app.request('PATCH', `/api/v1/admin/campaigns/${campaignId}`, { token: admin.token, body: { status: 'ended' } })).status,
    ).toBe(200);
    await Promise.all([recoverExchanges(new Date(Date.now() + 60_000)), recoverExchanges(new Date(Date.now() + 60_000))]);
    const ledger = await balanceOf(who);
    expect(ledger.balance).toBe(100);
    expect(ledger.items.filter((e) => e.type === 'refund')).toHaveLength(1);
    expect(await couponsOf(who, campaignId)).toHaveLength(2);
    const outcome = await ExchangeOutcome.findById(`${who.customerId}:${campaignId}:crash-key-004`).lean();
    expect(outcome).toMatchObject({ outcome: 'refunded', code: 'ENDED' });
    const retry = await exchange(who, campaignId, 'crash-key-004');
    expect(retry.status).toBe(409);
    expect(retry.body.error.code).toBe('ENDED');
    expect((await balanceOf(who)).balance).toBe(100);
  });
});

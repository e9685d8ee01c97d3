// A campaign that holds suspicious claims for review, under real concurrent claims against the real
// server and database: stock stays exact through holding, issuing and refusing.
import { setTimeout as sleep } from 'node:timers/promises';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/helpers';
import { callFrom, closeAddressAgents, inParallel, signInFrom, type ClientPerson } from '../../test/fromAddress';
import { LOGIN_LIMITS } from '../auth/routes';

let app: TestApp;
let adminToken: string;
let campaignId: string;
const STOCK = 100;

type Person = ClientPerson;

const signIn = (openid: string, address: string, dev?: string) => signInFrom(app.url, openid, address, dev);
const call = (p: Person, method: string, path: string, body?: unknown) => callFrom(app.url, p, method, path, body);
const admin = (method: string, path: string, body?: unknown) =>
  app.request(method, path, { token: adminToken, ...(body === undefined ? {} : { body }) });

/** Stock places taken in the database: every coupon of the campaign on a place ≥ 0. */
async function placesTaken(): Promise<number[]> {
  const docs = await mongoose.connection
    .collection('coupons')
    .find({ campaignId: new mongoose.Types.ObjectId(campaignId) }, { projection: { stockSlot: 1 } })
    .toArray();
  return docs.map((d) => d.stockSlot as number).filter((s) => s >= 0);
}

const shuffle = <T>(list: T[]) =>
  list
    .map((v) => [Math.random(), v] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([, v]) => v);

beforeAll(async () => {
  app = await startTestApp({ ADMIN_OPENIDS: 'hold-admin', LOG_LEVEL: 'error' });
  LOGIN_LIMITS.perIp.max = 10_000;
  adminToken = (await signIn('hold-admin', '127.0.0.1')).token;
  const created = await admin('POST', '/api/v1/admin/campaigns', {
    name: '开业礼',
    type: 'cash',
    valueFen: 2000,
    stock: STOCK,
    perUserLimit: 1,
    validity: { kind: 'days', days: 30 },
    holdSuspicious: true,
  });
  expect(created.status, created.text).toBe(201);
  expect(created.body.holdSuspicious).toBe(true);
  campaignId = created.body.id;
}, 120_000);

afterAll(async () => {
  closeAddressAgents();
  await app?.close();
});

describe('holding suspicious claims for review', () => {
  it('holds the farm, issues honest claims, keeps stock exact, and returns refused places', async () => {
    const farmAddresses = ['127.0.5.1', '127.0.5.2', '127.0.5.3'];
    const farm = await inParallel(
      Array.from({ length: 300 }, (_, i) => i),
      12,
      (i) => signIn(`hold-farm-${i}`, farmAddresses[i % 3]!),
    );
    const honest = await inParallel(
      Array.from({ length: 60 }, (_, i) => i),
      12,
      (i) => signIn(`hold-honest-${i}`, `127.0.6.${i + 1}`),
    );
    const everyone = shuffle([...farm.map((p) => ({ p, farm: true })), ...honest.map((p) => ({ p, farm: false }))]);
    const answers = await inParallel(everyone, 48, async ({ p, farm: isFarm }) => {
      const res = await call(p, 'POST', `/api/v1/campaigns/${campaignId}/claim`);
      return {
        status: res.status,
        code: res.body?.error?.code as string | undefined,
        coupon: res.body?.coupon,
        underReview: res.body?.underReview,
        isFarm,
        p,
      };
    });

    const issued = answers.filter((a) => a.status === 201);
    const held = answers.filter((a) => a.status === 202);
    const soldOut = answers.filter((a) => a.status === 409 && a.code === 'OUT_OF_STOCK');
    expect(issued.length + held.length + soldOut.length).toBe(answers.length);
    expect(issued.length + held.length).toBe(STOCK);
    expect(held.length).toBeGreaterThan(0);
    for (const h of held) expect(h).toMatchObject({ underReview: true, coupon: { state: 'held' } });
    expect(held.filter((h) => !h.isFarm)).toEqual([]);
    const places = await placesTaken();
    expect(places.length).toBe(STOCK);
    expect(new Set(places).size).toBe(STOCK);
    expect(Math.max(...places)).toBeLessThan(STOCK);

    // A held coupon cannot be used or given.
    const one = held[0]!;
    const gift = await call(one.p, 'POST', `/api/v1/coupons/${one.coupon.id}/gift`);
    expect(gift.status).toBe(409);
    expect(gift.body.error.code).toBe('COUPON_UNDER_REVIEW');

    // Every held claim waits in the review queue.
    const queue = await admin('GET', '/api/v1/admin/engagement/review?kind=claim&limit=200');
    const queued = queue.body.items.filter((f: { held: boolean }) => f.held);
    expect(queued.map((f: { couponId: string }) => f.couponId).sort()).toEqual(held.map((h) => h.coupon.id).sort());

    // Clear three (each sent twice at once: decided once), refuse the rest (likewise).
    const [cleared, refused] = [held.slice(0, 3), held.slice(3)];
    const decide = (h: (typeof held)[number], action: 'confirm' | 'clear') =>
      admin('POST', `/api/v1/admin/engagement/review/claim:${h.coupon.id}/decision`, { action });
    const decisions = await inParallel(
      [
        ...cleared.flatMap((h) => [[h, 'clear'] as const, [h, 'clear'] as const]),
        ...refused.flatMap((h) => [[h, 'confirm'] as const, [h, 'confirm'] as const]),
      ],
      16,
      ([h, action]) => decide(h, action),
    );
    for (const d of decisions) expect(d.status, d.text).toBe(200);
    for (const h of cleared) {
      const mine = await call(h.p, 'GET', `/api/v1/coupons/${h.coupon.id}`);
      expect(mine.body.coupon.state).toBe('available');
    }
    for (const h of refused.slice(0, 5)) {
      const mine = await call(h.p, 'GET', `/api/v1/coupons/${h.coupon.id}`);
      expect(mine.body.coupon.state).toBe('voided');
    }
    const afterReview = await admin('GET', `/api/v1/admin/campaigns/${campaignId}`);
    expect(afterReview.body).toMatchObject({ issued: STOCK - refused.length, remaining: refused.length });
    expect((await placesTaken()).length).toBe(STOCK - refused.length);

    // The refused places go to others: exactly as many new claims succeed, no more.
    await sleep(1_500);
    const late = await inParallel(
      Array.from({ length: refused.length + 20 }, (_, i) => i),
      8,
      (i) => signIn(`hold-late-${i}`, `127.0.7.${i + 1}`),
    );
    const second = await inParallel(late, 24, async (p) => (await call(p, 'POST', `/api/v1/campaigns/${campaignId}/claim`)).status);
    expect(second.filter((s) => s === 201 || s === 202).length).toBe(refused.length);
    expect(second.filter((s) => s === 409).length).toBe(20);
    const finalPlaces = await placesTaken();
    expect(finalPlaces.length).toBe(STOCK);
    expect(new Set(finalPlaces).size).toBe(STOCK);
    expect(Math.max(...finalPlaces)).toBeLessThan(STOCK);
  }, 600_000);
});

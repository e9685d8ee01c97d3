import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/helpers';
import { login, type SignedIn } from '../../test/session';
import { LOGIN_LIMITS } from '../auth/routes';
import { Coupon } from './model';

let app: TestApp;
let admin: SignedIn;
let clerk: SignedIn;
let clerkB: SignedIn;
let manager: SignedIn;
let storeA: string;
let storeB: string;

const post = (path: string, who: SignedIn | undefined, body?: unknown, headers?: Record<string, string>) =>
  app.request('POST', path, {
    ...(who ? { token: who.token } : {}),
    ...(body === undefined ? {} : { body }),
    ...(headers ? { headers } : {}),
  });
const get = (path: string, who: SignedIn) => app.request('GET', path, { token: who.token });

beforeAll(async () => {
  app = await startTestApp({ ADMIN_OPENIDS: 'coupon-admin', SESSION_SECRET: 'x'.repeat(40) });
  // Every test customer signs in from 127.0.0.1; the per-address login limit is not under test here.
  LOGIN_LIMITS.perIp.max = 10_000;
  admin = await login(app, 'coupon-admin');
  storeA = (await post('/api/v1/admin/stores', admin, { name: 'Store A', code: 'CA-001' })).body.id;
  storeB = (await post('/api/v1/admin/stores', admin, { name: 'Store B', code: 'CB-001' })).body.id;
  [clerk, clerkB, manager] = await Promise.all([login(app, 'clerk-a'), login(app, 'clerk-b'), login(app, 'manager-a')]);
  for (const [who, role, storeId] of [
    [clerk, 'clerk', storeA],
    [clerkB, 'clerk', storeB],
    [manager, 'manager', storeA],
  ] as const) {
    const res = await post('/api/v1/admin/staff', admin, { customerId: who.customerId, role, storeId });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
});
afterAll(async () => {
  await app?.close();
});

async function newCampaign(body: Record<string, unknown> = {}) {
  const res = await post('/api/v1/admin/campaigns', admin, {
    name: 'Welcome 10 off',
    type: 'cash',
    valueFen: 1000,
    stock: 10,
    perUserLimit: 1,
    validity: { kind: 'days', days: 30 },
    status: 'active',
    ...body,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string };
}

describe('campaign routes', () => {
  it('creates a campaign for an admin only, with field paths on bad input', async () => {
    const c = await newCampaign();
    expect(c).toMatchObject({ id: expect.any(String), type: 'cash', valueFen: 1000, stock: 10, issued: 0, status: 'active' });
    const customer = await login(app, 'nosy-customer');
    expect((await post('/api/v1/admin/campaigns', customer, { name: 'x' })).status).toBe(403);
    expect((await post('/api/v1/admin/campaigns', undefined, { name: 'x' })).status).toBe(401);
    const bad = await post('/api/v1/admin/campaigns', admin, {
      name: '',
      type: 'discount',
      stock: -1,
      perUserLimit: 1,
      validity: { kind: 'days' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect(bad.body.error.fields.map((f: { path: string }) => f.path)).toEqual(
      expect.arrayContaining(['body.name', 'body.stock', 'body.validity.days']),
    );
  });

  it('lists claimable campaigns and hides drafts', async () => {
    const live = await newCampaign({ name: 'Live one' });
    const draft = await newCampaign({ name: 'Draft one', status: 'draft' });
    const shopper = await login(app, 'browsing-shopper');
    const list = await get('/api/v1/campaigns', shopper);
    const ids = list.body.items.map((c: { id: string }) => c.id);
    expect(ids).toContain(live.id);
    expect(ids).not.toContain(draft.id);
    expect((await post(`/api/v1/campaigns/${draft.id}/claim`, shopper)).body.error.code).toBe('NOT_CLAIMABLE');
  });
});

describe('claiming over HTTP', () => {
  it('holds stock and limits under 80 concurrent claims from 40 customers; Idempotency-Key replays the same coupon', async () => {
    const c = await newCampaign({ stock: 25, perUserLimit: 1 });
    const customers = await Promise.all(Array.from({ length: 40 }, (_, i) => login(app, `storm-${i}`)));
    const responses = await Promise.all(
      customers.flatMap((who, i) => [
        post(`/api/v1/campaigns/${c.id}/claim`, who, undefined, { 'Idempotency-Key': `storm-key-${i}-1` }),
        post(`/api/v1/campaigns/${c.id}/claim`, who, undefined, { 'Idempotency-Key': `storm-key-${i}-2` }),
      ]),
    );
    const created = responses.filter((r) => r.status === 201);
    expect(created).toHaveLength(25);
    expect(
      responses
        .filter((r) => r.status === 409)
        .map((r) => r.body.error.code)
        .sort(),
    ).toEqual(expect.arrayContaining(['OUT_OF_STOCK']));
    expect(
      responses.every((r) => r.status === 201 || (r.status === 409 && ['OUT_OF_STOCK', 'LIMIT_REACHED'].includes(r.body.error.code))),
    ).toBe(true);
    expect(created[0]!.body.coupon).toMatchObject({
      id: expect.any(String),
      code: expect.stringMatching(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/),
      state: 'available',
    });

    const holders = new Map<string, number>();
    for (const coupon of await Coupon.find({ campaignId: c.id }).lean()) {
      holders.set(String(coupon.claimantId), (holders.get(String(coupon.claimantId)) ?? 0) + 1);
    }
    expect([...holders.values()].every((n) => n === 1)).toBe(true);
    expect(holders.size).toBe(25);

    // Retry of a winning request: same coupon, nothing new.
    const winnerIndex = responses.findIndex((r) => r.status === 201);
    const who = customers[Math.floor(winnerIndex / 2)]!;
    const replay = await post(`/api/v1/campaigns/${c.id}/claim`, who, undefined, {
      'Idempotency-Key': `storm-key-${Math.floor(winnerIndex / 2)}-${(winnerIndex % 2) + 1}`,
    });
    expect(replay.status).toBe(201);
    expect(replay.body.coupon.id).toBe(responses[winnerIndex]!.body.coupon.id);
    expect(await Coupon.countDocuments({ campaignId: c.id })).toBe(25);

    const mine = await get('/api/v1/coupons', who);
    expect(mine.body.items.map((x: { id: string }) => x.id)).toEqual([replay.body.coupon.id]);
    const report = await get(`/api/v1/admin/reports/funnel?campaignId=${c.id}`, admin);
    expect(report.body).toMatchObject({ stock: 25, issued: 25, claimed: 25, redeemed: 0 });
  });
});

describe('redemption over HTTP', () => {
  it('redeems exactly once under 50 concurrent requests; 404 for unknown codes; only a manager voids', async () => {
    const c = await newCampaign({ thresholdFen: 3000, storeIds: [storeA] });
    const shopper = await login(app, 'redeeming-shopper');
    expect((await post('/api/v1/members/join', shopper, { acceptTerms: true, termsVersion: '2026-01' })).status).toBe(201);
    const pointsOf = async () => (await get('/api/v1/me/points', shopper)).body.balance as number;
    const claimed = await post(`/api/v1/campaigns/${c.id}/claim`, shopper);
    const code: string = claimed.body.coupon.code;

    const preview = await post('/api/v1/staff/redemptions/preview', clerk, { code, orderAmountFen: 5000 });
    expect(preview.body).toMatchObject({ usable: true, discountFen: 1000 });
    const elsewhere = await post('/api/v1/staff/redemptions/preview', clerkB, { code, orderAmountFen: 5000 });
    expect(elsewhere.body).toMatchObject({ usable: false, reason: 'NOT_USABLE_HERE' });
    expect((await post('/api/v1/staff/redemptions', shopper, { code })).status).toBe(403);
    expect((await post('/api/v1/staff/redemptions', clerk, { code: 'ZZZZ-ZZZZ-ZZZZ-ZZZZ' })).status).toBe(404);
    expect((await post('/api/v1/staff/redemptions', clerk, { code, orderAmountFen: 2000 })).body.error.code).toBe('THRESHOLD_NOT_MET');

    const attempts = await Promise.all(
      Array.from({ length: 50 }, () => post('/api/v1/staff/redemptions', clerk, { code: code.toLowerCase(), orderAmountFen: 5000 })),
    );
    const wins = attempts.filter((r) => r.status === 201);
    expect(wins).toHaveLength(1);
    expect(attempts.filter((r) => r.status === 409 && r.body.error.code === 'ALREADY_REDEEMED')).toHaveLength(49);
    const redemption = wins[0]!.body.redemption;
    expect(redemption).toMatchObject({
      discountFen: 1000,
      orderAmountFen: 5000,
      storeId: storeA,
      staffId: clerk.customerId,
      status: 'done',
    });

    const today = await get('/api/v1/staff/redemptions/today', clerk);
    expect(today.body.items.map((r: { id: string }) => r.id)).toContain(redemption.id);
    // One point per yuan of the order, once, however many tills tried.
    expect(await pointsOf()).toBe(50);

    expect((await post(`/api/v1/staff/redemptions/${redemption.id}/void`, clerk)).status).toBe(403);
    const voided = await post(`/api/v1/staff/redemptions/${redemption.id}/void`, manager);
    expect(voided.status, JSON.stringify(voided.body)).toBe(200);
    expect(voided.body).toMatchObject({ redemption: { status: 'void' + 'ed' }, coupon: { state: 'available' } });
    expect((await post(`/api/v1/staff/redemptions/${redemption.id}/void`, manager)).body.error.code).toBe('ALREADY_VOIDED');
    // The void is complete: the points are taken back, once, and the ledger shows both entries.
    expect(await pointsOf()).toBe(0);
    const ledger = (await get('/api/v1/me/points', shopper)).body.items as Array<{ points: number }>;
    expect(ledger.map((e) => e.points).sort((a, b) => a - b)).toEqual([-50, 50]);
    const again = await post('/api/v1/staff/redemptions', clerk, { code, orderAmountFen: 5000 });
    expect(again.status).toBe(201);
    expect(await pointsOf()).toBe(50);
    const report = await get(`/api/v1/admin/reports/funnel?campaignId=${c.id}`, admin);
    expect(report.body).toMatchObject({ redeemed: 1 });
    expect(report.body.byClerk[0]).toMatchObject({ staffId: clerk.customerId, redeemed: 1, voided: 1 });
  });

  it('takes the screen QR token in place of the code', async () => {
    const c = await newCampaign();
    const shopper = await login(app, 'qr-shopper');
    const { coupon } = (await post(`/api/v1/campaigns/${c.id}/claim`, shopper)).body;
    const qr = await get(`/api/v1/coupons/${coupon.id}/qr-token`, shopper);
    expect(qr.status).toBe(200);
    const other = await login(app, 'qr-snooper');
    expect((await get(`/api/v1/coupons/${coupon.id}/qr-token`, other)).status).toBe(404);
    const done = await post('/api/v1/staff/redemptions', clerk, { qrToken: qr.body.token });
    expect(done.status).toBe(201);
    expect(done.body.coupon).toMatchObject({ id: coupon.id, state: 'redeemed' });
  });
});

describe('gifting over HTTP', () => {
  it('gives the coupon to exactly one of two friends accepting at once', async () => {
    const c = await newCampaign();
    const [giver, friend1, friend2] = await Promise.all([login(app, 'giver'), login(app, 'friend-1'), login(app, 'friend-2')]);
    const { coupon } = (await post(`/api/v1/campaigns/${c.id}/claim`, giver)).body;
    const gift = await post(`/api/v1/coupons/${coupon.id}/gift`, giver);
    expect(gift.status).toBe(201);
    expect(gift.body.coupon.state).toBe('gifting');
    expect((await post('/api/v1/gifts/accept', giver, { token: gift.body.token })).body.error.code).toBe('OWN_GIFT');
    const [a, b] = await Promise.all([
      post('/api/v1/gifts/accept', friend1, { token: gift.body.token }),
      post('/api/v1/gifts/accept', friend2, { token: gift.body.token }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const winner = a.status === 200 ? friend1 : friend2;
    expect((await get('/api/v1/coupons', winner)).body.items.map((x: { id: string }) => x.id)).toContain(coupon.id);
    expect((await get('/api/v1/coupons', giver)).body.items.map((x: { id: string }) => x.id)).not.toContain(coupon.id);
    expect((await get(`/api/v1/admin/reports/funnel?campaignId=${c.id}`, admin)).body.gifted).toBe(1);
  });
});

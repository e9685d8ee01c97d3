import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meResponse, memberState, pointsPage } from '@shared/api/members';
import { startTestApp, type TestApp } from '../../test/helpers';
import { identifyAtStore, login, type SignedIn } from '../../test/session';
import { listTimeline } from '../customers/service';
import { LedgerEntry } from './model';
import { earnPoints, pointsBalance, reversePoints, spendPoints } from './points';

let app: TestApp;
let admin: SignedIn;
let storeA: string;
let storeB: string;
let managerA: SignedIn;
let clerkA: SignedIn;
beforeAll(async () => {
  app = await startTestApp({ ADMIN_OPENIDS: 'admin-m' });
  admin = await login(app, 'admin-m');
  storeA = (await app.request('POST', '/api/v1/admin/stores', { token: admin.token, body: { name: 'A 店', code: 'A1' } })).body.id;
  storeB = (await app.request('POST', '/api/v1/admin/stores', { token: admin.token, body: { name: 'B 店', code: 'B1' } })).body.id;
  managerA = await login(app, 'manager-a');
  clerkA = await login(app, 'clerk-a');
  await app.request('POST', '/api/v1/admin/staff', {
    token: admin.token,
    body: { customerId: managerA.customerId, role: 'manager', storeId: storeA },
  });
  await app.request('POST', '/api/v1/admin/staff', {
    token: admin.token,
    body: { customerId: clerkA.customerId, role: 'clerk', storeId: storeA },
  });
});
afterAll(async () => {
  await app?.close();
});

const join = (who: SignedIn, extra: Record<string, unknown> = {}) =>
  app.request('POST', '/api/v1/members/join', { token: who.token, body: { acceptTerms: true, termsVersion: '2026-01', ...extra } });

/** Checks the chain (seq 1..n, each balance = previous + points, never negative); returns sum and head. */
async function ledgerCheck(customerId: string): Promise<{ sum: number; balance: number; entries: number }> {
  const entries = await LedgerEntry.find({ customerId: new Types.ObjectId(customerId) })
    .sort({ seq: 1 })
    .lean();
  let sum = 0;
  entries.forEach((e, i) => {
    expect(e.seq).toBe(i + 1);
    sum += e.points;
    expect(e.balanceAfter).toBe(sum);
    expect(e.balanceAfter).toBeGreaterThanOrEqual(0);
  });
  return { sum, balance: await pointsBalance(new Types.ObjectId(customerId)), entries: entries.length };
}

describe('joining', () => {
  it('refuses a join without consent, with field paths, and changes nothing', async () => {
    const who = await login(app, 'no-consent');
    const res = await app.request('POST', '/api/v1/members/join', { token: who.token, body: { acceptTerms: false, termsVersion: 'old' } });
    expect(res.status).toBe(400);
    expect(res.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual(['body.acceptTerms', 'body.termsVersion']);
    expect((await app.request('GET', '/api/v1/me', { token: who.token })).body.member).toBeNull();
    expect((await join({ token: '', customerId: '' })).status).toBe(401);
  });

  it('records consent with version and time, binds the phone, and refuses a second join', async () => {
    const who = await login(app, 'joiner');
    const res = await join(who, { phoneCode: 'test-phone:13800138000' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      memberNo: expect.stringMatching(/^\d{9}$/),
      tier: { id: 'regular', name: '普通' },
      points: 0,
      termsVersion: '2026-01',
      phone: '138****8000',
      nextTier: { id: 'silver', name: '银卡', pointsNeeded: 1000 },
    });
    expect((await join(who)).body.error.code).toBe('ALREADY_MEMBER');
    const me = await app.request('GET', '/api/v1/me', { token: who.token });
    expect(me.body.member.memberNo).toBe(res.body.memberNo);
    // What the mini-program reads matches the shared contract.
    expect(memberState.safeParse(res.body).success).toBe(true);
    expect(meResponse.safeParse(me.body).success).toBe(true);
    const [joined] = await listTimeline(new Types.ObjectId(who.customerId), { types: ['member.joined'] });
    expect(joined?.data).toMatchObject({ termsVersion: '2026-01', termsAcceptedAt: expect.any(String), phoneBound: true });
  });

  it('refuses a bad phone code with 400 and does not join', async () => {
    const who = await login(app, 'bad-phone');
    const res = await join(who, { phoneCode: 'nonsense' });
    expect(res.status).toBe(400);
    expect(res.body.error.fields[0].path).toBe('body.phoneCode');
    expect((await app.request('GET', '/api/v1/me', { token: who.token })).body.member).toBeNull();
  });
});

describe('points ledger', () => {
  it('keeps balance == sum of the ledger, never negative, under 50 concurrent earn/spend requests', async () => {
    const who = await login(app, 'busy-member');
    await join(who);
    await identifyAtStore(app, managerA, who, storeA);
    const adjust = (points: number, refKey: string) =>
      app.request('POST', '/api/v1/staff/points/adjust', {
        token: managerA.token,
        body: { customerId: who.customerId, points, reason: 'counter', refKey, storeId: storeA },
      });
    expect((await adjust(100, 'seed')).status).toBe(201);

    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 5 === 0 ? adjust(10, `up-${i}`) : adjust(-20, `down-${i}`))),
    );
    const elapsedMs = Math.round(performance.now() - started);
    const statuses = results.map((r) => r.status);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    const refused = results.filter((r) => r.status === 409);
    expect(refused.every((r) => r.body.error.code === 'INSUFFICIENT_POINTS')).toBe(true);
    // 100 + 10 × 10 = 200 points could pay at most 10 debits of 20.
    const debits = results.filter((r, i) => i % 5 !== 0 && r.status === 201).length;
    expect(debits).toBeLessThanOrEqual(10);

    const ledger = await ledgerCheck(who.customerId);
    expect(ledger.balance).toBe(ledger.sum);
    expect(ledger.balance).toBe(200 - debits * 20);
    expect(ledger.entries).toBe(1 + 10 + debits);
    console.log(
      `ledger race: 50 concurrent requests, ${debits} debits granted, ${refused.length} refused, balance ${ledger.balance}, ${elapsedMs} ms in all`,
    );

    // Walk the ledger page by page: every entry once, newest first.
    const seen: Array<{ id: string; at: string }> = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: Array<{ id: string; at: string }>; nextCursor: string | null; balance: number } } =
        await app.request('GET', `/api/v1/me/points?limit=7${cursor ? `&cursor=${cursor}` : ''}`, { token: who.token });
      expect(page.status).toBe(200);
      expect(pointsPage.safeParse(page.body).success).toBe(true);
      expect(page.body.balance).toBe(ledger.balance);
      expect(page.body.items.length).toBeLessThanOrEqual(7);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(ledger.entries);
    expect(new Set(seen.map((e) => e.id)).size).toBe(ledger.entries);
    expect((await app.request('GET', '/api/v1/me/points?limit=500', { token: who.token })).status).toBe(400);
  });

  it('keeps the invariant for the service functions the coupons module calls, racing too', async () => {
    const who = await login(app, 'service-member');
    await join(who);
    const id = new Types.ObjectId(who.customerId);
    const ops = Array.from({ length: 50 }, (_, i) =>
      i % 2 === 0
        ? earnPoints(id, 7, 'redemption', `redeem-${i}`)
        : spendPoints(id, 9, 'gift', `spend-${i}`).catch((err: { code?: string }) => {
            if (err.code !== 'INSUFFICIENT_POINTS') throw err;
          }),
    );
    await Promise.all(ops);
    const ledger = await ledgerCheck(who.customerId);
    expect(ledger.balance).toBe(ledger.sum);
    expect(ledger.entries).toBeGreaterThanOrEqual(25);
  });

  it('posts each refKey once and reverses earned points once', async () => {
    const who = await login(app, 'idem-member');
    await join(who);
    const id = new Types.ObjectId(who.customerId);
    const [a, b] = await Promise.all([
      earnPoints(id, 300, 'redemption R1', 'redemption:R1'),
      earnPoints(id, 300, 'redemption R1', 'redemption:R1'),
    ]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(await pointsBalance(id)).toBe(300);

    await spendPoints(id, 250, 'gift', 'spend:1');
    const reversed = await reversePoints(id, 'redemption:R1', 'redemption voided');
    // Only 50 were left: a reversal never makes the balance negative.
    expect(reversed.entry.points).toBe(-50);
    const again = await reversePoints(id, 'redemption:R1', 'redemption voided');
    expect(again.created).toBe(false);
    expect(await pointsBalance(id)).toBe(0);
    expect((await ledgerCheck(who.customerId)).sum).toBe(0);
    await expect(spendPoints(id, 1, 'x', 'spend:2')).rejects.toMatchObject({ code: 'INSUFFICIENT_POINTS' });
    // The refused spend left no trace, so its key stays usable.
    expect(await LedgerEntry.countDocuments({ refKey: 'spend:2' })).toBe(0);
  });

  it('adjusting is for a manager of the store or an admin; same refKey twice posts once', async () => {
    const who = await login(app, 'adjusted');
    await join(who);
    await identifyAtStore(app, managerA, who, storeA);
    const body = { customerId: who.customerId, points: 50, reason: 'goodwill', refKey: 'gw-1', storeId: storeA };
    const asCustomer = await app.request('POST', '/api/v1/staff/points/adjust', { token: who.token, body });
    expect(asCustomer.status).toBe(403);
    const asClerk = await app.request('POST', '/api/v1/staff/points/adjust', { token: clerkA.token, body });
    expect(asClerk.status).toBe(403);
    const otherStore = await app.request('POST', '/api/v1/staff/points/adjust', {
      token: managerA.token,
      body: { ...body, storeId: storeB },
    });
    expect(otherStore.status).toBe(403);
    const invalid = await app.request('POST', '/api/v1/staff/points/adjust', {
      token: managerA.token,
      body: { ...body, points: 0, reason: '' },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual(['body.points', 'body.reason']);

    expect((await app.request('POST', '/api/v1/staff/points/adjust', { token: managerA.token, body })).status).toBe(201);
    expect((await app.request('POST', '/api/v1/staff/points/adjust', { token: admin.token, body })).status).toBe(200);
    expect((await app.request('GET', '/api/v1/me', { token: who.token })).body.member.points).toBe(50);
    const [entry] = await listTimeline(new Types.ObjectId(who.customerId), { types: ['points.adjusted'] });
    expect(entry?.storeId?.toString()).toBe(storeA);
    expect(entry?.staffId?.toString()).toBe(managerA.customerId);
  });

  it('answers 409 NOT_A_MEMBER before joining', async () => {
    const who = await login(app, 'not-member');
    expect((await app.request('GET', '/api/v1/me/points', { token: who.token })).body.error.code).toBe('NOT_A_MEMBER');
    expect((await app.request('GET', '/api/v1/me/member-code', { token: who.token })).status).toBe(409);
    expect((await app.request('GET', '/api/v1/me/points')).status).toBe(401);
  });
});

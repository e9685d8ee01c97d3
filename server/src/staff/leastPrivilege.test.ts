import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pointsAdjustmentRequest } from '@shared/api/members';
import { startTestApp, type TestApp } from '../../test/helpers';
import { identifyAtStore, login, type SignedIn } from '../../test/session';
import { listTimeline } from '../customers/service';
import { pointsBalance } from '../members/points';

// Managers hold exactly what their job needs: clerk grants of their own store, and modest points
// corrections for their own store's customers. Each escalation found against a running server is
// tried here against the real server and database.

let app: TestApp;
let admin: SignedIn;
let manager: SignedIn;
let coManager: SignedIn;
let otherManager: SignedIn;
let storeA: string;
let storeB: string;

const post = (who: SignedIn, path: string, body?: unknown) => app.request('POST', path, { token: who.token, ...(body ? { body } : {}) });
const rolesOf = async (who: SignedIn) => (await app.request('GET', '/api/v1/me', { token: who.token })).body.roles;
const join = (who: SignedIn) => post(who, '/api/v1/members/join', { acceptTerms: true, termsVersion: '2026-01' });

beforeAll(async () => {
  app = await startTestApp({ ADMIN_OPENIDS: 'lp-admin', POINTS_ADJUST_CAP: '500' });
  admin = await login(app, 'lp-admin');
  [manager, coManager, otherManager] = await Promise.all([
    login(app, 'lp-manager'),
    login(app, 'lp-co-manager'),
    login(app, 'lp-other-manager'),
  ]);
  storeA = (await post(admin, '/api/v1/admin/stores', { name: '静安店', code: 'LP-A' })).body.id;
  storeB = (await post(admin, '/api/v1/admin/stores', { name: '浦东店', code: 'LP-B' })).body.id;
  for (const [who, storeId] of [
    [manager, storeA],
    [coManager, storeA],
    [otherManager, storeB],
  ] as const) {
    expect((await post(admin, '/api/v1/admin/staff', { customerId: who.customerId, role: 'manager', storeId })).status).toBe(201);
  }
});
afterAll(() => app?.close());

describe('role grants', () => {
  it('a manager cannot demote a co-manager to clerk and then revoke them', async () => {
    const demote = await post(manager, '/api/v1/admin/staff', { customerId: coManager.customerId, role: 'clerk', storeId: storeA });
    expect(demote.status).toBe(403);
    expect(await rolesOf(coManager)).toEqual([{ role: 'manager', storeId: storeA, storeName: '静安店' }]);
    const grantId = encodeURIComponent(`${coManager.customerId}:${storeA}`);
    expect((await app.request('DELETE', `/api/v1/admin/staff/${grantId}`, { token: manager.token })).status).toBe(403);
    expect(await rolesOf(coManager)).toHaveLength(1);
  });

  it('a manager cannot touch their own grant, nor an admin’s', async () => {
    expect((await post(manager, '/api/v1/admin/staff', { customerId: manager.customerId, role: 'clerk', storeId: storeA })).status).toBe(
      403,
    );
    expect(
      (await app.request('DELETE', `/api/v1/admin/staff/${encodeURIComponent(`${admin.customerId}:admin`)}`, { token: manager.token }))
        .status,
    ).toBe(403);
    expect(await rolesOf(manager)).toEqual([{ role: 'manager', storeId: storeA, storeName: '静安店' }]);
  });

  it('a manager still grants and revokes clerks of their own store', async () => {
    const clerk = await login(app, 'lp-clerk');
    const grant = await post(manager, '/api/v1/admin/staff', { customerId: clerk.customerId, role: 'clerk', storeId: storeA });
    expect(grant.status).toBe(201);
    // Not in another store, and not as a manager.
    expect((await post(manager, '/api/v1/admin/staff', { customerId: clerk.customerId, role: 'clerk', storeId: storeB })).status).toBe(403);
    expect((await post(manager, '/api/v1/admin/staff', { customerId: clerk.customerId, role: 'manager', storeId: storeA })).status).toBe(
      403,
    );
    expect((await app.request('DELETE', `/api/v1/admin/staff/${encodeURIComponent(grant.body.id)}`, { token: manager.token })).status).toBe(
      204,
    );
  });
});

describe('points adjustments', () => {
  let regular: SignedIn;
  let stranger: SignedIn;
  beforeAll(async () => {
    [regular, stranger] = await Promise.all([login(app, 'lp-regular'), login(app, 'lp-stranger')]);
    for (const who of [regular, stranger, manager]) expect((await join(who)).status).toBe(201);
    await identifyAtStore(app, manager, regular, storeA);
    await identifyAtStore(app, otherManager, stranger, storeB);
  });
  const adjust = (who: SignedIn, customer: SignedIn, points: number, refKey: string, storeId = storeA) =>
    post(who, '/api/v1/staff/points/adjust', { customerId: customer.customerId, points, reason: `reason ${refKey}`, refKey, storeId });
  const balanceOf = (who: SignedIn) => pointsBalance(new Types.ObjectId(who.customerId));

  it('nobody adjusts their own points', async () => {
    expect((await adjust(manager, manager, 1_000_000, 'self-1')).status).toBe(403);
    expect((await adjust(manager, manager, 10, 'self-2')).status).toBe(403);
    expect(await balanceOf(manager)).toBe(0);
  });

  it('a manager adjusts only customers of their own store', async () => {
    // The stranger shops at store B: not this manager's customer, whichever store is named.
    expect((await adjust(manager, stranger, 100, 'stranger-1')).status).toBe(403);
    expect((await adjust(manager, stranger, 100, 'stranger-2', storeB)).status).toBe(403);
    expect(await balanceOf(stranger)).toBe(0);
    // Becoming a clerk of the store by the manager's grant does not make someone its customer.
    const grant = await post(manager, '/api/v1/admin/staff', { customerId: stranger.customerId, role: 'clerk', storeId: storeA });
    expect(grant.status).toBe(201);
    expect((await adjust(manager, stranger, 100, 'stranger-3')).status).toBe(403);
    expect((await app.request('DELETE', `/api/v1/admin/staff/${encodeURIComponent(grant.body.id)}`, { token: manager.token })).status).toBe(
      204,
    );
    expect(await balanceOf(stranger)).toBe(0);
    const res = await adjust(manager, regular, 100, 'regular-1');
    expect(res.status).toBe(201);
    expect(await balanceOf(regular)).toBe(100);
  });

  it('above the cap an admin must approve; the adjustment is audited on the timeline', async () => {
    const held = await adjust(manager, regular, 1_000_000, 'big-1');
    expect(held.status).toBe(202);
    expect(pointsAdjustmentRequest.parse(held.body)).toMatchObject({
      state: 'pending',
      points: 1_000_000,
      requestedBy: manager.customerId,
    });
    expect(await balanceOf(regular)).toBe(100);
    // The same request again is the same request.
    expect((await adjust(manager, regular, 1_000_000, 'big-1')).status).toBe(202);
    // A manager (even of the store) cannot approve it.
    expect((await post(coManager, `/api/v1/admin/points/adjustments/${held.body.id}/approve`)).status).toBe(403);
    const pending = await app.request('GET', '/api/v1/admin/points/adjustments', { token: admin.token });
    expect(pending.body.items.map((r: { id: string }) => r.id)).toContain('big-1');

    const approved = await post(admin, `/api/v1/admin/points/adjustments/${held.body.id}/approve`);
    expect(approved.status).toBe(201);
    // Approving twice posts once.
    expect((await post(admin, `/api/v1/admin/points/adjustments/${held.body.id}/approve`)).status).toBe(200);
    expect(await balanceOf(regular)).toBe(1_000_100);

    const timeline = await listTimeline(new Types.ObjectId(regular.customerId), {
      types: ['points.adjusted', 'points.adjustment_requested'],
    });
    const adjusted = timeline.filter((e) => e.type === 'points.adjusted');
    expect(adjusted).toHaveLength(2);
    expect(adjusted.find((e) => e.data.refKey === 'big-1')).toMatchObject({
      staffId: new Types.ObjectId(manager.customerId),
      data: { points: 1_000_000, reason: 'reason big-1', actorId: manager.customerId, approvedBy: admin.customerId },
    });
    expect(adjusted.find((e) => e.data.refKey === 'regular-1')).toMatchObject({
      data: { actorId: manager.customerId, reason: 'reason regular-1' },
    });
    expect(timeline.filter((e) => e.type === 'points.adjustment_requested')).toHaveLength(1);
  });

  it('a rejected request posts nothing', async () => {
    const held = await adjust(manager, regular, -600, 'big-2');
    expect(held.status).toBe(202);
    const rejected = await post(admin, `/api/v1/admin/points/adjustments/${held.body.id}/reject`);
    expect(rejected.status).toBe(200);
    expect(rejected.body.state).toBe('rejected');
    expect((await post(admin, `/api/v1/admin/points/adjustments/${held.body.id}/approve`)).status).toBe(409);
    expect(await balanceOf(regular)).toBe(1_000_100);
  });
});

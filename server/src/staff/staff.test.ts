import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffGrant, store } from '@shared/api/stores';
import { startTestApp, type TestApp } from '../../test/helpers';
import { login, type SignedIn } from '../../test/session';
import { Store } from './model';

let app: TestApp;
let admin: SignedIn;
let storeA: string;
let storeB: string;
beforeAll(async () => {
  app = await startTestApp({ ADMIN_OPENIDS: 'admin-1' });
  admin = await login(app, 'admin-1');
});
afterAll(async () => {
  await app?.close();
});

const post = (path: string, who: SignedIn, body: unknown) => app.request('POST', path, { token: who.token, body });

describe('stores', () => {
  it('are created, listed and updated by an admin', async () => {
    const a = await post('/api/v1/admin/stores', admin, { name: '静安店', code: 'sh-001', address: '南京西路 1 号', city: '上海' });
    expect(a.status).toBe(201);
    expect(store.safeParse(a.body).success).toBe(true);
    expect(a.body).toMatchObject({ name: '静安店', code: 'SH-001', city: '上海', active: true });
    storeA = a.body.id;
    const b = await post('/api/v1/admin/stores', admin, { name: '朝阳店', code: 'BJ-001' });
    expect(b.status).toBe(201);
    storeB = b.body.id;

    const dup = await post('/api/v1/admin/stores', admin, { name: 'again', code: 'SH-001' });
    expect(dup.status).toBe(409);

    const list = await app.request('GET', '/api/v1/admin/stores', { token: admin.token });
    expect(list.body.items.map((s: { code: string }) => s.code)).toEqual(['BJ-001', 'SH-001']);

    const patched = await app.request('PATCH', `/api/v1/admin/stores/${storeB}`, { token: admin.token, body: { active: false } });
    expect(patched.status).toBe(200);
    expect(patched.body.active).toBe(false);
  });

  it('refuses bad input with field paths and creates nothing', async () => {
    const before = await Store.countDocuments();
    const res = await post('/api/v1/admin/stores', admin, { name: '', code: 'has space' });
    expect(res.status).toBe(400);
    expect(res.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual(['body.code', 'body.name']);
    expect(await Store.countDocuments()).toBe(before);
  });

  it('are out of reach of customers', async () => {
    const customer = await login(app, 'shopper-1');
    expect((await post('/api/v1/admin/stores', customer, { name: 'x', code: 'XX-1' })).status).toBe(403);
    expect((await app.request('GET', '/api/v1/admin/stores', { token: customer.token })).status).toBe(403);
    expect((await app.request('GET', '/api/v1/admin/stores')).status).toBe(401);
    expect(await Store.countDocuments({ code: 'XX-1' })).toBe(0);
  });
});

describe('staff roles', () => {
  let managerA: SignedIn;
  let clerk: SignedIn;

  it('an admin makes a manager; the manager makes clerks for their own store only', async () => {
    managerA = await login(app, 'manager-a');
    clerk = await login(app, 'clerk-a');
    const made = await post('/api/v1/admin/staff', admin, { customerId: managerA.customerId, role: 'manager', storeId: storeA });
    expect(made.status).toBe(201);
    expect(staffGrant.safeParse(made.body).success).toBe(true);
    expect(made.body).toMatchObject({ customerId: managerA.customerId, role: 'manager', storeId: storeA, storeName: '静安店' });

    // By openid, the way a manager knows a new colleague.
    const clerkMade = await post('/api/v1/admin/staff', managerA, { openid: 'clerk-a', role: 'clerk', storeId: storeA });
    expect(clerkMade.status).toBe(201);
    expect(clerkMade.body.customerId).toBe(clerk.customerId);

    const otherStore = await post('/api/v1/admin/staff', managerA, { customerId: clerk.customerId, role: 'clerk', storeId: storeB });
    expect(otherStore.status).toBe(403);
    const promote = await post('/api/v1/admin/staff', managerA, { customerId: clerk.customerId, role: 'manager', storeId: storeA });
    expect(promote.status).toBe(403);
    const byClerk = await post('/api/v1/admin/staff', clerk, { customerId: clerk.customerId, role: 'manager', storeId: storeA });
    expect(byClerk.status).toBe(403);

    const me = await app.request('GET', '/api/v1/me', { token: clerk.token });
    expect(me.body.roles).toEqual([{ role: 'clerk', storeId: storeA, storeName: '静安店' }]);
  });

  it('validates grants: exactly one of customerId or openid, a known role and store', async () => {
    const both = await post('/api/v1/admin/staff', admin, {
      customerId: clerk.customerId,
      openid: 'clerk-a',
      role: 'clerk',
      storeId: storeA,
    });
    expect(both.status).toBe(400);
    expect(both.body.error.fields[0].path).toBe('body.customerId');
    const role = await post('/api/v1/admin/staff', admin, { customerId: clerk.customerId, role: 'owner', storeId: storeA });
    expect(role.status).toBe(400);
    expect(role.body.error.fields[0].path).toBe('body.role');
    const unknown = await post('/api/v1/admin/staff', admin, { openid: 'never-signed-in', role: 'clerk', storeId: storeA });
    expect(unknown.status).toBe(404);
    const me = await app.request('GET', '/api/v1/me', { token: clerk.token });
    expect(me.body.roles).toHaveLength(1);
  });

  it('lists staff: a manager sees their store, an admin every store', async () => {
    const bClerk = await login(app, 'clerk-b');
    expect((await post('/api/v1/admin/staff', admin, { customerId: bClerk.customerId, role: 'clerk', storeId: storeB })).status).toBe(201);

    const byManager = await app.request('GET', '/api/v1/admin/staff', { token: managerA.token });
    expect(byManager.status).toBe(200);
    expect(byManager.body.items.every((g: { storeId: string }) => g.storeId === storeA)).toBe(true);
    expect(byManager.body.items).toHaveLength(2);
    expect((await app.request('GET', `/api/v1/admin/staff?storeId=${storeB}`, { token: managerA.token })).status).toBe(403);

    const byAdmin = await app.request('GET', '/api/v1/admin/staff', { token: admin.token });
    expect(byAdmin.body.items.map((g: { storeId: string | null }) => g.storeId)).toEqual(expect.arrayContaining([storeA, storeB, null]));
    expect((await app.request('GET', '/api/v1/admin/staff', { token: clerk.token })).status).toBe(403);
  });

  it('revokes: a manager their own clerks, not another store’s', async () => {
    const list = (await app.request('GET', '/api/v1/admin/staff', { token: admin.token })).body.items as Array<{
      id: string;
      storeId: string;
      role: string;
    }>;
    const clerkB = list.find((g) => g.storeId === storeB)!;
    const clerkA = list.find((g) => g.storeId === storeA && g.role === 'clerk')!;
    expect((await app.request('DELETE', `/api/v1/admin/staff/${encodeURIComponent(clerkB.id)}`, { token: managerA.token })).status).toBe(
      403,
    );
    expect((await app.request('DELETE', `/api/v1/admin/staff/${encodeURIComponent(clerkA.id)}`, { token: managerA.token })).status).toBe(
      204,
    );
    expect((await app.request('GET', '/api/v1/me', { token: clerk.token })).body.roles).toEqual([]);
    expect(
      (await app.request('POST', '/api/v1/staff/members/identify', { token: clerk.token, body: { code: '1'.repeat(24) } })).status,
    ).toBe(403);
  });
});

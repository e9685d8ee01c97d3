import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Types } from 'mongoose';
import { TimelineEntry } from '../customers/model';
import { startTestApp, type TestApp } from '../../test/helpers';
import { login, type SignedIn } from '../../test/session';

let app: TestApp;
let admin: SignedIn;
let clerk: SignedIn;
let manager: SignedIn;
let storeId: string;

beforeAll(async () => {
  app = await startTestApp({ ADMIN_OPENIDS: 'rf-admin', LOG_LEVEL: 'error' });
  admin = await login(app, 'rf-admin');
  [clerk, manager] = await Promise.all([login(app, 'rf-clerk'), login(app, 'rf-manager')]);
  const store = await app.request('POST', '/api/v1/admin/stores', { token: admin.token, body: { name: '五角场店', code: 'SH-WJC' } });
  storeId = store.body.id;
  for (const [who, role] of [
    [clerk, 'clerk'],
    [manager, 'manager'],
  ] as const) {
    const grant = await app.request('POST', '/api/v1/admin/staff', {
      token: admin.token,
      body: { customerId: who.customerId, role, storeId },
    });
    expect(grant.status, JSON.stringify(grant.body)).toBe(201);
  }
});
afterAll(async () => {
  await app?.close();
});

/** A fresh customer with a ticket at the store, taken through to resolved. */
async function resolvedTicket(openid: string) {
  const customer = await login(app, openid);
  const opened = await app.request('POST', '/api/v1/tickets', {
    token: customer.token,
    body: { storeId, type: 'repair', description: '表带断了' },
  });
  expect(opened.status, JSON.stringify(opened.body)).toBe(201);
  const id = opened.body.id as string;
  for (const body of [{ action: 'accept' }, { action: 'start' }, { action: 'resolve', resolution: '已更换表带' }]) {
    const res = await app.request('POST', `/api/v1/tickets/${id}/transitions`, { token: clerk.token, body });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
  return { customer, id };
}

const rate = (who: SignedIn, id: string, stars: number) =>
  app.request('POST', `/api/v1/tickets/${id}/rating`, { token: who.token, body: { stars, comment: '态度一般' } });
const alertsFor = async (ticketId: string) => {
  const res = await app.request('GET', `/api/v1/staff/notifications?storeId=${storeId}`, { token: manager.token });
  expect(res.status).toBe(200);
  return (res.body.items as Array<{ kind: string; ticketId: string }>).filter((n) => n.ticketId === ticketId);
};
const couponsOf = async (who: SignedIn) =>
  (await app.request('GET', '/api/v1/coupons', { token: who.token })).body.items as Array<{ name: string; channel: string }>;

describe('low-rating follow-up', () => {
  it('without a service-recovery campaign: a rating of 2 alerts the store managers and issues nothing', async () => {
    const { customer, id } = await resolvedTicket('rf-c1');
    expect((await rate(customer, id, 2)).status).toBe(200);
    expect((await alertsFor(id)).map((n) => n.kind)).toEqual(['rating.low']);
    expect(await couponsOf(customer)).toEqual([]);
  });

  it('a rating of 3 or more neither alerts nor issues', async () => {
    const { customer, id } = await resolvedTicket('rf-c2');
    expect((await rate(customer, id, 3)).status).toBe(200);
    expect(await alertsFor(id)).toEqual([]);
    expect(await couponsOf(customer)).toEqual([]);
  });

  it('with a service-recovery campaign: a rating of 1 alerts and issues one recovery coupon, once even when retried', async () => {
    const mk = async (body: Record<string, unknown>) => {
      const res = await app.request('POST', '/api/v1/admin/campaigns', { token: admin.token, body });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    };
    await mk({ name: '普通券', type: 'cash', valueFen: 500, stock: 10, perUserLimit: 1, validity: { kind: 'days', days: 7 } });
    await mk({
      name: '服务补偿券',
      type: 'cash',
      valueFen: 5000,
      stock: 10,
      perUserLimit: 5,
      validity: { kind: 'days', days: 30 },
      channels: ['service_recovery'],
    });

    const { customer, id } = await resolvedTicket('rf-c3');
    expect((await rate(customer, id, 1)).status).toBe(200);
    expect((await alertsFor(id)).map((n) => n.kind)).toEqual(['rating.low']);
    let coupons = await couponsOf(customer);
    expect(coupons.map((c) => [c.name, c.channel])).toEqual([['服务补偿券', 'service_recovery']]);

    const again = await rate(customer, id, 1);
    expect(again.status).toBe(409);
    coupons = await couponsOf(customer);
    expect(coupons).toHaveLength(1);
    expect(await alertsFor(id)).toHaveLength(1);

    const types = (await TimelineEntry.find({ customerId: new Types.ObjectId(customer.customerId) }).lean()).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['ticket.rated', 'coupon.claimed', 'ticket.recovery_coupon']));
    expect(types.filter((t) => t === 'ticket.recovery_coupon')).toHaveLength(1);

    // A second bad experience on another ticket earns its own recovery coupon.
    const second = await resolvedTicket('rf-c3');
    expect(second.customer.customerId).toBe(customer.customerId);
    expect((await rate(customer, second.id, 2)).status).toBe(200);
    expect(await couponsOf(customer)).toHaveLength(2);
  });
});

// Signing in for tests: through the real login route and the built-in WeChat simulator.
import { expect } from 'vitest';
import type { TestApp } from './helpers';

export interface SignedIn {
  token: string;
  customerId: string;
}

export async function login(app: TestApp, openid: string, unionid?: string): Promise<SignedIn> {
  const res = await app.request('POST', '/api/v1/auth/login', { body: { code: `test:${openid}${unionid ? `:${unionid}` : ''}` } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { token: res.body.token, customerId: res.body.customer.id };
}

/** An admin, a customer, a stranger, and one clerk in each of two stores, all signed in. */
export interface TwoStoreCast {
  admin: SignedIn;
  customer: SignedIn;
  stranger: SignedIn;
  clerk: SignedIn;
  otherClerk: SignedIn;
  /** The clerk's store; the other clerk works in another one. */
  storeId: string;
}

/** Sets up the cast on an app started with ADMIN_OPENIDS=`<prefix>-admin`; openids and store codes carry the prefix. */
export async function signInTwoStoreCast(app: TestApp, prefix: string): Promise<TwoStoreCast> {
  const admin = await login(app, `${prefix}-admin`);
  const [customer, stranger, clerk, otherClerk] = await Promise.all([
    login(app, `${prefix}-customer`),
    login(app, `${prefix}-stranger`),
    login(app, `${prefix}-clerk`),
    login(app, `${prefix}-other-clerk`),
  ]);
  const code = prefix.toUpperCase();
  const store = await app.request('POST', '/api/v1/admin/stores', { token: admin.token, body: { name: '徐汇店', code: `${code}-XH` } });
  const other = await app.request('POST', '/api/v1/admin/stores', { token: admin.token, body: { name: '浦东店', code: `${code}-PD` } });
  for (const [who, storeId] of [
    [clerk, store.body.id],
    [otherClerk, other.body.id],
  ] as const) {
    const grant = await app.request('POST', '/api/v1/admin/staff', {
      token: admin.token,
      body: { customerId: who.customerId, role: 'clerk', storeId },
    });
    expect(grant.status, JSON.stringify(grant.body)).toBe(201);
  }
  return { admin, customer, stranger, clerk, otherClerk, storeId: store.body.id };
}

/** The member shows their member code at a store's counter and the staff member identifies them there. */
export async function identifyAtStore(app: TestApp, staff: SignedIn, member: SignedIn, storeId: string): Promise<void> {
  const code = await app.request('GET', '/api/v1/me/member-code', { token: member.token });
  expect(code.status, JSON.stringify(code.body)).toBe(200);
  const identified = await app.request('POST', '/api/v1/staff/members/identify', {
    token: staff.token,
    body: { code: code.body.code, storeId },
  });
  expect(identified.status, JSON.stringify(identified.body)).toBe(200);
}

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

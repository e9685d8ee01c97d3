import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginResponse } from '@shared/api/auth';
import { startTestApp, type TestApp } from '../../test/helpers';
import { login } from '../../test/session';
import { RateLimitHit, sweepRateLimits } from '../platform/http/rateLimit';
import { Session } from './model';
import { issueSession, sweepExpiredSessions } from './service';
import { Types } from 'mongoose';
import { resolveCustomer } from '../customers/service';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ ADMIN_OPENIDS: 'boss-openid' });
});
afterAll(async () => {
  await app?.close();
});

describe('login and sessions', () => {
  it('signs in with a wx.login code and keeps only a hash of the token', async () => {
    const res = await app.request('POST', '/api/v1/auth/login', { body: { code: 'test:alice:union-alice' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      token: expect.any(String),
      expiresAt: expect.any(String),
      customer: { id: expect.stringMatching(/^[0-9a-f]{24}$/), name: null, status: 'active' },
    });
    expect(loginResponse.safeParse(res.body).success).toBe(true);
    expect(Buffer.from(res.body.token, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(new Date(res.body.expiresAt).getTime()).toBeGreaterThan(Date.now());
    expect(res.text).not.toMatch(/session_?key/i);

    const stored = await Session.find({}).lean();
    expect(stored.length).toBeGreaterThan(0);
    for (const s of stored) expect(JSON.stringify(s)).not.toContain(res.body.token);

    const me = await app.request('GET', '/api/v1/me', { token: res.body.token });
    expect(me.status).toBe(200);
    expect(me.body.customer.id).toBe(res.body.customer.id);
    expect(me.body.member).toBeNull();
    expect(me.body.roles).toEqual([]);

    // The same person again is the same customer, with a second, independent session.
    const again = await login(app, 'alice', 'union-alice');
    expect(again.customerId).toBe(res.body.customer.id);
    expect(again.token).not.toBe(res.body.token);
  });

  it('answers 401 without a token, with an unknown one, or after logout', async () => {
    expect((await app.request('GET', '/api/v1/me')).status).toBe(401);
    const bogus = await app.request('GET', '/api/v1/me', { token: 'not-a-real-token' });
    expect(bogus.status).toBe(401);
    expect(bogus.body.error.code).toBe('UNAUTHENTICATED');

    const a = await login(app, 'logout-user');
    const b = await login(app, 'logout-user');
    expect((await app.request('POST', '/api/v1/auth/logout', { token: a.token })).status).toBe(204);
    expect((await app.request('GET', '/api/v1/me', { token: a.token })).status).toBe(401);
    // Logging out one device leaves the other signed in.
    expect((await app.request('GET', '/api/v1/me', { token: b.token })).status).toBe(200);
  });

  it('refuses a bad code with 401 and a missing one with 400 naming the field', async () => {
    const bad = await app.request('POST', '/api/v1/auth/login', { body: { code: 'forged-code' } });
    expect(bad.status).toBe(401);
    const missing = await app.request('POST', '/api/v1/auth/login', { body: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.error.fields).toEqual([expect.objectContaining({ path: 'body.code' })]);
  });

  it('gives openids in ADMIN_OPENIDS the admin role at login', async () => {
    const boss = await login(app, 'boss-openid');
    const me = await app.request('GET', '/api/v1/me', { token: boss.token });
    expect(me.body.roles).toEqual([{ role: 'admin', storeId: null, storeName: null }]);
    const plain = await login(app, 'not-boss');
    expect((await app.request('GET', '/api/v1/me', { token: plain.token })).body.roles).toEqual([]);
  });

  it('keeps a session working for the joined record when a unionid merges two customers', async () => {
    const early = await login(app, 'mp-merge');
    const viaOfficialAccount = await resolveCustomer({ app: 'official_account', openid: 'oa-merge', unionid: 'union-merge' });
    // Signing in again now reveals the unionid: the mini-program record joins the other one.
    const later = await login(app, 'mp-merge', 'union-merge');
    expect(later.customerId).toBe(viaOfficialAccount.toString());
    const me = await app.request('GET', '/api/v1/me', { token: early.token });
    expect(me.status).toBe(200);
    expect(me.body.customer.id).toBe(viaOfficialAccount.toString());
  });

  it('sweeps expired sessions and refuses them before the sweep', async () => {
    const customerId = new Types.ObjectId();
    const old = await issueSession(customerId, new Date(Date.now() - 40 * 86_400_000));
    expect((await app.request('GET', '/api/v1/me', { token: old.token })).status).toBe(401);
    expect(await Session.countDocuments({ customerId })).toBe(1);
    expect(await sweepExpiredSessions()).toBeGreaterThanOrEqual(1);
    expect(await Session.countDocuments({ customerId })).toBe(0);
  });
});

describe('login rate limit', () => {
  it('refuses a code tried again and again with 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      statuses.push((await app.request('POST', '/api/v1/auth/login', { body: { code: 'test:repeat-code' } })).status);
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    const limited = await app.request('POST', '/api/v1/auth/login', { body: { code: 'test:repeat-code' } });
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    // The counters name codes only by hash.
    const ids = (await RateLimitHit.find({}).lean()).map((c) => c.window);
    expect(ids.some((id) => id.includes('repeat-code'))).toBe(false);
  });

  it('sweeps finished windows', async () => {
    expect(await RateLimitHit.countDocuments({})).toBeGreaterThan(0);
    await sweepRateLimits(new Date(Date.now() + 10 * 60_000));
    expect(await RateLimitHit.countDocuments({})).toBe(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/helpers';
import { RateLimitHit } from '../platform/http/rateLimit';
import { hashedLimitKey, LOGIN_LIMITS } from './routes';

// Login limits behind a load balancer: each client is counted by the address the proxy forwarded
// (TRUST_PROXY hops), a shared NAT's crowd is not locked out, and every 429 says when to come back.

/** Takes every place of a limit's current (and next, in case the minute turns) window for a key. */
async function useUpWindow(limit: { name: string; max: number; windowMs: number }, key: string) {
  const now = Date.now();
  const docs = [0, 1].flatMap((w) => {
    const start = (Math.floor(now / limit.windowMs) + w) * limit.windowMs;
    const window = `${limit.name}:${key}:${start}`;
    return Array.from({ length: limit.max }, (_, i) => ({
      _id: `${window}:${i + 1}`,
      window,
      expiresAt: new Date(start + limit.windowMs),
    }));
  });
  await RateLimitHit.insertMany(docs, { ordered: false });
}

const loginFrom = (app: TestApp, ip: string | undefined, code: string) =>
  app.request('POST', '/api/v1/auth/login', { body: { code }, ...(ip ? { headers: { 'x-forwarded-for': ip } } : {}) });

describe('behind one proxy (TRUST_PROXY=1)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ TRUST_PROXY: '1' });
  });
  afterAll(() => app?.close());

  it('counts clients by their forwarded address: 70 people behind the proxy all sign in', async () => {
    for (let batch = 0; batch < 7; batch++) {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => loginFrom(app, `198.51.100.${batch * 10 + i + 1}`, `test:proxied-${batch}-${i}`)),
      );
      expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    }
  });

  it('limits the one client that used up its minute, with Retry-After, and nobody else', async () => {
    await useUpWindow(LOGIN_LIMITS.perIp, '203.0.113.66');
    const refused = await loginFrom(app, '203.0.113.66', 'test:greedy');
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('RATE_LIMITED');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Its neighbour behind the same proxy is not affected; a spoofed extra hop changes nothing
    // (only the last entry, the one our proxy appended, is believed).
    expect((await loginFrom(app, '203.0.113.67', 'test:neighbour')).status).toBe(200);
    expect((await loginFrom(app, '1.2.3.4, 203.0.113.66', 'test:spoofer')).status).toBe(429);
  });

  it('limits one code and one openid too, each 429 with Retry-After', async () => {
    const code = 'test:same-code-user';
    const statuses: number[] = [];
    for (let i = 0; i < LOGIN_LIMITS.perCode.max + 1; i++) {
      const res = await loginFrom(app, `192.0.2.${i + 1}`, code);
      statuses.push(res.status);
      if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(statuses).toEqual([...Array(LOGIN_LIMITS.perCode.max).fill(200), 429]);

    await useUpWindow(LOGIN_LIMITS.perOpenid, hashedLimitKey('hammered-openid'));
    const perOpenid = await loginFrom(app, '192.0.2.200', 'test:hammered-openid:with-union');
    expect(perOpenid.status).toBe(429);
    expect(Number(perOpenid.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('not behind a proxy (TRUST_PROXY unset)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  it('ignores X-Forwarded-For: a client cannot escape its limit by making up addresses', async () => {
    await useUpWindow(LOGIN_LIMITS.perIp, '127.0.0.1');
    const res = await loginFrom(app, '198.51.100.99', 'test:made-up-address');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});

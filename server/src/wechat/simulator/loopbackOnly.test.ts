import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/helpers';

// The simulator hands out access tokens for any secret and shows every message sent, so it answers
// loopback clients only (by the socket and by the address a trusted proxy forwarded).
describe('mounted (no secrets)', () => {
  let proxied: TestApp;
  let lan: TestApp;
  beforeAll(async () => {
    // Behind a proxy on this host: the socket is loopback, the client is whoever the proxy forwarded.
    proxied = await startTestApp({ TRUST_PROXY: '1' });
    // Same database: one mongoose connection per test file.
    lan = await startTestApp({ MONGODB_URI: proxied.config.mongodbUri!, TRUST_PROXY: '1', WECHAT_SIMULATOR_PUBLIC: 'true' });
  });
  afterAll(async () => {
    await Promise.all([proxied?.close(), lan?.close()]);
  });

  const outsider = { 'x-forwarded-for': '203.0.113.50' };
  const probes = [
    ['GET', '/__wechat/_sim/messages?kind=custom'],
    ['POST', '/__wechat/_sim/faults', { path: '/cgi-bin/message/custom/send', times: 5, errcode: -1 }],
    ['POST', '/__wechat/cgi-bin/stable_token', { grant_type: 'client_credential', appid: 'wx_any', secret: 'anything' }],
  ] as const;

  it('answers only loopback clients', async () => {
    for (const [method, path, body] of probes) {
      const res = await proxied.request(method, path, { headers: outsider, ...(body ? { body } : {}) });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
    // Local tools (and the server itself) still use it.
    expect((await proxied.request('GET', '/__wechat/_sim/messages?kind=custom')).status).toBe(200);
    // An outside client still signs in: the server, not the client, asks the simulator.
    expect((await proxied.request('POST', '/api/v1/auth/login', { headers: outsider, body: { code: 'test:from-outside' } })).status).toBe(
      200,
    );
  });

  it('answers everyone when WECHAT_SIMULATOR_PUBLIC is set', async () => {
    const res = await lan.request('GET', '/__wechat/_sim/messages?kind=custom', { headers: outsider });
    expect(res.status).toBe(200);
  });
});

import { Writable } from 'node:stream';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest, startTestApp, type TestApp } from '../../../test/helpers';
import { scrape, total, parseMetrics } from '../../../test/metrics';
import { eventXml, newOpenid, OA_ENV, pushToOa, textXml } from '../../../test/oaPush';
import { signInTwoStoreCast, type TwoStoreCast } from '../../../test/session';
import { LOGIN_LIMITS } from '../../auth/routes';
import { requestContext } from '../http/middleware';
import { createLogger } from '../logger';

const TOKEN = 'metrics-token-0123456789';

describe('/metrics with METRICS_TOKEN', () => {
  let app: TestApp;
  let cast: TwoStoreCast;
  beforeAll(async () => {
    app = await startTestApp({ ...OA_ENV, METRICS_TOKEN: TOKEN, ADMIN_OPENIDS: 'met-admin', JOB_INTERVAL_MS: '300' });
    LOGIN_LIMITS.perIp.max = 10_000;
    cast = await signInTwoStoreCast(app, 'met');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('answers only the bearer token, in the contract error shape otherwise', async () => {
    const none = await app.request('GET', '/metrics');
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('UNAUTHENTICATED');
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await app.request('GET', '/metrics', { token: `${TOKEN}x` })).status).toBe(401);
    expect((await app.request('GET', '/metrics', { token: cast.admin.token })).status).toBe(401);
    const ok = await app.request('GET', '/metrics', { token: TOKEN });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(ok.text).not.toContain(TOKEN);
    // Default process metrics and readiness are there.
    const samples = parseMetrics(ok.text);
    expect(total(samples, 'loopline_process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(total(samples, 'loopline_ready')).toBe(1);
  });

  it('counts requests, latency and errors by route pattern, never by raw path', async () => {
    const before = await scrape(app.url, TOKEN);
    const missing = '0123456789abcdef01234567';
    await app.request('GET', `/api/v1/admin/campaigns/${missing}`, { token: cast.admin.token });
    await app.request('GET', '/api/v1/me', { token: cast.customer.token });
    await app.request('GET', '/api/v1/me');
    const after = await scrape(app.url, TOKEN);
    const route = '/api/v1/admin/campaigns/:id';
    const delta = (name: string, where: Record<string, string>) => total(after, name, where) - total(before, name, where);
    expect(delta('loopline_http_requests_total', { route, status: '404' })).toBe(1);
    expect(delta('loopline_http_errors_total', { route, class: '4xx', code: 'NOT_FOUND' })).toBe(1);
    expect(delta('loopline_http_requests_total', { route: '/api/v1/me', status: '200' })).toBe(1);
    expect(delta('loopline_http_errors_total', { route: '/api/v1/me', code: 'UNAUTHENTICATED' })).toBe(1);
    expect(delta('loopline_http_request_duration_seconds_count', { route: '/api/v1/me', method: 'GET' })).toBe(2);
    expect(after.some((s) => s.labels.route?.includes(missing))).toBe(false);
  });

  it('counts claims, sold-outs and redemptions', async () => {
    const before = await scrape(app.url, TOKEN);
    const campaign = await app.request('POST', '/api/v1/admin/campaigns', {
      token: cast.admin.token,
      body: { name: 'Metrics 5 off', type: 'cash', valueFen: 500, stock: 1, perUserLimit: 1, validity: { kind: 'days', days: 7 } },
    });
    expect(campaign.status).toBe(201);
    const claimed = await app.request('POST', `/api/v1/campaigns/${campaign.body.id}/claim`, { token: cast.customer.token });
    expect(claimed.status).toBe(201);
    const soldOut = await app.request('POST', `/api/v1/campaigns/${campaign.body.id}/claim`, { token: cast.stranger.token });
    expect(soldOut.body.error.code).toBe('OUT_OF_STOCK');
    const redeemed = await app.request('POST', '/api/v1/staff/redemptions', {
      token: cast.clerk.token,
      body: { code: claimed.body.coupon.code },
    });
    expect(redeemed.status, redeemed.text).toBe(201);
    expect(
      (await app.request('POST', '/api/v1/staff/redemptions', { token: cast.clerk.token, body: { code: claimed.body.coupon.code } }))
        .status,
    ).toBe(409);
    const after = await scrape(app.url, TOKEN);
    const delta = (name: string, where: Record<string, string> = {}) => total(after, name, where) - total(before, name, where);
    expect(delta('loopline_coupon_claims_total', { channel: 'mini_program' })).toBe(1);
    expect(delta('loopline_coupon_sold_out_total')).toBe(1);
    expect(delta('loopline_coupon_redemptions_total')).toBe(1);
  });

  it('counts official-account deliveries and dedupe hits', async () => {
    const before = await scrape(app.url, TOKEN);
    const openid = newOpenid();
    const xml = textXml(openid, 'hello');
    expect((await pushToOa(app, xml, openid)).status).toBe(200);
    expect((await pushToOa(app, xml, openid)).status).toBe(200); // the platform's retry
    expect((await pushToOa(app, eventXml(openid, 'subscribe'), openid)).status).toBe(200);
    const after = await scrape(app.url, TOKEN);
    const delta = (name: string, where: Record<string, string> = {}) => total(after, name, where) - total(before, name, where);
    expect(delta('loopline_oa_deliveries_total')).toBe(2);
    expect(delta('loopline_oa_dedupe_hits_total')).toBe(1);
    expect(delta('loopline_http_requests_total', { route: '/wechat/official-account', status: '200' })).toBe(3);
  });

  it('counts job runs (JOB_INTERVAL_MS runs every job often)', async () => {
    const deadline = Date.now() + 10_000;
    let samples = await scrape(app.url, TOKEN);
    while (total(samples, 'loopline_job_runs_total', { job: 'oa-deliveries-sweep' }) < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      samples = await scrape(app.url, TOKEN);
    }
    expect(total(samples, 'loopline_job_runs_total', { job: 'oa-deliveries-sweep', outcome: 'ok' })).toBeGreaterThan(0);
    expect(total(samples, 'loopline_job_duration_seconds_count', { job: 'oa-deliveries-sweep' })).toBeGreaterThan(0);
  });
});

describe('/metrics without a token', () => {
  it('does not exist on the main port, and is served on METRICS_PORT', async () => {
    const app = await startTestApp({ METRICS_PORT: '0' });
    try {
      const main = await app.request('GET', '/metrics');
      expect(main.status).toBe(404);
      expect(main.body.error.code).toBe('NOT_FOUND');
      expect(app.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(app.metricsUrl).not.toBe(app.url);
      const internal = await httpRequest(app.metricsUrl!, 'GET', '/metrics');
      expect(internal.status).toBe(200);
      expect(internal.text).toContain('loopline_http_requests_total');
      expect((await httpRequest(app.metricsUrl!, 'GET', '/api/v1/me')).status).toBe(404);
    } finally {
      await app.close();
    }
    expect(
      await fetch(`${app.metricsUrl}/metrics`).then(
        () => 'open',
        () => 'closed',
      ),
    ).toBe('closed');
  });

  it('asks the internal port for the token too when one is set', async () => {
    const app = await startTestApp({ METRICS_PORT: '0', METRICS_TOKEN: TOKEN });
    try {
      expect((await httpRequest(app.metricsUrl!, 'GET', '/metrics')).status).toBe(401);
      expect((await httpRequest(app.metricsUrl!, 'GET', '/metrics', { token: TOKEN })).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('refuses a short token at start', async () => {
    await expect(startTestApp({ METRICS_TOKEN: 'short' })).rejects.toThrow(/METRICS_TOKEN must be 16 to 256/);
  });
});

describe('request id in logs', () => {
  it('is on every line logged while the request runs, by any logger, and on work it leaves running', async () => {
    const lines: any[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
        done();
      },
    });
    const base = createLogger('info', sink);
    const moduleLog = base.child({ module: 'somewhere' }); // a module's own logger, not the request's
    let later: Promise<void> | undefined;
    const koa = new Koa();
    koa.use(requestContext(base));
    koa.use(async (ctx) => {
      moduleLog.info('inside the request');
      later = new Promise((resolve) => setTimeout(resolve, 20)).then(() => moduleLog.info('after the answer'));
      ctx.body = { ok: true };
    });
    const server = koa.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const res = await httpRequest(url, 'GET', '/x', { headers: { 'x-request-id': 'proxy-abc-123456' } });
      expect(res.headers.get('x-request-id')).toBe('proxy-abc-123456');
      const own = await httpRequest(url, 'GET', '/y');
      await later;
      const byMessage = (msg: string) => lines.filter((l) => l.msg === msg).map((l) => l.requestId);
      expect(byMessage('inside the request')).toEqual(['proxy-abc-123456', own.headers.get('x-request-id')]);
      expect(byMessage('request')).toEqual(['proxy-abc-123456', own.headers.get('x-request-id')]);
      expect(byMessage('after the answer')).toContain(own.headers.get('x-request-id'));
      moduleLog.info('outside any request');
      expect(lines.at(-1).requestId).toBeUndefined();
      // One requestId key per line (no duplicate from a child binding).
      expect(lines.every((l) => Object.keys(l).filter((k) => k === 'requestId').length <= 1)).toBe(true);
    } finally {
      server.close();
    }
  });
});

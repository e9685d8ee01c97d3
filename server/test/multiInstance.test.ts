// Three real server processes on one database behind a round-robin proxy. What must hold across
// instances (one access-token fetch, each job once per period, each WeChat delivery handled once,
// stock and exactly-once redemption) is held by the database, never by one process's memory;
// a rolling restart under steady traffic loses no acknowledged write and shows no 5xx other than
// a clean 503 from an instance that is stopping.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../src/platform/db/embeddedEngine';
import { buildCompiledServer, freshRequest, serverProcess, roundRobinProxy, type Instance, type RoundRobinProxy } from './cluster';
import { testDatabaseUri, type RequestOptions, type TestApp } from './helpers';
import { parseMetrics, total, type Sample } from './metrics';
import { eventXml, newOpenid, OA_ENV, SAFE_SIDE, textXml } from './oaPush';
import { signPush } from '../src/wechat/protocol/platformSide';
import { signInTwoStoreCast, type SignedIn, type TwoStoreCast } from './session';

const METRICS_TOKEN = 'cluster-metrics-token-0123456789';
const JOB_INTERVAL_MS = 2_000;
const MP_APPID = 'wx_mp_cluster';

let build: ReturnType<typeof buildCompiledServer> | undefined;
let instances: Instance[] = [];
let proxy: RoundRobinProxy;
/** The proxy as the test helpers' app: every request goes through it. */
let lb: TestApp;
let cast: TwoStoreCast;

// Every request on a connection of its own: see freshRequest.
const httpRequest = freshRequest;
const viaLb = (method: string, path: string, options?: RequestOptions) => freshRequest(proxy.url, method, path, options);

/** A signed safe-mode push straight to one instance, as the platform sends it. */
async function pushTo(instance: Instance, xml: string, from: string) {
  const req = signPush(SAFE_SIDE, xml, from);
  return freshRequest(instance.url, 'POST', `/wechat/official-account${req.query}`, {
    raw: req.body,
    headers: { 'content-type': 'text/xml' },
  });
}
const scrape = async (url: string, token: string) => {
  const res = await freshRequest(url, 'GET', '/metrics', { token });
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return parseMetrics(res.text);
};

async function login(openid: string): Promise<SignedIn> {
  const res = await viaLb('POST', '/api/v1/auth/login', { body: { code: `test:${openid}` } });
  expect(res.status, res.text).toBe(200);
  return { token: res.body.token, customerId: res.body.customer.id };
}

async function scrapeAll(): Promise<Sample[][]> {
  return Promise.all(instances.map((i) => scrape(i.url, METRICS_TOKEN)));
}
const sumOver = (all: Sample[][], name: string, where: Record<string, string> = {}) =>
  all.reduce((s, one) => s + total(one, name, where), 0);

async function tokenCalls(appid: string): Promise<number> {
  const res = await viaLb('GET', `/__wechat/_sim/token-fetches?appid=${appid}`);
  return res.body.calls as number;
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, limitMs = 30_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  let value = await read();
  while (!done(value)) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}; last value ${JSON.stringify(value)}`);
    await sleep(200);
    value = await read();
  }
  return value;
}

beforeAll(async () => {
  const env = {
    MONGODB_URI: testDatabaseUri(),
    LOG_LEVEL: 'warn',
    ...OA_ENV,
    MP_APPID,
    METRICS_TOKEN,
    JOB_INTERVAL_MS: String(JOB_INTERVAL_MS),
    // Every bot reply misses this deadline on purpose: each goes out once, later, as a
    // customer-service message with the shared access token.
    OA_REPLY_DEADLINE_MS: '1',
    ADMIN_OPENIDS: 'mi-admin',
    SHUTDOWN_TIMEOUT_MS: '8000',
  };
  const ports = [await freeLoopbackPort(), await freeLoopbackPort(), await freeLoopbackPort()];
  // The instances run the compiled server, as production does (`npm run start:prod`).
  build = buildCompiledServer();
  instances = ports.map((port, i) => serverProcess(`instance-${i + 1}`, port, build!.main, env));
  await Promise.all(instances.map((i) => i.start()));
  proxy = await roundRobinProxy(ports);
  lb = { request: viaLb, url: proxy.url } as unknown as TestApp;
  cast = await signInTwoStoreCast(lb, 'mi');
}, 300_000);

afterAll(async () => {
  // What the instances logged at error level, to tell a failure's cause.
  for (const instance of instances) {
    const errors = instance.output.filter((line) => /"level":(50|60)/.test(line));
    if (errors.length) console.error(`${instance.name} logged errors:\n${errors.slice(-10).join('\n')}`);
  }
  await proxy?.close();
  await Promise.all(instances.map((i) => i.stop()));
  await build?.remove();
});

describe('three instances on one database', () => {
  it('share one token fetch, run each job once per period, handle each delivery once, keep stock and exactly-once', async () => {
    const start = await scrapeAll();
    const startedAt = Date.now();
    const oaAppId = OA_ENV.OA_APPID;

    // Official-account pushes: each first attempt to one instance, the platform's retry to another,
    // and a third of them raced to two instances at the same moment.
    const followers = Array.from({ length: 6 }, () => newOpenid());
    const pushes = followers.flatMap((openid) =>
      [eventXml(openid, 'subscribe'), textXml(openid, '你好'), textXml(openid, '在吗')].map((xml) => ({ openid, xml })),
    );
    await Promise.all(
      pushes.map(async ({ openid, xml }, n) => {
        const first = instances[n % 3]!;
        const retry = instances[(n + 1) % 3]!;
        if (n % 3 === 0) {
          const answers = await Promise.all([pushTo(first, xml, openid), pushTo(retry, xml, openid)]);
          for (const a of answers) expect(a.status).toBe(200);
        } else {
          expect((await pushTo(first, xml, openid)).status).toBe(200);
          expect((await pushTo(retry, xml, openid)).status).toBe(200);
        }
      }),
    );
    // Each message's reply went out exactly once, as a customer-service message, by whichever instance took it.
    const customMessages = async () =>
      Promise.all(
        followers.map(async (f) => (await viaLb('GET', `/__wechat/_sim/custom-messages?touser=${f}`)).body.messages.length as number),
      );
    await eventually(customMessages, (counts) => counts.every((c) => c >= 3), 'the late replies');
    await sleep(1_000);
    expect(await customMessages()).toEqual(followers.map(() => 3));
    const afterPushes = await scrapeAll();
    expect(sumOver(afterPushes, 'loopline_oa_deliveries_total') - sumOver(start, 'loopline_oa_deliveries_total')).toBe(pushes.length);
    expect(sumOver(afterPushes, 'loopline_oa_dedupe_hits_total') - sumOver(start, 'loopline_oa_dedupe_hits_total')).toBe(pushes.length);
    expect(
      sumOver(afterPushes, 'loopline_oa_late_replies_total', { result: 'sent' }) -
        sumOver(start, 'loopline_oa_late_replies_total', { result: 'sent' }),
    ).toBe(pushes.length);
    // Three processes sent 18 customer-service messages (and synced the new followers' profiles) with one token.
    expect(await tokenCalls(oaAppId)).toBe(1);

    // The platform invalidates the token: the three instances, all needing it at once, fetch one new one.
    await viaLb('POST', '/__wechat/_sim/invalidate-token', { body: { appid: oaAppId } });
    await Promise.all(followers.map((openid, n) => pushTo(instances[n % 3]!, textXml(openid, '还在吗'), openid)));
    await eventually(customMessages, (counts) => counts.every((c) => c >= 4), 'the replies after the invalidation');
    expect(await customMessages()).toEqual(followers.map(() => 4));
    expect(await tokenCalls(oaAppId)).toBe(2);

    // Claims raced through the proxy: a stock of 5 gives exactly 5 coupons to 12 customers.
    const campaign = await viaLb('POST', '/api/v1/admin/campaigns', {
      token: cast.admin.token,
      body: { name: '限量 5 张', type: 'cash', valueFen: 1000, stock: 5, perUserLimit: 1, validity: { kind: 'days', days: 7 } },
    });
    expect(campaign.status, campaign.text).toBe(201);
    const customers = await Promise.all(Array.from({ length: 12 }, (_, i) => login(`mi-claimer-${i}`)));
    const claim = (c: SignedIn) => viaLb('POST', `/api/v1/campaigns/${campaign.body.id}/claim`, { token: c.token });
    // Stock is leased to instances in segments, yet an instance whose segments are spent answers sold
    // out only once every place is issued: each customer's first answer is the final one.
    const claims = await Promise.all(customers.map(claim));
    const won = claims.filter((r) => r.status === 201);
    expect(won).toHaveLength(5);
    expect(claims.filter((r) => r.status === 409).map((r) => r.body.error.code)).toEqual(Array(7).fill('OUT_OF_STOCK'));
    expect(new Set(won.map((r) => r.body.coupon.code)).size).toBe(5);
    const counted = await viaLb('GET', `/api/v1/admin/campaigns/${campaign.body.id}`, { token: cast.admin.token });
    expect(counted.body).toMatchObject({ stock: 5, issued: 5 });

    // A claim retried with its Idempotency-Key on another instance is the same coupon.
    const keyed = await viaLb('POST', '/api/v1/admin/campaigns', {
      token: cast.admin.token,
      body: { name: '重试同一张', type: 'cash', valueFen: 500, stock: 50, perUserLimit: 3, validity: { kind: 'days', days: 7 } },
    });
    const key = `claim-${randomBytes(6).toString('hex')}`;
    const retried = await Promise.all(
      instances.map((i) =>
        httpRequest(i.url, 'POST', `/api/v1/campaigns/${keyed.body.id}/claim`, {
          token: cast.customer.token,
          headers: { 'idempotency-key': key },
        }),
      ),
    );
    expect(retried.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(new Set(retried.map((r) => r.body.coupon.id)).size).toBe(1);

    // Each won coupon redeemed by two tills at once through different instances: exactly one wins.
    const redeemed = await Promise.all(
      won.map(async (claim, n) => {
        const code = claim.body.coupon.code as string;
        const [a, b] = await Promise.all([
          httpRequest(instances[n % 3]!.url, 'POST', '/api/v1/staff/redemptions', { token: cast.clerk.token, body: { code } }),
          httpRequest(instances[(n + 1) % 3]!.url, 'POST', '/api/v1/staff/redemptions', { token: cast.clerk.token, body: { code } }),
        ]);
        return [a.status, b.status].sort();
      }),
    );
    expect(redeemed).toEqual(won.map(() => [201, 409]));

    // A staff reply retried on two more instances is one message and one subscribe send (MP token: one fetch).
    const mpCustomer = customers[0]!;
    const ticket = await viaLb('POST', '/api/v1/tickets', {
      token: mpCustomer.token,
      body: { storeId: cast.storeId, type: 'repair', description: '拉链坏了', subscribeAccepted: true },
    });
    expect(ticket.status, ticket.text).toBe(201);
    const replyKey = `reply-${randomBytes(6).toString('hex')}`;
    const replies = await Promise.all(
      instances.map((i) =>
        httpRequest(i.url, 'POST', `/api/v1/tickets/${ticket.body.id}/messages`, {
          token: cast.clerk.token,
          body: { text: '已安排维修', idempotencyKey: replyKey },
        }),
      ),
    );
    expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 201]);
    expect(new Set(replies.map((r) => r.body.id)).size).toBe(1);
    const thread = await viaLb('GET', `/api/v1/tickets/${ticket.body.id}/messages`, { token: mpCustomer.token });
    expect(thread.body.items.map((m: { text: string }) => m.text)).toEqual(['已安排维修']);
    const subscribeSends = await viaLb('GET', '/__wechat/_sim/messages?kind=subscribe&touser=mi-claimer-0');
    expect(subscribeSends.body.messages).toHaveLength(1);
    expect(await tokenCalls(MP_APPID)).toBe(1);

    // Periodic jobs: across the three instances, each ran at most once per period.
    await sleep(Math.max(0, 4 * JOB_INTERVAL_MS - (Date.now() - startedAt)));
    const end = await scrapeAll();
    const elapsed = Date.now() - startedAt;
    const jobNames = new Set(end.flatMap((one) => one.filter((s) => s.name === 'loopline_job_runs_total').map((s) => s.labels.job!)));
    expect(jobNames.size).toBeGreaterThanOrEqual(8);
    const periods = Math.ceil(elapsed / JOB_INTERVAL_MS);
    const runs = Object.fromEntries(
      [...jobNames].map((job) => [
        job,
        sumOver(end, 'loopline_job_runs_total', { job }) - sumOver(start, 'loopline_job_runs_total', { job }),
      ]),
    );
    for (const [job, count] of Object.entries(runs)) {
      expect(count, `${job} ran ${count} times in ${elapsed} ms`).toBeGreaterThanOrEqual(1);
      // One holder at a time: at most one pass per period (plus the period in progress), where
      // three instances each running it would make three.
      expect(count, `${job} ran ${count} times in ${periods} periods`).toBeLessThanOrEqual(periods + 1);
    }
    // The work of the test was spread over all three.
    for (const one of end) expect(total(one, 'loopline_http_requests_total')).toBeGreaterThan(5);
  }, 240_000);
});

describe('a rolling restart under steady traffic', () => {
  it('loses no acknowledged write and answers no 5xx but a clean 503 from a stopping instance', async () => {
    // Each worker is one customer claiming, one request at a time, from its own campaigns.
    const workers = await Promise.all(
      Array.from({ length: 3 }, async (_, w) => {
        const who = await login(`mi-steady-${w}`);
        const campaigns: string[] = [];
        for (let c = 0; c < 3; c++) {
          const res = await viaLb('POST', '/api/v1/admin/campaigns', {
            token: cast.admin.token,
            body: {
              name: `稳定流量 ${w}-${c}`,
              type: 'cash',
              valueFen: 100,
              stock: 100,
              perUserLimit: 100,
              validity: { kind: 'days', days: 7 },
            },
          });
          expect(res.status, res.text).toBe(201);
          campaigns.push(res.body.id);
        }
        return { who, campaigns };
      }),
    );
    const acknowledged = new Map<string, string>(); // idempotency key → coupon id
    const statuses = new Map<number, number>();
    const unexpected: string[] = [];
    let stopping = false;

    const run = async (worker: (typeof workers)[number]) => {
      for (let n = 0; !stopping && n < 290 && Date.now() < trafficDeadline; n++) {
        const key = `steady-${randomBytes(8).toString('hex')}`;
        const campaign = worker.campaigns[n % worker.campaigns.length]!;
        for (let attempt = 0; attempt < 20; attempt++) {
          const res = await viaLb('POST', `/api/v1/campaigns/${campaign}/claim`, {
            token: worker.who.token,
            headers: { 'idempotency-key': key },
          }).catch(
            (err: Error) => ({ status: 0, text: `no answer: ${err.message}`, body: undefined }) as Awaited<ReturnType<typeof viaLb>>,
          );
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status === 201) {
            const previous = acknowledged.get(key);
            if (previous && previous !== res.body.coupon.id) unexpected.push(`key ${key} gave two coupons`);
            acknowledged.set(key, res.body.coupon.id);
            break;
          }
          if (res.status === 503 && res.body?.error?.code === 'SERVICE_UNAVAILABLE') {
            await sleep(100); // a clean 503: retry the same key
            continue;
          }
          unexpected.push(`${res.status} ${res.text.slice(0, 200)}`);
          break;
        }
        await sleep(100);
      }
    };
    // Bounded whatever happens: the restarts below end it earlier.
    const trafficDeadline = Date.now() + 300_000;
    const traffic = Promise.all(workers.map(run));

    const restarts: Array<{ name: string; exitCode: number | null; stopMs: number; startMs: number }> = [];
    try {
      await sleep(1_500);
      for (const instance of instances) {
        const stopAt = Date.now();
        const exitCode = await instance.stop();
        const stopMs = Date.now() - stopAt;
        await sleep(500); // the other two carry the traffic
        const startAt = Date.now();
        // Back with the jobs' own intervals, as in production.
        await instance.start({ JOB_INTERVAL_MS: undefined });
        restarts.push({ name: instance.name, exitCode, stopMs, startMs: Date.now() - startAt });
        await sleep(1_000);
      }
      await sleep(1_000);
    } finally {
      stopping = true;
      await traffic;
    }

    expect(restarts.map((r) => r.exitCode)).toEqual([0, 0, 0]);
    expect(unexpected).toEqual([]);
    expect([...statuses.keys()].filter((s) => s >= 500 && s !== 503)).toEqual([]);
    expect(proxy.stats.badGateway).toBe(0);
    expect(acknowledged.size).toBeGreaterThan(20);

    // Every acknowledged claim is there, once: each customer holds exactly the coupons acknowledged to them.
    const ackedIds = new Set(acknowledged.values());
    for (const worker of workers) {
      const mine = await viaLb('GET', '/api/v1/coupons', { token: worker.who.token });
      expect(mine.status).toBe(200);
      const ids = (mine.body.items as Array<{ id: string; campaignId?: string }>).map((c) => c.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids) expect(ackedIds.has(id), `coupon ${id} was never acknowledged`).toBe(true);
    }
    const held = (await Promise.all(workers.map((w) => viaLb('GET', '/api/v1/coupons', { token: w.who.token })))).flatMap((r) =>
      r.body.items.map((c: { id: string }) => c.id),
    );
    expect(new Set(held)).toEqual(ackedIds);
    // Every instance served traffic again after its restart.
    for (const instance of instances) expect((await httpRequest(instance.url, 'GET', '/readyz')).status).toBe(200);
    console.info(
      `rolling restart: ${acknowledged.size} claims acknowledged; statuses ${JSON.stringify(Object.fromEntries(statuses))}; ` +
        `proxy failovers ${proxy.stats.failovers}; responses by backend ${JSON.stringify(Object.fromEntries(proxy.stats.byBackend))}; ` +
        `restarts ${JSON.stringify(restarts)}`,
    );
  }, 420_000);
});

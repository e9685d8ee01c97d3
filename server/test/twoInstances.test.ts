// Several server instances on one database, each a real process: configuration changed on one is
// obeyed by the others within a second; stock segments never oversell across instances, and sold out
// is only answered once every place is issued, even when another instance (alive, stopped or killed)
// holds a segment; a stopped instance returns its segments, the lease-expiry sweep a killed one's.
import { setTimeout as sleep } from 'node:timers/promises';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueSession } from '../src/auth/service';
import { Coupon, StockReturn } from '../src/coupons/model';
import { LEASE_MS, sweepExpiredStockLeases } from '../src/coupons/stock';
import { resolveCustomer } from '../src/customers/service';
import { testDatabaseUri, httpRequest } from './helpers';
import { newOpenid, OA_ENV, SAFE_SIDE, textXml } from './oaPush';
import { spawnServer, type Target } from './spawnServer';
import { readReply, signPush } from '../src/wechat/protocol/platformSide';

const uri = testDatabaseUri();
const env = { ...process.env, PORT: '0', LOG_LEVEL: 'silent', MONGODB_URI: uri, ADMIN_OPENIDS: 'mi-admin', ...OA_ENV };
const started: Target[] = [];
let a: Target;
let b: Target;
let admin: string;

const start = async () => {
  const target = await spawnServer('server/src/main.ts', [], env, /running at (\S+)/);
  started.push(target);
  return target;
};

async function say(target: Target, openid: string, text: string): Promise<string | undefined> {
  const req = signPush(SAFE_SIDE, textXml(openid, text), openid);
  const res = await httpRequest(target.url, 'POST', `/wechat/official-account${req.query}`, {
    raw: req.body,
    headers: { 'content-type': 'text/xml' },
  });
  expect(res.status).toBe(200);
  return readReply(SAFE_SIDE, res.text)?.Content as string | undefined;
}

/** Signed-in customers, made straight in the database (logins are rate-limited per address). */
async function customers(count: number): Promise<string[]> {
  return Promise.all(
    Array.from(
      { length: count },
      async () => (await issueSession(await resolveCustomer({ app: 'mini_program', openid: newOpenid() }))).token,
    ),
  );
}

async function campaign(stock: number): Promise<string> {
  const res = await httpRequest(a.url, 'POST', '/api/v1/admin/campaigns', {
    token: admin,
    body: {
      name: `Shared ${stock}`,
      type: 'cash',
      valueFen: 500,
      stock,
      perUserLimit: 1,
      validity: { kind: 'days', days: 3 },
      status: 'active',
    },
  });
  expect(res.status).toBe(201);
  return res.body.id;
}

const claim = (target: Target, campaignId: string, token: string, key: string) =>
  httpRequest(target.url, 'POST', `/api/v1/campaigns/${campaignId}/claim`, {
    token,
    headers: { 'Idempotency-Key': `multi-instance-${key}` },
  });

async function issued(campaignId: string) {
  const coupons = await Coupon.find({ campaignId }, { stockSlot: 1, claimantId: 1 }).lean();
  return {
    count: coupons.length,
    places: new Set(coupons.map((c) => c.stockSlot)),
    maxPlace: Math.max(-1, ...coupons.map((c) => c.stockSlot)),
    holders: new Set(coupons.map((c) => String(c.claimantId))).size,
  };
}

const returnedSegments = (campaignId: string) => StockReturn.countDocuments({ campaignId });

beforeAll(async () => {
  [a, b] = await Promise.all([start(), start()]);
  await mongoose.connect(uri);
  admin = (await httpRequest(a.url, 'POST', '/api/v1/auth/login', { body: { code: 'test:mi-admin' } })).body.token;
});

afterAll(async () => {
  await Promise.all(started.map((t) => t.stop()));
  await mongoose.disconnect();
});

describe('two instances on one database', () => {
  it('obeys a keyword rule changed on the other instance within a second', async () => {
    const follower = newOpenid();
    const before = await say(b, follower, 'opening hours');
    expect(before).not.toBe('Open 10:00–22:00');

    const created = await httpRequest(a.url, 'POST', '/api/v1/admin/keyword-rules', {
      token: admin,
      body: {
        name: 'hours',
        match: 'exact',
        pattern: 'opening hours',
        priority: 200,
        reply: { type: 'text', content: 'Open 10:00–22:00' },
      },
    });
    expect(created.status).toBe(201);
    await sleep(1_000);
    expect(await say(b, follower, 'opening hours')).toBe('Open 10:00–22:00');

    // And back the other way: edited on B, obeyed by A.
    const edited = await httpRequest(b.url, 'PATCH', `/api/v1/admin/keyword-rules/${created.body.id}`, {
      token: admin,
      body: { reply: { type: 'text', content: 'Open 09:00–21:00' } },
    });
    expect(edited.status).toBe(200);
    await sleep(1_000);
    expect(await say(a, follower, 'opening hours')).toBe('Open 09:00–21:00');
  });

  it('refuses a session signed out on the other instance within a second', async () => {
    const token = (await customers(1))[0]!;
    const me = (target: Target) => httpRequest(target.url, 'GET', '/api/v1/coupons', { token });
    // b has just read the session (its read is shared by the token's requests for a moment).
    expect((await me(b)).status).toBe(200);
    expect((await httpRequest(a.url, 'POST', '/api/v1/auth/logout', { token })).status).toBeLessThan(300);
    expect((await me(a)).status).toBe(401);
    await sleep(1_000);
    expect((await me(b)).status).toBe(401);
  });

  it('issues exactly the stock of a campaign whose segments two instances hand out at once', async () => {
    const stock = 40;
    const id = await campaign(stock);
    const tokens = await customers(70);
    // Every customer claims twice at once, once on each instance.
    const answers = await Promise.all(tokens.flatMap((token, i) => [claim(a, id, token, `k${i}-a`), claim(b, id, token, `k${i}-b`)]));
    const won = answers.filter((r) => r.status === 201);
    expect(
      answers
        .filter((r) => r.status !== 201)
        .every((r) => r.status === 409 && ['OUT_OF_STOCK', 'LIMIT_REACHED'].includes(r.body.error.code)),
    ).toBe(true);
    // Sold out is answered only once every place is issued, whichever instance held which segment.
    expect(won).toHaveLength(stock);
    const after = await issued(id);
    expect(after.count).toBe(stock);
    expect(after.places.size).toBe(stock);
    expect(after.maxPlace).toBe(stock - 1);
    expect(after.holders).toBe(stock);
  });

  it('a stopped instance gives its unissued places back; the other issues exactly the rest', async () => {
    const stock = 40;
    const id = await campaign(stock);
    const first = await customers(3);
    for (const [i, token] of first.entries()) expect((await claim(a, id, token, `a${i}`)).status).toBe(201);
    // a holds the rest of its segment; stopping it returns the segment.
    await a.stop();
    expect(await returnedSegments(id)).toBeGreaterThanOrEqual(1);
    const more = await customers(stock);
    const late = await Promise.all(more.map((token, i) => claim(b, id, token, `late-${i}`)));
    expect(late.filter((r) => r.status === 201)).toHaveLength(stock - 3);
    expect(late.filter((r) => r.status !== 201).every((r) => r.body.error.code === 'OUT_OF_STOCK')).toBe(true);
    const final = await issued(id);
    expect(final.count).toBe(stock);
    expect(final.places.size).toBe(stock);
    expect(final.maxPlace).toBe(stock - 1);
    a = await start();
  });

  it("issues a killed instance's unissued places, and the lease-expiry sweep returns its lease", async () => {
    const stock = 64;
    const id = await campaign(stock);
    const doomed = await start();
    const first = await customers(5);
    for (const [i, token] of first.entries()) expect((await claim(doomed, id, token, `d${i}`)).status).toBe(201);
    doomed.child.kill('SIGKILL');
    await new Promise((resolve) => doomed.child.once('exit', resolve));

    // The dead instance still holds the rest of its segment; the other instance issues those places
    // too (the coupon's unique place decides), so every customer's first answer is final.
    const second = await customers(stock);
    const before = await Promise.all(second.map((token, i) => claim(b, id, token, `s${i}`)));
    expect(before.filter((r) => r.status === 201)).toHaveLength(stock - 5);
    expect(before.filter((r) => r.status !== 201).every((r) => r.body.error.code === 'OUT_OF_STOCK')).toBe(true);
    const final = await issued(id);
    expect(final.count).toBe(stock);
    expect(final.places.size).toBe(stock);
    expect(final.maxPlace).toBe(stock - 1);

    // Once its lease has run out, the sweep returns the dead instance's segment.
    expect(await sweepExpiredStockLeases(new Date(Date.now() + LEASE_MS + 1_000))).toBeGreaterThanOrEqual(1);
  }, 120_000); // starts a third server process
});

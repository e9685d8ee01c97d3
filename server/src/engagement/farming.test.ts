// A coupon-farming attack and honest traffic against the real server and database: the attack is
// flagged, the honest traffic (nearly) is not, and the review queue shows it to admins only.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/helpers';
import { callFrom, closeAddressAgents, inParallel, signInFrom, type ClientPerson } from '../../test/fromAddress';
import { LOGIN_LIMITS } from '../auth/routes';
import { flaggedCounts, runScoringPass } from './index';
import { EngagementFlag } from './model';
import { QUIET_AFTER_MS } from './signals';

let app: TestApp;
let adminToken: string;

type Person = ClientPerson;

const device = () => randomBytes(12).toString('hex');

const signIn = (openid: string, address: string, dev?: string) => signInFrom(app.url, openid, address, dev);

const call = (p: Person, method: string, path: string, body?: unknown) => callFrom(app.url, p, method, path, body);

async function campaign(name: string, stock: number): Promise<string> {
  const res = await app.request('POST', '/api/v1/admin/campaigns', {
    token: adminToken,
    body: { name, type: 'cash', valueFen: 1000, stock, perUserLimit: 1, validity: { kind: 'days', days: 30 } },
  });
  expect(res.status, res.text).toBe(201);
  return res.body.id;
}

/** Claims the campaign and gives the coupon to `sink` (when given); returns the coupon id. */
async function claimAndGift(p: Person, campaignId: string, sink?: Person): Promise<string> {
  const claimed = await call(p, 'POST', `/api/v1/campaigns/${campaignId}/claim`);
  expect(claimed.status, claimed.text).toBe(201);
  const couponId: string = claimed.body.coupon.id;
  if (sink) {
    const gift = await call(p, 'POST', `/api/v1/coupons/${couponId}/gift`);
    expect(gift.status, gift.text).toBe(201);
    const accepted = await call(sink, 'POST', '/api/v1/gifts/accept', { token: gift.body.token });
    expect(accepted.status, accepted.text).toBe(200);
  }
  return couponId;
}

const farm: Person[] = [];
const honest: Person[] = [];
let sink: Person;
const farmCoupons: string[] = [];
const honestCoupons: string[] = [];

beforeAll(async () => {
  app = await startTestApp({ ADMIN_OPENIDS: 'eng-admin' });
  LOGIN_LIMITS.perIp.max = 10_000;
  adminToken = (await signIn('eng-admin', '127.0.0.1')).token;
  const [attacked, launch] = await Promise.all([campaign('新人礼 ¥10', 1_000), campaign('周末券 ¥10', 1_000)]);

  // Honest: 200 people, each on their own home address and phone; 8 of them share an office
  // address, 2 share a family phone. All new accounts, claiming in the same launch minute; 20 give
  // their coupon to a friend (one friend gets three).
  const addresses = Array.from({ length: 200 }, (_, i) => (i < 8 ? '127.0.2.1' : `127.0.${10 + (i >> 8)}.${i & 255 || 1}`));
  const family = device();
  honest.push(
    ...(await inParallel(addresses, 16, (address, i) => signIn(`honest-${i}`, address, i === 50 || i === 51 ? family : device()))),
  );
  const friends = await inParallel([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17], 8, (i) =>
    signIn(`friend-${i}`, `127.0.20.${i + 1}`),
  );
  honestCoupons.push(...(await inParallel(honest, 16, (p, i) => claimAndGift(p, launch, i < 20 ? friends[i < 3 ? 0 : i - 2] : undefined))));
  // Honest people come back: half of them open their coupons and their member page later.
  await inParallel(honest.slice(0, 100), 16, (p) => call(p, 'GET', '/api/v1/coupons'));

  // The farm: 300 new accounts behind 3 addresses, each with a device id of its own, all claiming
  // within a minute and funnelling the coupons into one account.
  sink = await signIn('farm-sink', '127.0.3.1');
  const farmAddresses = ['127.0.4.1', '127.0.4.2', '127.0.4.3'];
  farm.push(
    ...(await inParallel(
      Array.from({ length: 300 }, (_, i) => i),
      24,
      (i) => signIn(`farm-${i}`, farmAddresses[i % 3]!),
    )),
  );
  farmCoupons.push(...(await inParallel(farm, 24, (p) => claimAndGift(p, attacked, sink))));
}, 600_000);

afterAll(async () => {
  closeAddressAgents();
  await app?.close();
});

describe('engagement review on a farming attack and honest traffic', () => {
  it('flags the farm and reports the false-positive rate on honest traffic', async () => {
    await runScoringPass(new Date());
    // A day later the delayed check looks at who did nothing at all after claiming.
    await runScoringPass(new Date(Date.now() + QUIET_AFTER_MS + 60_000));

    const flags = await EngagementFlag.find({}).lean();
    const flagged = new Set(flags.map((f) => f._id));
    const farmClaims = farmCoupons.filter((c) => flagged.has(`claim:${c}`)).length;
    const farmGifts = flags.filter((f) => f.kind === 'gift' && f.customerId?.toString() === sink.customerId).length;
    const honestIds = new Set([...honest.map((p) => p.customerId)]);
    const honestFlags = flags.filter((f) => f.kind !== 'redemption' && f.customerId && honestIds.has(f.customerId.toString()));
    const honestEvents = honest.length + 20; // 200 claims and 20 gifts
    const falsePositiveRate = honestFlags.length / honestEvents;
    console.log(
      `[engagement] farm: ${farmClaims}/300 claims and ${farmGifts}/300 gifts flagged; honest: ${honestFlags.length}/${honestEvents} flagged ` +
        `(false-positive rate ${(falsePositiveRate * 100).toFixed(2)}%)`,
    );
    expect(farmClaims).toBe(300);
    expect(farmGifts).toBe(300);
    expect(falsePositiveRate).toBeLessThan(0.02);

    // Every farm claim carries its reasons: new accounts crowding behind one address.
    const one = flags.find((f) => f._id === `claim:${farmCoupons[150]}`)!;
    expect(one.signals.map((s) => s.code)).toEqual(expect.arrayContaining(['fresh_account', 'address_crowd']));

    const counts = await flaggedCounts({ from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 60_000) });
    expect(counts.claims).toBeGreaterThanOrEqual(300);
    expect(counts.gifts).toBe(300);
  }, 300_000);

  it('shows the queue with reasons to admins only, with addresses as short hashes', async () => {
    const res = await app.request('GET', '/api/v1/admin/engagement/review?limit=200', { token: adminToken });
    expect(res.status, res.text).toBe(200);
    expect(res.body.counts.open).toBeGreaterThanOrEqual(600);
    const claim = res.body.items.find((f: { kind: string }) => f.kind === 'claim');
    expect(claim.signals.length).toBeGreaterThan(0);
    expect(claim.addressTag).toMatch(/^[0-9a-f]{8}$/);
    expect(res.text).not.toContain('127.0.4.');
    for (const dev of farm.slice(0, 5).map((p) => p.device)) expect(res.text).not.toContain(dev);

    const customer = honest[0]!;
    expect((await call(customer, 'GET', '/api/v1/admin/engagement/review')).status).toBe(403);
    expect((await app.request('GET', '/api/v1/admin/engagement/review')).status).toBe(401);
    expect((await app.request('GET', '/api/v1/admin/engagement/review?status=nope', { token: adminToken })).status).toBe(400);
  });

  it('confirms a flag and voids its coupon, or clears one; a flag is decided once', async () => {
    const confirm = await app.request('POST', `/api/v1/admin/engagement/review/claim:${farmCoupons[0]}/decision`, {
      token: adminToken,
      body: { action: 'confirm', voidCoupon: true },
    });
    expect(confirm.status, confirm.text).toBe(200);
    // The coupon went to the sink: still unused, so it is voided there.
    expect(confirm.body.flag).toMatchObject({ status: 'confirmed', decision: { action: 'confirm', outcome: 'voided' } });
    const voided = await call(sink, 'GET', `/api/v1/coupons/${farmCoupons[0]}`);
    expect(voided.body.coupon.state).toBe('voided');

    const clear = await app.request('POST', `/api/v1/admin/engagement/review/claim:${farmCoupons[1]}/decision`, {
      token: adminToken,
      body: { action: 'clear' },
    });
    expect(clear.body.flag).toMatchObject({ status: 'cleared', decision: { outcome: 'kept' } });
    const again = await app.request('POST', `/api/v1/admin/engagement/review/claim:${farmCoupons[1]}/decision`, {
      token: adminToken,
      body: { action: 'confirm' },
    });
    expect(again.status).toBe(409);
    expect(
      (await app.request('POST', '/api/v1/admin/engagement/review/nope/decision', { token: adminToken, body: { action: 'clear' } })).status,
    ).toBe(404);
    expect(
      (
        await app.request('POST', `/api/v1/admin/engagement/review/claim:${farmCoupons[2]}/decision`, {
          token: adminToken,
          body: { action: 'maybe' },
        })
      ).status,
    ).toBe(400);

    // A cleared flag no longer counts as flagged.
    const range = { from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 60_000) };
    const before = await flaggedCounts(range);
    await app.request('POST', `/api/v1/admin/engagement/review/claim:${farmCoupons[3]}/decision`, {
      token: adminToken,
      body: { action: 'clear' },
    });
    expect((await flaggedCounts(range)).claims).toBe(before.claims - 1);
  });
});

import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/helpers';
import { OA_ENV } from '../../test/oaPush';
import { login, type SignedIn } from '../../test/session';
import { LOGIN_LIMITS } from '../auth/routes';
import { CustomerIdentity, identityKey } from '../customers/model';
import { appendTimeline, listTimeline } from '../customers/service';
import { startPeriodicJob } from '../platform/jobs/periodic';
import { BirthdayGift, SubscribeAcceptance } from './model';
import { runBirthdayGifts, shanghaiYearMonth } from './birthday';

let app: TestApp;
let admin: SignedIn;
const HOUR = 60 * 60 * 1000;
// 2026-05-31 20:00 UTC is already June 1st in Shanghai.
const NOW = new Date('2026-05-31T20:00:00Z');

beforeAll(async () => {
  app = await startTestApp({ ...OA_ENV, ADMIN_OPENIDS: 'bd-admin', LOG_LEVEL: 'error' });
  LOGIN_LIMITS.perIp.max = 10_000;
  admin = await login(app, 'bd-admin');
  const campaign = await app.request('POST', '/api/v1/admin/campaigns', {
    token: admin.token,
    body: {
      name: '生日礼券',
      type: 'gift',
      giftName: '生日蛋糕',
      stock: 100,
      perUserLimit: 10,
      validity: { kind: 'days', days: 30 },
      channels: ['birthday'],
    },
  });
  expect(campaign.status, JSON.stringify(campaign.body)).toBe(201);
});
afterAll(async () => {
  await app?.close();
});

/** A member born on `birthday`; with `oaAgo`, also a follower whose last message was that long ago. */
async function member(birthday: string | null, options: { oaAgo?: number; subscribed?: boolean; join?: boolean } = {}) {
  const mpOpenid = `mp_${randomBytes(6).toString('hex')}`;
  const who = await login(app, mpOpenid);
  const customerId = new Types.ObjectId(who.customerId);
  if (options.join !== false) {
    expect(
      (await app.request('POST', '/api/v1/members/join', { token: who.token, body: { acceptTerms: true, termsVersion: '2026-01' } }))
        .status,
    ).toBe(201);
  }
  if (birthday) expect((await app.request('PATCH', '/api/v1/me/profile', { token: who.token, body: { birthday } })).status).toBe(200);
  const oaOpenid = `oa_${randomBytes(6).toString('hex')}`;
  if (options.oaAgo !== undefined) {
    await CustomerIdentity.create({ _id: identityKey('oa_openid', oaOpenid), kind: 'oa_openid', value: oaOpenid, customerId });
    await appendTimeline(customerId, {
      type: 'oa.message',
      channel: 'official_account',
      summary: '你好',
      at: new Date(NOW.getTime() - options.oaAgo),
    });
  }
  if (options.subscribed) {
    const res = await app.request('POST', '/api/v1/me/subscriptions', { token: who.token, body: { templates: ['birthday_gift'] } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  return { ...who, id: customerId, mpOpenid, oaOpenid };
}

const birthdayCoupons = async (who: SignedIn) =>
  ((await app.request('GET', '/api/v1/coupons', { token: who.token })).body.items as Array<{ channel: string }>).filter(
    (c) => c.channel === 'birthday',
  );
const simMessages = async (kind: string, touser: string) =>
  (await app.request('GET', `/__wechat/_sim/messages?kind=${kind}&touser=${touser}`)).body.messages as unknown[];

describe('birthday gifts', () => {
  it('reads the month in Shanghai time', () => {
    expect(shanghaiYearMonth(NOW)).toEqual({ year: 2026, month: 6 });
    expect(shanghaiYearMonth(new Date('2026-12-31T16:00:00Z'))).toEqual({ year: 2027, month: 1 });
  });

  it('gives once per member and year, through the channel that reaches them; running twice (and at once) issues once', async () => {
    const inWindow = await member('1990-06-15', { oaAgo: 2 * HOUR });
    const subscribed = await member('1988-06-02', { oaAgo: 72 * HOUR, subscribed: true });
    const appOnly = await member('1995-06-30');
    const otherMonth = await member('1990-07-01');
    const notMember = await member('1990-06-10', { join: false });

    const runs = await Promise.all([runBirthdayGifts(NOW, { wechat: app.wechat }), runBirthdayGifts(NOW, { wechat: app.wechat })]);
    const again = await runBirthdayGifts(new Date(NOW.getTime() + 24 * HOUR), { wechat: app.wechat });
    expect(runs[0]!.issued + runs[1]!.issued + again.issued).toBeGreaterThanOrEqual(3);

    for (const who of [inWindow, subscribed, appOnly]) expect(await birthdayCoupons(who)).toHaveLength(1);
    for (const who of [otherMonth, notMember]) expect(await birthdayCoupons(who)).toHaveLength(0);

    expect(await simMessages('custom', inWindow.oaOpenid)).toHaveLength(1);
    expect(await simMessages('subscribe', inWindow.mpOpenid)).toHaveLength(0);
    expect(await simMessages('custom', subscribed.oaOpenid)).toHaveLength(0);
    expect(await simMessages('subscribe', subscribed.mpOpenid)).toHaveLength(1);
    expect(await simMessages('subscribe', appOnly.mpOpenid)).toHaveLength(0);

    const channels = await Promise.all(
      [inWindow, subscribed, appOnly].map(async (who) => (await BirthdayGift.findById(`${who.id}:2026`).lean())?.message),
    );
    expect(channels.map((m) => [m?.channel, m?.status])).toEqual([
      ['official_account', 'sent'],
      ['subscribe', 'sent'],
      ['mini_program', 'in_app'],
    ]);
    const timeline = await listTimeline(appOnly.id, { types: ['member.birthday_gift'] });
    expect(timeline).toHaveLength(1);

    // Next year: one more.
    await runBirthdayGifts(new Date('2027-06-03T02:00:00Z'), { wechat: app.wechat });
    expect(await birthdayCoupons(appOnly)).toHaveLength(2);
  });

  it('runs as a lease-held job: two instances, one pass at a time, still one gift', async () => {
    const who = await member(`1991-${String(shanghaiYearMonth(new Date()).month).padStart(2, '0')}-05`);
    const log = app.log;
    const job = {
      name: `birthday-test-${randomBytes(3).toString('hex')}`,
      intervalMs: 200,
      run: (now: Date) => runBirthdayGifts(now, { wechat: app.wechat }).then(() => undefined),
    };
    const stops = [startPeriodicJob(job, log, 'instance-a'), startPeriodicJob(job, log, 'instance-b')];
    for (let i = 0; i < 50 && (await birthdayCoupons(who)).length === 0; i++) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 600));
    await Promise.all(stops.map((stop) => stop()));
    expect(await birthdayCoupons(who)).toHaveLength(1);
  });

  it('an erased account takes its birthday records and subscribe acceptances with it', async () => {
    const who = await member('1992-06-11', { subscribed: true });
    await runBirthdayGifts(NOW, { wechat: app.wechat });
    expect(await BirthdayGift.countDocuments({ customerId: who.id })).toBe(1);
    const start = await app.request('POST', '/api/v1/me/deletion', { token: who.token });
    expect((await app.request('POST', '/api/v1/me/deletion/confirm', { token: who.token, body: { token: start.body.token } })).status).toBe(
      204,
    );
    expect(await BirthdayGift.countDocuments({ customerId: who.id })).toBe(0);
    expect(await SubscribeAcceptance.countDocuments({ customerId: who.id })).toBe(0);
  });

  it('accepts only known subscribe templates', async () => {
    const who = await login(app, 'bd-sub-check');
    const bad = await app.request('POST', '/api/v1/me/subscriptions', { token: who.token, body: { templates: ['nope'] } });
    expect(bad.status).toBe(400);
    expect((await app.request('POST', '/api/v1/me/subscriptions', { body: { templates: ['birthday_gift'] } })).status).toBe(401);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/helpers';
import { WechatApiError, WechatTransportError } from '../platform';
import { SharedAccessToken, WechatAccessToken } from './accessToken';
import { createWechatPlatform, SIMULATOR_PREFIX } from './index';
import { SimFault } from '../simulator/model';

// Two server instances on one database, talking to the simulator of the first over loopback HTTP.
let one: TestApp;
let two: TestApp;
let oaAppId: string;

const fetches = async (appid = oaAppId) => (await one.request('GET', `/__wechat/_sim/token-fetches?appid=${appid}`)).body.fetches as number;
const storedToken = async () => (await WechatAccessToken.findById(oaAppId).lean())?.token;

beforeAll(async () => {
  one = await startTestApp();
  // The second instance shares the database and reaches the same simulator.
  two = await startTestApp({ MONGODB_URI: one.config.mongodbUri!, WECHAT_API_BASE: one.url + SIMULATOR_PREFIX });
  oaAppId = one.config.officialAccount.appId;
  await one.request('POST', '/__wechat/_sim/followers', { body: { followers: [{ openid: 'oa-dana' }] } });
});
afterAll(async () => {
  await two?.close();
  await one?.close();
});

const sendFrom = (app: TestApp, content: string) =>
  app.wechat.officialAccount.sendCustomMessage({ touser: 'oa-dana', msgtype: 'text', text: { content } });

describe('one access token shared by every instance', () => {
  it('is fetched exactly once when two instances need it at the same moment', async () => {
    expect(await fetches()).toBe(0);
    await Promise.all(Array.from({ length: 8 }, (_, i) => sendFrom(i % 2 ? one : two, `hello ${i}`)));
    expect(await fetches()).toBe(1);
    // And it stays the one token afterwards.
    await sendFrom(two, 'again');
    expect(await fetches()).toBe(1);
    const sent = await one.request('GET', '/__wechat/_sim/custom-messages?touser=oa-dana');
    expect(sent.body.messages).toHaveLength(9);
  });

  it('recovers from 40001 with one refetch, even when both instances hit it at once', async () => {
    const before = await fetches();
    const failed = await storedToken();
    const res = await one.request('POST', '/__wechat/_sim/invalidate-token', { body: { access_token: failed } });
    expect(res.body.invalidated).toBe(1);

    await Promise.all(Array.from({ length: 6 }, (_, i) => sendFrom(i % 2 ? one : two, `after invalidation ${i}`)));
    expect(await fetches()).toBe(before + 1);
    const fresh = await storedToken();
    expect(fresh).not.toBe(failed);

    // A late instance that still holds the failed token must not expire the fresh one.
    const lateInstance = new SharedAccessToken({
      appId: oaAppId,
      fetch: () => Promise.reject(new Error('must not fetch')),
    });
    await lateInstance.expire(failed!);
    await sendFrom(one, 'still fine');
    expect(await storedToken()).toBe(fresh);
    expect(await fetches()).toBe(before + 1);
  });

  it('uses the mini-program token apart from the official-account one', async () => {
    const mpAppId = one.config.miniProgram.appId;
    const before = await fetches(mpAppId);
    await one.wechat.miniProgram.getPhoneNumber('test-phone:13900000000');
    await two.wechat.miniProgram.getPhoneNumber('test-phone:13900000001');
    expect(await fetches(mpAppId)).toBe(before + 1);
  });
});

describe('a busy or slow platform', () => {
  const client = (timeoutMs: number) =>
    createWechatPlatform({
      baseUrl: () => one.url + SIMULATOR_PREFIX,
      officialAccount: one.config.officialAccount,
      miniProgram: one.config.miniProgram,
      timeoutMs,
      busyRetries: 3,
      busyBackoffMs: 5,
    });
  const fault = (body: Record<string, unknown>) => one.request('POST', '/__wechat/_sim/faults', { body });

  it('backs off and retries on -1 until the platform answers', async () => {
    await fault({ path: '/cgi-bin/user/info', errcode: -1, times: 2 });
    const user = await client(5_000).officialAccount.getUser('oa-dana');
    expect(user.subscribed).toBe(true);
    expect((await SimFault.findById('/cgi-bin/user/info').lean())?.remaining).toBe(0);
  });

  it('gives up with the -1 error after a bounded number of retries', async () => {
    await fault({ path: '/cgi-bin/user/info', errcode: -1, times: 6 });
    const err = await client(5_000)
      .officialAccount.getUser('oa-dana')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WechatApiError);
    expect((err as WechatApiError).errcode).toBe(-1);
    // One call plus three retries reached the platform.
    expect((await SimFault.findById('/cgi-bin/user/info').lean())?.remaining).toBe(2);
    await SimFault.updateOne({ _id: '/cgi-bin/user/info' }, { $set: { remaining: 0 } });
  });

  it('abandons a call the platform does not answer in time', async () => {
    await fault({ path: '/cgi-bin/user/get', delayMs: 1_500, times: 1 });
    const err = await client(200)
      .officialAccount.getFollowers()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WechatTransportError);
    expect((err as WechatTransportError).timedOut).toBe(true);
    // The next call goes through.
    const page = await client(5_000).officialAccount.getFollowers();
    expect(page.openids).toEqual(['oa-dana']);
  });
});

describe('refresh before expiry', () => {
  it('is done by one holder while the others keep using the still-valid token', async () => {
    const appId = 'wx_refresh_probe';
    let platformFetches = 0;
    const fetch = async () => {
      platformFetches++;
      return { token: `token-${platformFetches}`, expiresInSeconds: 7200 };
    };
    const instances = Array.from({ length: 4 }, () => new SharedAccessToken({ appId, fetch, refreshMarginMs: 5 * 60_000 }));
    expect(await instances[0]!.get()).toBe('token-1');
    // Two minutes left: inside the refresh margin.
    await WechatAccessToken.updateOne({ _id: appId }, { $set: { expiresAt: new Date(Date.now() + 120_000) } });
    const seen = await Promise.all(instances.flatMap((i) => [i.get(), i.get()]));
    expect(platformFetches).toBe(2);
    expect(seen.every((t) => t === 'token-1' || t === 'token-2')).toBe(true);
    expect(await instances[3]!.get()).toBe('token-2');
  });
});

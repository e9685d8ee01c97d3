import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/helpers';
import { WechatApiError } from '../platform';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
});

describe('mini-program login through the built-in simulator', () => {
  it('turns a demo code into an openid and a session key, reusable', async () => {
    const first = await app.wechat.miniProgram.code2Session('test:alice');
    expect(first.openid).toBe('alice');
    expect(first.unionid).toBeUndefined();
    expect(first.sessionKey.length).toBeGreaterThan(10);
    const again = await app.wechat.miniProgram.code2Session('test:alice');
    expect(again.openid).toBe('alice');
  });

  it('carries the unionid of a test:<openid>:<unionid> code', async () => {
    const session = await app.wechat.miniProgram.code2Session('test:bob:union-bob');
    expect(session).toMatchObject({ openid: 'bob', unionid: 'union-bob' });
  });

  it('refuses any other code with 40029', async () => {
    for (const code of ['081abcDEF', 'test:', 'test:a:b:c', '']) {
      const err = await app.wechat.miniProgram.code2Session(code).catch((e: unknown) => e);
      expect(err, code).toBeInstanceOf(WechatApiError);
      expect((err as WechatApiError).errcode).toBe(40029);
      expect((err as WechatApiError).endpoint).toBe('jscode2session');
    }
  });

  it('reads a phone number with the mini-program access token', async () => {
    const phone = await app.wechat.miniProgram.getPhoneNumber('test-phone:13800138000');
    expect(phone).toEqual({ phoneNumber: '13800138000', purePhoneNumber: '13800138000', countryCode: '86' });
    const err = await app.wechat.miniProgram.getPhoneNumber('not-a-phone-code').catch((e: unknown) => e);
    expect((err as WechatApiError).errcode).toBe(40029);
  });

  it('answers the platform endpoints the way the platform does, over HTTP', async () => {
    const res = await app.request('GET', '/__wechat/sns/jscode2session?appid=x&secret=y&js_code=bad&grant_type=authorization_code');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ errcode: 40029, errmsg: 'invalid code' });
  });
});

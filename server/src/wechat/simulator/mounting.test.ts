import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/helpers';

// A server configured for the real platform must not expose the simulator.
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({
    MP_APPID: 'wx_real',
    MP_APPSECRET: 'secret-of-a-real-app',
    OA_TOKEN: 'realaccounttoken',
    SESSION_SECRET: 'a-session-secret-of-at-least-32-chars',
    WECHAT_API_BASE: 'http://127.0.0.1:9',
  });
});
afterAll(async () => {
  await app.close();
});

it('is not mounted when an app secret or an API base is configured', async () => {
  expect(app.config.useWechatSimulator).toBe(false);
  const res = await app.request('GET', '/__wechat/sns/jscode2session?appid=a&secret=b&js_code=test:a&grant_type=authorization_code');
  expect(res.status).toBe(404);
  expect(res.body.error.code).toBe('NOT_FOUND');
});

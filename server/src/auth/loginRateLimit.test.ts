import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/helpers';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

describe('login rate limit per address', () => {
  it('refuses one address after 60 logins a minute, across codes', async () => {
    let firstRefused = -1;
    for (let i = 0; i < 125 && firstRefused < 0; i++) {
      const res = await app.request('POST', '/api/v1/auth/login', { body: { code: `test:ip-user-${i}` } });
      if (res.status === 429) firstRefused = i;
      else expect(res.status).toBe(200);
    }
    // The 61st login of a window is refused; a window boundary during the loop can delay that to
    // at most the 121st.
    expect(firstRefused).toBeGreaterThanOrEqual(60);
    expect(firstRefused).toBeLessThanOrEqual(120);
  });
});

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/helpers';
import { findCustomerByOpenid, getCustomer } from '../customers/service';

const run = promisify(execFile);

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
});

it('`npm run oa:backfill` syncs the followers into the database it is pointed at, printing progress', async () => {
  await app.request('POST', '/__wechat/_sim/followers', {
    body: {
      followers: [
        { openid: 'oa-cmd-1', tags: [3] },
        { openid: 'oa-cmd-2', qrSceneStr: 'store-9', scene: 'ADD_SCENE_QR_CODE' },
      ],
    },
  });
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, MONGODB_URI: app.config.mongodbUri, LOG_LEVEL: 'warn' };
  const { stdout } = await run('npm', ['run', '--silent', 'oa:backfill'], { env, cwd: process.cwd(), timeout: 60_000 });
  expect(stdout).toContain('synced 2 of 2 followers');
  expect(stdout).toMatch(/done: 2 follower profiles synced/);
  const id = await findCustomerByOpenid('official_account', 'oa-cmd-2');
  expect((await getCustomer(id!))!.officialAccount).toMatchObject({ following: true, followChannel: 'store-9' });
});

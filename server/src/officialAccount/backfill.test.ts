import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/helpers';
import { findCustomerByOpenid, getCustomer, resolveCustomer } from '../customers/service';
import { releaseLease, tryAcquireLease } from '../platform/jobs/lease';
import { backfillFollowers, type BackfillProgress } from './backfill';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  // Keep the server's queue drain out of the way: this test is about the backfill alone.
  await tryAcquireLease('job:oa-profile-sync', 10 * 60_000, 'backfill-test');
});
afterAll(async () => {
  await releaseLease('job:oa-profile-sync', 'backfill-test');
  await app.close();
});

it('walks every follower page by page and syncs them 100 at a time', async () => {
  const followers = Array.from({ length: 250 }, (_, i) => {
    const n = String(i).padStart(3, '0');
    return {
      openid: `oa-f${n}`,
      ...(i % 10 === 0 ? { unionid: `u-f${n}` } : {}),
      scene: i % 2 ? 'ADD_SCENE_SEARCH' : 'ADD_SCENE_QR_CODE',
      ...(i % 2 ? {} : { qrSceneStr: `store-${i % 4}` }),
      tags: [i % 3],
    };
  });
  const seeded = await app.request('POST', '/__wechat/_sim/followers', {
    body: { followers: [...followers, { openid: 'oa-left', subscribe: false }] },
  });
  expect(seeded.status).toBe(201);
  // Pages of 100 (the platform's are 10,000) so that next_openid paging is exercised.
  await app.request('POST', '/__wechat/_sim/settings', { body: { userGetPageSize: 100 } });
  // Someone already known from the mini-program, to be joined on unionid.
  const known = await resolveCustomer({ app: 'mini_program', openid: 'mp-f020', unionid: 'u-f020' });

  const seen: BackfillProgress[] = [];
  const done = await backfillFollowers(app.wechat, (p) => seen.push(p));

  expect(done).toEqual({ synced: 250, total: 250 });
  expect(seen).toEqual([
    { synced: 100, total: 250 },
    { synced: 200, total: 250 },
    { synced: 250, total: 250 },
  ]);
  const ids = await Promise.all(followers.map((f) => findCustomerByOpenid('official_account', f.openid)));
  expect(ids.every(Boolean)).toBe(true);
  expect(new Set(ids.map(String)).size).toBe(250);
  expect(ids[20]!.equals(known)).toBe(true);
  const f004 = await getCustomer(ids[4]!);
  expect(f004!.officialAccount).toMatchObject({ following: true, followChannel: 'store-0', tags: [1] });
  const f249 = await getCustomer(ids[249]!);
  expect(f249!.officialAccount).toMatchObject({ following: true, followChannel: 'ADD_SCENE_SEARCH', tags: [0] });
  expect(await findCustomerByOpenid('official_account', 'oa-left')).toBeUndefined();
});

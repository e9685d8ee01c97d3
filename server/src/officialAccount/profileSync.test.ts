import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/helpers';
import { findCustomerByOpenid, getCustomer, recordFollow, resolveCustomer } from '../customers/service';
import { releaseLease, tryAcquireLease } from '../platform/jobs/lease';
import { drainProfileSyncQueue, ProfileSyncRequest, requestProfileSync } from './profileSync';

let app: TestApp;
const seed = async (followers: Array<Record<string, unknown>>) => {
  const res = await app.request('POST', '/__wechat/_sim/followers', { body: { followers } });
  expect(res.status).toBe(201);
};
const customerOf = async (openid: string) => {
  const id = await findCustomerByOpenid('official_account', openid);
  return id ? getCustomer(id) : null;
};

// The server's own drain job would race the drains these tests make by hand: hold its lease until
// the test of the job itself.
const JOB_LEASE = 'job:oa-profile-sync';
beforeAll(async () => {
  app = await startTestApp();
  expect(await tryAcquireLease(JOB_LEASE, 10 * 60_000, 'profile-sync-test')).toBe(true);
});
afterAll(async () => {
  await app.close();
});

describe('requestProfileSync', () => {
  it('keeps one pending request per openid, even under concurrent calls', async () => {
    await Promise.all(Array.from({ length: 20 }, () => requestProfileSync('oa-dupe')));
    expect(await ProfileSyncRequest.countDocuments({ _id: 'oa-dupe' })).toBe(1);
    await ProfileSyncRequest.deleteOne({ _id: 'oa-dupe' });
  });
});

describe('draining the queue', () => {
  it('updates follow state, channel and tags, and joins identities on unionid', async () => {
    const fromMiniProgram = await resolveCustomer({ app: 'mini_program', openid: 'mp-eve', unionid: 'u-eve' });
    const leaver = await resolveCustomer({ app: 'official_account', openid: 'oa-leo' });
    await recordFollow(leaver, { following: true, at: new Date('2026-01-01T00:00:00Z') });
    await seed([
      {
        openid: 'oa-eve',
        unionid: 'u-eve',
        scene: 'ADD_SCENE_QR_CODE',
        qrSceneStr: 'store-3',
        tags: [7, 9],
        subscribeTime: '2026-03-01T08:00:00Z',
      },
      { openid: 'oa-fay', scene: 'ADD_SCENE_SEARCH' },
      { openid: 'oa-leo', subscribe: false },
      { openid: 'oa-never', subscribe: false },
    ]);
    for (const openid of ['oa-eve', 'oa-fay', 'oa-leo', 'oa-never', 'oa-eve']) await requestProfileSync(openid);

    const result = await drainProfileSyncQueue(app.wechat, app.log);
    expect(result).toEqual({ synced: 4, failedBatches: 0 });
    expect(await ProfileSyncRequest.countDocuments()).toBe(0);

    const eve = await customerOf('oa-eve');
    expect(eve!._id.equals(fromMiniProgram)).toBe(true);
    expect(eve!.officialAccount).toMatchObject({ following: true, followChannel: 'store-3', tags: [7, 9] });
    expect(eve!.officialAccount!.followedAt?.toISOString()).toBe('2026-03-01T08:00:00.000Z');
    expect((await customerOf('oa-fay'))!.officialAccount).toMatchObject({ following: true, followChannel: 'ADD_SCENE_SEARCH', tags: [] });
    const leo = await customerOf('oa-leo');
    expect(leo!.officialAccount!.following).toBe(false);
    expect(leo!.officialAccount!.unfollowedAt).toBeInstanceOf(Date);
    // Someone who neither follows nor was ever seen does not become a customer.
    expect(await customerOf('oa-never')).toBeNull();
  });

  it('keeps a failed batch for later, with a back-off, and leaves customers untouched', async () => {
    await seed([{ openid: 'oa-gil', tags: [1] }]);
    await requestProfileSync('oa-gil');
    await app.request('POST', '/__wechat/_sim/faults', { body: { path: '/cgi-bin/user/info/batchget', errcode: 45009, times: 1 } });
    const result = await drainProfileSyncQueue(app.wechat, app.log);
    expect(result).toEqual({ synced: 0, failedBatches: 1 });
    const pending = await ProfileSyncRequest.findById('oa-gil').lean();
    expect(pending!.attempts).toBe(1);
    expect(pending!.notBefore.getTime()).toBeGreaterThan(Date.now());
    expect(await customerOf('oa-gil')).toBeNull();
    await ProfileSyncRequest.updateOne({ _id: 'oa-gil' }, { $set: { notBefore: new Date() } });
    expect(await drainProfileSyncQueue(app.wechat, app.log)).toEqual({ synced: 1, failedBatches: 0 });
    expect((await customerOf('oa-gil'))!.officialAccount!.tags).toEqual([1]);
  });

  it('syncs more than one batch of 100 in a pass, and resyncs known followers', async () => {
    const openids = Array.from({ length: 105 }, (_, i) => `oa-bulk-${String(i).padStart(3, '0')}`);
    await seed(openids.map((openid) => ({ openid, tags: [5] })));
    await Promise.all(openids.map((openid) => requestProfileSync(openid)));
    expect(await drainProfileSyncQueue(app.wechat, app.log)).toEqual({ synced: 105, failedBatches: 0 });
    const first = await customerOf('oa-bulk-104');
    expect(first!.officialAccount!.tags).toEqual([5]);

    // Later: the follower was retagged and unfollowed-then-refollowed via a store's QR code.
    await seed(openids.map((openid) => ({ openid, tags: [5, 6], scene: 'ADD_SCENE_QR_CODE', qrSceneStr: 'store-5' })));
    await Promise.all(openids.map((openid) => requestProfileSync(openid)));
    expect(await drainProfileSyncQueue(app.wechat, app.log)).toEqual({ synced: 105, failedBatches: 0 });
    const again = await customerOf('oa-bulk-104');
    expect(again!._id.equals(first!._id)).toBe(true);
    expect(again!.officialAccount).toMatchObject({ tags: [5, 6], followChannel: 'store-5' });
  });

  it('is drained by the server’s periodic job without being asked', async () => {
    await releaseLease(JOB_LEASE, 'profile-sync-test');
    await seed([{ openid: 'oa-hal', scene: 'ADD_SCENE_PROFILE_CARD' }]);
    await requestProfileSync('oa-hal');
    // Wait (bounded) for the job; the check is the outcome, not how long it took.
    for (let i = 0; i < 100 && (await ProfileSyncRequest.exists({ _id: 'oa-hal' })); i++) await sleep(100);
    expect((await customerOf('oa-hal'))!.officialAccount).toMatchObject({ following: true, followChannel: 'ADD_SCENE_PROFILE_CARD' });
  });
});

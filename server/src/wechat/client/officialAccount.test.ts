import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/helpers';
import type { WechatApiError } from '../platform';

let app: TestApp;
const seed = (followers: Array<Record<string, unknown>>) => app.request('POST', '/__wechat/_sim/followers', { body: { followers } });

beforeAll(async () => {
  app = await startTestApp();
  const res = await seed([
    { openid: 'oa-ann', unionid: 'u-ann', scene: 'ADD_SCENE_QR_CODE', qrSceneStr: 'store-12', tags: [2] },
    { openid: 'oa-ben' },
    { openid: 'oa-gone', subscribe: false },
  ]);
  expect(res.status).toBe(201);
});
afterAll(async () => {
  await app.close();
});

describe('official-account calls against the simulator', () => {
  it('sends a customer-service message that the simulator records, oldest first', async () => {
    const before = new Date().toISOString();
    await app.wechat.officialAccount.sendCustomMessage({ touser: 'oa-ann', msgtype: 'text', text: { content: 'first' } });
    await app.wechat.officialAccount.sendCustomMessage({
      touser: 'oa-ann',
      msgtype: 'miniprogrampage',
      miniprogrampage: { title: 'Your coupon', appid: 'wx_mp', pagepath: 'pages/coupons/index' },
    });
    const res = await app.request('GET', `/__wechat/_sim/custom-messages?touser=oa-ann&after=${encodeURIComponent(before)}`);
    expect(res.status).toBe(200);
    expect(res.body.messages.map((m: any) => m.msgtype)).toEqual(['text', 'miniprogrampage']);
    expect(res.body.messages[0].text.content).toBe('first');
    const later = await app.request(
      'GET',
      `/__wechat/_sim/custom-messages?touser=oa-ann&after=${encodeURIComponent(new Date(Date.now() + 1000).toISOString())}`,
    );
    expect(later.body.messages).toEqual([]);
  });

  it('reads one follower and a batch, with unfollowed ones reported as not subscribed', async () => {
    const ann = await app.wechat.officialAccount.getUser('oa-ann');
    expect(ann).toMatchObject({
      subscribed: true,
      openid: 'oa-ann',
      unionid: 'u-ann',
      subscribeScene: 'ADD_SCENE_QR_CODE',
      qrSceneStr: 'store-12',
      tagIds: [2],
    });
    expect(ann.subscribeTime).toBeInstanceOf(Date);
    const batch = await app.wechat.officialAccount.getUsers(['oa-ben', 'oa-gone', 'oa-ann']);
    expect(batch.map((u) => [u.openid, u.subscribed])).toEqual([
      ['oa-ben', true],
      ['oa-gone', false],
      ['oa-ann', true],
    ]);
    await expect(app.wechat.officialAccount.getUsers(Array.from({ length: 101 }, (_, i) => `o${i}`))).rejects.toThrow(RangeError);
    const unknown = await app.wechat.officialAccount.getUser('nobody').catch((e: unknown) => e);
    expect((unknown as WechatApiError).errcode).toBe(40003);
  });

  it('lists followers page by page with next_openid', async () => {
    await app.request('POST', '/__wechat/_sim/settings', { body: { userGetPageSize: 1 } });
    try {
      const first = await app.wechat.officialAccount.getFollowers();
      expect(first).toEqual({ total: 2, openids: ['oa-ann'], nextOpenid: 'oa-ann' });
      const second = await app.wechat.officialAccount.getFollowers(first.nextOpenid);
      expect(second.openids).toEqual(['oa-ben']);
      const end = await app.wechat.officialAccount.getFollowers(second.nextOpenid);
      expect(end).toEqual({ total: 2, openids: [], nextOpenid: '' });
    } finally {
      await app.request('POST', '/__wechat/_sim/settings', { body: { userGetPageSize: 10_000 } });
    }
  });

  it('creates tags, tags followers (at most 50 a call) and reads them back', async () => {
    const vip = await app.wechat.officialAccount.createTag('VIP');
    expect(vip.name).toBe('VIP');
    const dup = await app.wechat.officialAccount.createTag('VIP').catch((e: unknown) => e);
    expect((dup as WechatApiError).errcode).toBe(45157);
    await app.wechat.officialAccount.tagFollowers(vip.id, ['oa-ann', 'oa-ben']);
    expect(await app.wechat.officialAccount.getFollowerTagIds('oa-ben')).toEqual([vip.id]);
    expect(await app.wechat.officialAccount.getFollowerTagIds('oa-ann')).toEqual([2, vip.id]);
    const tags = await app.wechat.officialAccount.getTags();
    expect(tags).toContainEqual({ id: vip.id, name: 'VIP', count: 2 });
    await expect(
      app.wechat.officialAccount.tagFollowers(
        vip.id,
        Array.from({ length: 51 }, (_, i) => `o${i}`),
      ),
    ).rejects.toThrow(RangeError);
    const missing = await app.wechat.officialAccount.tagFollowers(999_999, ['oa-ann']).catch((e: unknown) => e);
    expect((missing as WechatApiError).errcode).toBe(45059);
  });

  it('creates temporary and permanent parametric QR codes', async () => {
    const temp = await app.wechat.officialAccount.createQrCode({ sceneStr: 'store-7', expireSeconds: 600 });
    const forever = await app.wechat.officialAccount.createQrCode({ sceneStr: 'store-8' });
    expect(temp.ticket).not.toBe(forever.ticket);
    expect(temp.url).toMatch(/^http:\/\/weixin\.qq\.com\/q\//);
  });

  it('sends template messages to followers only (43004 otherwise)', async () => {
    const sent = await app.wechat.officialAccount.sendTemplateMessage({
      touser: 'oa-ann',
      template_id: 'tpl-points',
      data: { points: { value: '120' } },
    });
    expect(sent.msgid).toMatch(/^\d+$/);
    const refused = await app.wechat.officialAccount
      .sendTemplateMessage({ touser: 'oa-gone', template_id: 'tpl-points', data: {} })
      .catch((e: unknown) => e);
    expect((refused as WechatApiError).errcode).toBe(43004);
  });

  it('sends mini-program subscribe messages, recorded by the simulator', async () => {
    await app.wechat.miniProgram.sendSubscribeMessage({
      touser: 'mp-carl',
      template_id: 'tpl-ticket',
      page: 'pages/tickets/index',
      data: { thing1: { value: 'Ticket answered' } },
    });
    const res = await app.request('GET', '/__wechat/_sim/messages?kind=subscribe&touser=mp-carl');
    expect(res.body.messages).toHaveLength(1);
    expect(res.body.messages[0].template_id).toBe('tpl-ticket');
  });

  it('answers 40001 to a call without a valid token, as the platform does', async () => {
    const res = await app.request('POST', '/__wechat/cgi-bin/message/custom/send?access_token=forged', {
      body: { touser: 'oa-ann', msgtype: 'text', text: { content: 'x' } },
    });
    expect(res.body.errcode).toBe(40001);
  });
});

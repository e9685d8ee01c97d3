import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/helpers';
import { eventXml, newOpenid, OA_ENV, pushToOa } from '../../test/oaPush';
import { login, type SignedIn } from '../../test/session';
import { WechatApiError } from '../wechat/platform';

let app: TestApp;
let admin: SignedIn;
let customer: SignedIn;

beforeAll(async () => {
  app = await startTestApp({ ...OA_ENV, ADMIN_OPENIDS: 'menu-admin' });
  admin = await login(app, 'menu-admin');
  customer = await login(app, 'menu-customer');
});
afterAll(async () => {
  await app?.close();
});

const menu = {
  button: [
    { type: 'click', name: '会员中心', key: 'MEMBER_CENTER' },
    {
      name: '服务',
      sub_button: [
        { type: 'view', name: '门店地址', url: 'https://example.com/stores' },
        { type: 'miniprogram', name: '我的优惠券', url: 'https://example.com/', appid: 'wx_mp_demo', pagepath: 'pages/coupons/mine/index' },
      ],
    },
  ],
};

const refusal = (body: unknown) =>
  app.wechat.officialAccount.createMenu(body as never).then(
    () => 0,
    (err: unknown) => (err instanceof WechatApiError ? err.errcode : -999),
  );

describe('custom menu through the platform API (simulator)', () => {
  it('round-trips create, get and delete', async () => {
    await app.wechat.officialAccount.createMenu(menu as never);
    expect(await app.wechat.officialAccount.getMenu()).toEqual(menu);
    await app.wechat.officialAccount.deleteMenu();
    expect(await app.wechat.officialAccount.getMenu()).toBeNull();
  });

  it("refuses what the platform refuses, with the platform's errcodes", async () => {
    const click = { type: 'click', name: '点我', key: 'K' };
    expect(await refusal({ button: [] })).toBe(40016);
    expect(await refusal({ button: [click, click, click, click] })).toBe(40016);
    expect(await refusal({ button: [{ ...click, type: 'teleport' }] })).toBe(40017);
    expect(await refusal({ button: [{ ...click, name: '会员中心专享' }] })).toBe(40018); // 18 bytes
    expect(await refusal({ button: [{ ...click, key: 'K'.repeat(129) }] })).toBe(40019);
    expect(await refusal({ button: [{ type: 'view', name: '看', url: 'x'.repeat(1025) }] })).toBe(40020);
    expect(await refusal({ button: [{ type: 'view', name: '看', url: 'ftp://example.com' }] })).toBe(40055);
    expect(await refusal({ button: [{ name: '组', sub_button: Array(6).fill(click) }] })).toBe(40023);
    expect(await refusal({ button: [{ name: '组', sub_button: [{ ...click, type: 'teleport' }] }] })).toBe(40024);
    expect(await refusal({ button: [{ name: '组', sub_button: [{ ...click, name: '一'.repeat(21) }] }] })).toBe(40025);
    expect(await refusal({ button: [{ name: '组', sub_button: [{ ...click, key: '' }] }] })).toBe(40026);
    expect(
      await refusal({
        button: [{ name: '组', sub_button: [{ type: 'miniprogram', name: '小程序', url: 'https://a.com', appid: 'wx1' }] }],
      }),
    ).toBe(40165);
    expect(await refusal({ button: [{ name: '组', sub_button: [{ ...click, name: '一'.repeat(20) }] }] })).toBe(0); // 60 bytes: allowed
  });
});

describe('menu editor (admin API)', () => {
  const put = (body: unknown, who = admin) => app.request('PUT', '/api/v1/admin/oa-menu', { token: who.token, body });
  const publish = () => app.request('POST', '/api/v1/admin/oa-menu/publish', { token: admin.token });

  it('is for admins only and refuses shapes the platform never takes', async () => {
    expect((await app.request('GET', '/api/v1/admin/oa-menu')).status).toBe(401);
    expect((await app.request('GET', '/api/v1/admin/oa-menu', { token: customer.token })).status).toBe(403);
    expect((await put({ entries: [{ type: 'click', name: 'a', key: 'A' }] }, customer)).status).toBe(403);
    const click = { type: 'click', name: '点我', key: 'K' };
    const bad = await put({ entries: [click, click, click, click, { type: 'view', name: 'x', url: 'not a url' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    const six = await put({ entries: [{ name: '组', sub: Array(6).fill(click) }] });
    expect(six.status).toBe(400);
    expect(six.body.error.fields.map((f: { path: string }) => f.path)).toContain('body.entries.0.sub');
    const unknownRule = await put({ entries: [{ ...click, keywordRuleId: 'f'.repeat(24) }] });
    expect(unknownRule.status).toBe(404);
    expect((await app.request('GET', '/api/v1/admin/oa-menu', { token: admin.token })).body.draft).toBeNull();
  });

  it('saves, publishes through the platform, and binds a CLICK key to a keyword rule', async () => {
    const rule = await app.request('POST', '/api/v1/admin/keyword-rules', {
      token: admin.token,
      body: { name: '双十一活动', match: 'exact', pattern: '双十一', reply: { type: 'text', content: '双十一全场满 200 减 30！' } },
    });
    expect(rule.status, JSON.stringify(rule.body)).toBe(201);
    const draft = {
      entries: [
        { type: 'click', name: '本月活动', key: 'PROMO', keywordRuleId: rule.body.id },
        {
          name: '会员',
          sub: [
            { type: 'click', name: '会员中心', key: 'MEMBER_CENTER' },
            { type: 'view', name: '品牌故事', url: 'https://example.com/story' },
          ],
        },
      ],
    };
    const saved = await put(draft);
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body).toMatchObject({ draft, problems: [], published: null });

    const published = await publish();
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    expect(published.body.lastPublish).toMatchObject({ ok: true });
    const live = await app.request('GET', '/api/v1/admin/oa-menu/live', { token: admin.token });
    expect(live.body.menu).toEqual({
      button: [
        { type: 'click', name: '本月活动', key: 'PROMO' },
        {
          name: '会员',
          sub_button: [
            { type: 'click', name: '会员中心', key: 'MEMBER_CENTER' },
            { type: 'view', name: '品牌故事', url: 'https://example.com/story' },
          ],
        },
      ],
    });

    const follower = newOpenid();
    const bound = await pushToOa(app, eventXml(follower, 'CLICK', { EventKey: 'PROMO' }), follower);
    expect(bound.reply).toMatchObject({ MsgType: 'text', Content: '双十一全场满 200 减 30！' });
    const builtIn = await pushToOa(
      app,
      eventXml(follower, 'CLICK', { EventKey: 'MEMBER_CENTER' }, Math.floor(Date.now() / 1000) + 1),
      follower,
    );
    expect(String(builtIn.reply?.Content)).toContain('会员中心');
  });

  it("shows the platform's errcode and message when it refuses the menu, and keeps the live menu", async () => {
    const tooLong = { entries: [{ type: 'click', name: '会员专享活动', key: 'VIP' }] }; // 18 bytes at the top
    const saved = await put(tooLong);
    expect(saved.status).toBe(200);
    expect(saved.body.problems).toEqual([{ path: 'entries.0.name', errcode: 40018, message: expect.any(String) }]);
    const refused = await publish();
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('WECHAT_REJECTED');
    expect(refused.body.error.message).toContain('40018');
    expect(refused.body.error.message).toContain('invalid button name size');
    const state = await app.request('GET', '/api/v1/admin/oa-menu', { token: admin.token });
    expect(state.body.lastPublish).toMatchObject({ ok: false, errcode: 40018, errmsg: 'invalid button name size' });
    expect(state.body.published.menu.entries[0].name).toBe('本月活动');
    const live = await app.request('GET', '/api/v1/admin/oa-menu/live', { token: admin.token });
    expect(live.body.menu.button[0].name).toBe('本月活动');

    expect((await app.request('DELETE', '/api/v1/admin/oa-menu/live', { token: admin.token })).status).toBe(204);
    expect((await app.request('GET', '/api/v1/admin/oa-menu/live', { token: admin.token })).body.menu).toBeNull();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/helpers';
import { newOpenid, OA_ENV, pushToOa, textXml } from '../../test/oaPush';
import { login, type SignedIn } from '../../test/session';

let app: TestApp;
let admin: SignedIn;
let customer: SignedIn;
let manager: SignedIn;

const PATH = '/api/v1/admin/keyword-rules';
const rule = (over: Record<string, unknown> = {}) => ({
  name: `营业时间-${Math.random().toString(36).slice(2, 8)}`,
  match: 'exact',
  pattern: '营业时间',
  priority: 200,
  reply: { type: 'text', content: '门店每天 10:00-22:00 营业。' },
  ...over,
});

beforeAll(async () => {
  app = await startTestApp({ ...OA_ENV, ADMIN_OPENIDS: 'kw-admin', LOG_LEVEL: 'error' });
  admin = await login(app, 'kw-admin');
  customer = await login(app, 'kw-customer');
  manager = await login(app, 'kw-manager');
  const store = await app.request('POST', '/api/v1/admin/stores', { token: admin.token, body: { name: '静安店', code: 'SH-JA' } });
  const grant = await app.request('POST', '/api/v1/admin/staff', {
    token: admin.token,
    body: { customerId: manager.customerId, role: 'manager', storeId: store.body.id },
  });
  expect(grant.status, JSON.stringify(grant.body)).toBe(201);
});
afterAll(async () => {
  await app?.close();
});

describe('keyword-rule admin API', () => {
  it('is for admins only: 401 without a session, 403 for customers and store managers, and nothing changes', async () => {
    const anon = await app.request('GET', PATH);
    expect(anon.status).toBe(401);
    expect(anon.body.error.code).toBe('UNAUTHENTICATED');
    for (const who of [customer, manager]) {
      expect((await app.request('GET', PATH, { token: who.token })).status).toBe(403);
      const post = await app.request('POST', PATH, { token: who.token, body: rule({ name: 'sneaky' }) });
      expect(post.status).toBe(403);
      expect(post.body.error.code).toBe('FORBIDDEN');
    }
    const list = await app.request('GET', PATH, { token: admin.token });
    expect(list.status).toBe(200);
    expect(list.body.items.map((r: { name: string }) => r.name)).not.toContain('sneaky');
    const someId = list.body.items[0].id as string;
    expect((await app.request('PATCH', `${PATH}/${someId}`, { token: customer.token, body: { enabled: false } })).status).toBe(403);
    expect((await app.request('DELETE', `${PATH}/${someId}`, { token: manager.token })).status).toBe(403);
    expect((await app.request('DELETE', `${PATH}/${someId}`)).status).toBe(401);
    const after = await app.request('GET', PATH, { token: admin.token });
    expect(after.body.items.find((r: { id: string }) => r.id === someId)).toMatchObject({ enabled: true });
  });

  it('lists the default rules, highest priority first', async () => {
    const list = await app.request('GET', PATH, { token: admin.token });
    expect(list.status).toBe(200);
    const names = list.body.items.map((r: { name: string }) => r.name);
    expect(names).toEqual(expect.arrayContaining(['帮助菜单', '人工客服', '售后服务']));
    const priorities = list.body.items.map((r: { priority: number }) => r.priority);
    expect(priorities).toEqual([...priorities].sort((a, b) => b - a));
  });

  it('refuses bad input with 400 and field paths, and stores nothing', async () => {
    const before = (await app.request('GET', PATH, { token: admin.token })).body.items.length;
    const bad = await app.request('POST', PATH, {
      token: admin.token,
      body: { name: '', match: 'fuzzy', pattern: 'x', reply: { type: 'text' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    const paths = bad.body.error.fields.map((f: { path: string }) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['body.name', 'body.match', 'body.reply.content']));

    const evil = await app.request('POST', PATH, { token: admin.token, body: rule({ match: 'regex', pattern: '(a+)+$' }) });
    expect(evil.status).toBe(400);
    expect(evil.body.error.fields.map((f: { path: string }) => f.path)).toContain('body.pattern');

    const notJson = await app.request('POST', PATH, { token: admin.token, raw: '{nope', headers: { 'content-type': 'application/json' } });
    expect(notJson.status).toBe(400);
    expect((await app.request('GET', PATH, { token: admin.token })).body.items).toHaveLength(before);
  });

  it('creates, updates and deletes; 404 for unknown ids, 409 for a taken name', async () => {
    const created = await app.request('POST', PATH, { token: admin.token, body: rule({ name: '门店电话', pattern: '电话' }) });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ name: '门店电话', match: 'exact', pattern: '电话', priority: 200, enabled: true });
    const id = created.body.id as string;

    const dup = await app.request('POST', PATH, { token: admin.token, body: rule({ name: '门店电话' }) });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('CONFLICT');

    const patched = await app.request('PATCH', `${PATH}/${id}`, { token: admin.token, body: { priority: 5, enabled: false } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id, priority: 5, enabled: false, name: '门店电话' });

    const badPatch = await app.request('PATCH', `${PATH}/${id}`, { token: admin.token, body: { match: 'regex', pattern: '(x+)+' } });
    expect(badPatch.status).toBe(400);
    expect(badPatch.body.error.fields.map((f: { path: string }) => f.path)).toContain('body.pattern');
    const renameClash = await app.request('PATCH', `${PATH}/${id}`, { token: admin.token, body: { name: '帮助菜单' } });
    expect(renameClash.status).toBe(409);
    const unchanged = (await app.request('GET', PATH, { token: admin.token })).body.items.find((r: { id: string }) => r.id === id);
    expect(unchanged).toMatchObject({ name: '门店电话', match: 'exact', pattern: '电话', priority: 5 });

    expect((await app.request('PATCH', `${PATH}/${'f'.repeat(24)}`, { token: admin.token, body: { enabled: true } })).status).toBe(404);
    expect((await app.request('PATCH', `${PATH}/not-an-id`, { token: admin.token, body: { enabled: true } })).status).toBe(404);
    expect((await app.request('DELETE', `${PATH}/${'f'.repeat(24)}`, { token: admin.token })).status).toBe(404);

    const del = await app.request('DELETE', `${PATH}/${id}`, { token: admin.token });
    expect(del.status).toBe(204);
    expect((await app.request('DELETE', `${PATH}/${id}`, { token: admin.token })).status).toBe(404);
    const names = (await app.request('GET', PATH, { token: admin.token })).body.items.map((r: { name: string }) => r.name);
    expect(names).not.toContain('门店电话');
  });

  it('a created rule answers a follower, and stops once disabled', async () => {
    const created = await app.request('POST', PATH, { token: admin.token, body: rule({ name: '营业时间', pattern: '营业时间' }) });
    expect(created.status).toBe(201);
    const who = newOpenid();
    const first = await pushToOa(app, textXml(who, '  营业时间 '), who);
    expect(first.status).toBe(200);
    expect(first.text).toContain('<Encrypt>');
    expect(first.reply).toMatchObject({ MsgType: 'text', ToUserName: who, Content: '门店每天 10:00-22:00 营业。' });

    const off = await app.request('PATCH', `${PATH}/${created.body.id}`, { token: admin.token, body: { enabled: false } });
    expect(off.status).toBe(200);
    const second = await pushToOa(app, textXml(who, '营业时间'), who);
    expect(second.reply).toMatchObject({ MsgType: 'text' });
    expect(second.reply!.Content).not.toBe('门店每天 10:00-22:00 营业。');
  });
});

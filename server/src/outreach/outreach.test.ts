// Outreach against the real server, the real embedded database and the WeChat simulator: 2,000
// customers with mixed windows, consents, opt-outs and caps; each eligible one gets exactly one
// message, everyone else is skipped with the reason; 退订/TD stop marketing and 恢复 restores it.
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TimelineEntry } from '../customers/model';
import { SimMessage } from '../wechat/simulator/model';
import { startTestApp, type TestApp } from '../../test/helpers';
import { customerIdOf, eventXml, newOpenid, OA_ENV, pushToOa, textXml } from '../../test/oaPush';
import { seedOutreachCustomers, simFollowersOf, type SeededCustomer } from '../../test/outreachSeed';
import { OutreachDelivery } from './model';

const CAP = 3;
let app: TestApp;
let admin: string;

const api = (method: string, path: string, body?: unknown, token = admin) => app.request(method, `/api/v1${path}`, { token, body });

async function untilDone(id: string, timeoutMs = 1_500_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // A busy machine may drop a poll now and then: the next one asks again.
    const res = await api('GET', `/admin/outreaches/${id}`).catch(() => undefined);
    if (res?.body.status === 'done') return res.body;
    if (Date.now() > deadline) throw new Error(`outreach not done: ${JSON.stringify(res?.body.progress)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function sendTo(customerIds: string[], name = 'Weekend offer') {
  const created = await api('POST', '/admin/outreaches', {
    name,
    text: '周末全场 8 折，欢迎到店。',
    audience: { kind: 'customers', customerIds },
  });
  expect(created.status).toBe(201);
  const sent = await api('POST', `/admin/outreaches/${created.body.id}/send`);
  expect(sent.status).toBe(202);
  return untilDone(created.body.id);
}

beforeAll(async () => {
  app = await startTestApp({
    ...OA_ENV,
    ADMIN_OPENIDS: 'outreach-admin',
    JOB_INTERVAL_MS: '500',
    OUTREACH_WEEKLY_CAP: String(CAP),
    OUTREACH_SEND_CONCURRENCY: '16',
  });
  admin = (await app.request('POST', '/api/v1/auth/login', { body: { code: 'test:outreach-admin' } })).body.token;
}, 120_000);

afterAll(async () => {
  await app?.close();
});

describe('marketing opt-out through the official account', () => {
  it('obeys 退订 and TD, and 恢复 restores', async () => {
    const openid = newOpenid();
    // The platform knows the follower (the profile sync after the follow asks it).
    await app.request('POST', '/__wechat/_sim/followers', { body: { followers: [{ openid }] } });
    await pushToOa(app, eventXml(openid, 'subscribe'), openid);
    await pushToOa(app, textXml(openid, '你好'), openid);
    const customerId = String(await customerIdOf(openid));
    const custom = async () => (await SimMessage.find({ kind: 'custom', touser: openid, 'body.text.content': /周末/ }).lean()).length;

    const first = await sendTo([customerId]);
    expect(first.progress).toMatchObject({ sent: 1 });
    expect(await custom()).toBe(1);

    const stop = await pushToOa(app, textXml(openid, '退订'), openid);
    expect(stop.reply?.Content).toContain('退订');
    const skipped = await sendTo([customerId]);
    expect(skipped.progress).toMatchObject({ sent: 0, skipped: 1, skippedBy: { opted_out: 1 } });
    expect(await custom()).toBe(1);

    const back = await pushToOa(app, textXml(openid, '恢复'), openid);
    expect(back.reply?.Content).toContain('恢复接收');
    expect((await sendTo([customerId])).progress).toMatchObject({ sent: 1 });
    expect(await custom()).toBe(2);

    expect((await pushToOa(app, textXml(openid, 'TD'), openid)).reply?.Content).toContain('退订');
    expect((await sendTo([customerId])).progress).toMatchObject({ skippedBy: { opted_out: 1 } });
    expect(await custom()).toBe(2);
    const said = await TimelineEntry.find({ customerId: new mongoose.Types.ObjectId(customerId), type: /^outreach\.opted/ }).lean();
    expect(said.map((e) => e.type).sort()).toEqual(['outreach.opted_in', 'outreach.opted_out', 'outreach.opted_out']);
  }, 300_000);
});

describe('an outreach to 2,000 customers', () => {
  let seeded: SeededCustomer[];
  let outreachId: string;

  beforeAll(async () => {
    seeded = await seedOutreachCustomers(2000, { cap: CAP });
    const followers = simFollowersOf(seeded);
    for (let i = 0; i < followers.length; i += 1000) {
      expect((await app.request('POST', '/__wechat/_sim/followers', { body: { followers: followers.slice(i, i + 1000) } })).status).toBe(
        201,
      );
    }
  }, 300_000);

  it('previews who gets what and who is skipped why', async () => {
    const created = await api('POST', '/admin/outreaches', {
      name: 'Autumn menu',
      text: '秋季新品上市，回复「退订」不再接收。',
      audience: { kind: 'customers', customerIds: seeded.map((s) => s.id) },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'draft', audience: { kind: 'customers', count: 2000 } });
    outreachId = created.body.id;

    const preview = await api('POST', `/admin/outreaches/${outreachId}/preview`);
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({
      audience: 2000,
      evaluated: 2000,
      byChannel: { customer_service: 600, subscribe: 400 },
      skippedBy: { opted_out: 200, not_following: 200, frequency_cap: 200, no_window_no_subscription: 400 },
    });
    const first = seeded.slice(0, 10).map((s) => (s.expected.status === 'sent' ? s.expected.channel : s.expected.reason));
    expect(preview.body.sample.slice(0, 10).map((p: { channel: string | null; reason: string | null }) => p.channel ?? p.reason)).toEqual(
      first,
    );
  }, 300_000);

  it('sends each eligible customer exactly once, through rate limiting, and skips the rest with reasons', async () => {
    // The platform refuses the first sends (minute quota): the sender backs off and goes on.
    await app.request('POST', '/__wechat/_sim/faults', { body: { path: '/cgi-bin/message/custom/send', times: 3, errcode: 45011 } });
    const sent = await api('POST', `/admin/outreaches/${outreachId}/send`);
    expect(sent.status).toBe(202);
    expect(sent.body.status).toBe('sending');
    expect((await api('POST', `/admin/outreaches/${outreachId}/send`)).body.error.code).toBe('OUTREACH_NOT_DRAFT');

    const done = await untilDone(outreachId);
    expect(done.progress).toEqual({
      total: 2000,
      pending: 0,
      sent: 1000,
      failed: 0,
      skipped: 1000,
      skippedBy: { opted_out: 200, not_following: 200, frequency_cap: 200, no_window_no_subscription: 400 },
    });

    const deliveries = await OutreachDelivery.find({ outreachId }).lean();
    expect(deliveries).toHaveLength(2000);
    const byCustomer = new Map(deliveries.map((d) => [String(d.customerId), d]));
    const messages = await SimMessage.find(
      { kind: { $in: ['custom', 'subscribe'] }, 'body.thing1': { $exists: false } },
      { touser: 1, kind: 1, body: 1 },
    ).lean();
    const received = new Map<string, number>();
    for (const m of messages) received.set(m.touser, (received.get(m.touser) ?? 0) + 1);
    for (const s of seeded) {
      const d = byCustomer.get(s.id)!;
      if (s.expected.status === 'sent') {
        expect(d).toMatchObject({ status: 'sent', channel: s.expected.channel });
        expect(received.get(s.expected.channel === 'customer_service' ? s.oaOpenid! : s.mpOpenid!)).toBe(1);
      } else {
        expect(d).toMatchObject({ status: 'skipped', reason: s.expected.reason });
        for (const openid of [s.oaOpenid, s.mpOpenid]) if (openid) expect(received.get(openid)).toBeUndefined();
      }
    }

    // The result is on each recipient's timeline.
    const sample = seeded.slice(0, 10);
    const entries = await TimelineEntry.find({
      type: { $in: ['outreach.sent', 'outreach.skipped'] },
      'data.outreachId': outreachId,
    }).lean();
    for (const s of sample) {
      const entry = entries.find((e) => String(e.customerId) === s.id);
      expect(entry?.type).toBe(`outreach.${s.expected.status}`);
    }

    const page = await api('GET', `/admin/outreaches/${outreachId}/recipients?status=skipped&limit=5`);
    expect(page.status).toBe(200);
    expect(page.body.items).toHaveLength(5);
    expect(page.body.items.every((r: { status: string; reason: string }) => r.status === 'skipped' && r.reason)).toBe(true);
  }, 1_800_000);

  it('guards the routes', async () => {
    const customer = (await app.request('POST', '/api/v1/auth/login', { body: { code: `test:${newOpenid()}` } })).body.token;
    expect((await app.request('GET', '/api/v1/admin/outreaches')).status).toBe(401);
    expect((await api('GET', '/admin/outreaches', undefined, customer)).status).toBe(403);
    const bad = await api('POST', '/admin/outreaches', { name: '', text: 'x', audience: { kind: 'customers', customerIds: ['nope'] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect((await api('GET', '/admin/outreaches/000000000000000000000000')).status).toBe(404);
    // An unknown segment: refused clearly, nothing starts.
    const bySegment = await api('POST', '/admin/outreaches', {
      name: 'VIP',
      text: 'Hi',
      audience: { kind: 'segment', segmentId: '0123456789abcdef01234567' },
    });
    expect(bySegment.status).toBe(201);
    const refused = await api('POST', `/admin/outreaches/${bySegment.body.id}/send`);
    expect(refused.status).toBe(404);
    expect((await api('GET', `/admin/outreaches/${bySegment.body.id}`)).body.status).toBe('draft');
  });
});

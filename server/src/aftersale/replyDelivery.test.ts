import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CustomerIdentity, identityKey } from '../customers/model';
import { appendTimeline, listTimeline } from '../customers/service';
import { startTestApp, type TestApp } from '../../test/helpers';
import { OA_ENV } from '../../test/oaPush';
import { login, type SignedIn } from '../../test/session';
import { SubscribeUse } from './model';
import { chooseChannel, clip } from './replyDelivery';

let app: TestApp;
let admin: SignedIn;
let clerk: SignedIn;
let storeId: string;

beforeAll(async () => {
  app = await startTestApp({ ...OA_ENV, ADMIN_OPENIDS: 'rd-admin', LOG_LEVEL: 'error' });
  admin = await login(app, 'rd-admin');
  clerk = await login(app, 'rd-clerk');
  const store = await app.request('POST', '/api/v1/admin/stores', { token: admin.token, body: { name: '静安店', code: 'SH-JA' } });
  storeId = store.body.id;
  const grant = await app.request('POST', '/api/v1/admin/staff', {
    token: admin.token,
    body: { customerId: clerk.customerId, role: 'clerk', storeId },
  });
  expect(grant.status, JSON.stringify(grant.body)).toBe(201);
});
afterAll(async () => {
  await app?.close();
});

const key = () => `k_${randomBytes(8).toString('hex')}`;

/** A mini-program customer; with `oaAgo`, also an official-account follower whose last message was that long ago. */
async function customer(oaAgo?: number) {
  const mpOpenid = `mp_${randomBytes(6).toString('hex')}`;
  const who = await login(app, mpOpenid);
  const oaOpenid = `oa_${randomBytes(6).toString('hex')}`;
  if (oaAgo !== undefined) {
    const customerId = new Types.ObjectId(who.customerId);
    await CustomerIdentity.create({ _id: identityKey('oa_openid', oaOpenid), kind: 'oa_openid', value: oaOpenid, customerId });
    await appendTimeline(customerId, {
      type: 'oa.message',
      channel: 'official_account',
      summary: '你好',
      at: new Date(Date.now() - oaAgo),
    });
  }
  return { ...who, mpOpenid, oaOpenid };
}

async function openTicket(who: SignedIn, subscribeAccepted?: boolean) {
  const res = await app.request('POST', '/api/v1/tickets', {
    token: who.token,
    body: { storeId, type: 'repair', description: '表带断了', ...(subscribeAccepted !== undefined ? { subscribeAccepted } : {}) },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

const reply = (ticketId: string, text: string) =>
  app.request('POST', `/api/v1/tickets/${ticketId}/messages`, { token: clerk.token, body: { text, idempotencyKey: key() } });

const HOUR = 60 * 60 * 1000;

describe('staff reply delivery', () => {
  it('inside the 48-hour window: a customer-service text with the ticket number, recorded sent; the customer sees it', async () => {
    const who = await customer(HOUR);
    const ticketId = await openTicket(who);
    const res = await reply(ticketId, '  已为您安排维修师傅  ');
    expect(res.status).toBe(201);
    expect(res.body.delivery).toMatchObject({ channel: 'official_account', status: 'sent' });
    const sim = await app.request('GET', `/__wechat/_sim/custom-messages?touser=${who.oaOpenid}`);
    expect(sim.body.messages).toHaveLength(1);
    const content = sim.body.messages[0].text.content as string;
    expect(content).toContain(ticketId.slice(-6).toUpperCase());
    expect(content).toContain('已为您安排维修师傅');
    const mine = await app.request('GET', `/api/v1/tickets/${ticketId}/messages`, { token: who.token });
    expect(mine.body.items.map((m: { text: string }) => m.text)).toEqual(['已为您安排维修师傅']);
    expect(mine.body.items[0].delivery).toMatchObject({ channel: 'official_account', status: 'sent' });
    const timeline = await listTimeline(new Types.ObjectId(who.customerId), { types: ['ticket.reply_delivery'] });
    expect(timeline.map((e) => e.data)).toEqual([expect.objectContaining({ ticketId, channel: 'official_account', status: 'sent' })]);
  });

  it('outside the window with an accepted subscribe: one subscribe send, then no_channel', async () => {
    const who = await customer(49 * HOUR);
    const ticketId = await openTicket(who, true);
    const first = await reply(ticketId, '配件已到店，这条回复很长很长很长很长很长很长很长');
    expect(first.status).toBe(201);
    expect(first.body.delivery).toMatchObject({ channel: 'subscribe', status: 'sent' });
    const sent = (await app.request('GET', `/__wechat/_sim/messages?kind=subscribe&touser=${who.mpOpenid}`)).body.messages;
    expect(sent).toHaveLength(1);
    expect(sent[0].page).toContain(ticketId);
    for (const v of Object.values(sent[0].data as Record<string, { value: string }>))
      expect(Array.from(v.value).length).toBeLessThanOrEqual(20);
    const second = await reply(ticketId, '请来取件');
    expect(second.status).toBe(201);
    expect(second.body.delivery).toMatchObject({ channel: 'none', status: 'no_channel' });
    expect((await app.request('GET', `/__wechat/_sim/messages?kind=subscribe&touser=${who.mpOpenid}`)).body.messages).toHaveLength(1);
    expect(await SubscribeUse.countDocuments({ ticketId: new Types.ObjectId(ticketId) })).toBe(1);
  });

  it('uses the subscribe acceptance exactly once under concurrent replies', async () => {
    const who = await customer();
    const ticketId = await openTicket(who, true);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => reply(ticketId, `回复 ${i}`)));
    expect(results.every((r) => r.status === 201)).toBe(true);
    expect(results.filter((r) => r.body.delivery?.channel === 'subscribe')).toHaveLength(1);
    expect((await app.request('GET', `/__wechat/_sim/messages?kind=subscribe&touser=${who.mpOpenid}`)).body.messages).toHaveLength(1);
  });

  it('with neither channel: no_channel', async () => {
    const who = await customer();
    const ticketId = await openTicket(who);
    const res = await reply(ticketId, '收到');
    expect(res.status).toBe(201);
    expect(res.body.delivery).toMatchObject({ channel: 'none', status: 'no_channel' });
  });

  it('a platform fault is recorded failed with its errcode; the staff still get 201 and the customer the message', async () => {
    const who = await customer(HOUR);
    const ticketId = await openTicket(who);
    const fault = await app.request('POST', '/__wechat/_sim/faults', {
      body: { path: '/cgi-bin/message/custom/send', times: 1, errcode: 45015 },
    });
    expect(fault.status).toBe(201);
    const res = await reply(ticketId, '稍后联系您');
    expect(res.status).toBe(201);
    expect(res.body.delivery).toMatchObject({ channel: 'official_account', status: 'failed', errcode: 45015 });
    const mine = await app.request('GET', `/api/v1/tickets/${ticketId}/messages`, { token: who.token });
    expect(mine.body.items.map((m: { text: string }) => m.text)).toEqual(['稍后联系您']);
  });

  it('the customer’s own messages are not pushed back to them', async () => {
    const who = await customer(HOUR);
    const ticketId = await openTicket(who);
    const res = await app.request('POST', `/api/v1/tickets/${ticketId}/messages`, {
      token: who.token,
      body: { text: '还要多久', idempotencyKey: key() },
    });
    expect(res.status).toBe(201);
    expect(res.body.delivery).toBeUndefined();
    expect((await app.request('GET', `/__wechat/_sim/custom-messages?touser=${who.oaOpenid}`)).body.messages).toHaveLength(0);
  });
});

describe('channel rules', () => {
  const now = new Date('2026-01-03T00:00:00Z');
  it('prefers the open window, then an unused subscribe, else none', () => {
    const inWindow = new Date(now.getTime() - 47 * HOUR);
    const outside = new Date(now.getTime() - 49 * HOUR);
    expect(chooseChannel({ oaOpenid: 'o', lastOaInboundAt: inWindow, subscribeUnused: true, mpOpenid: 'm', now })).toBe('official_account');
    expect(chooseChannel({ oaOpenid: 'o', lastOaInboundAt: outside, subscribeUnused: true, mpOpenid: 'm', now })).toBe('subscribe');
    expect(chooseChannel({ oaOpenid: undefined, lastOaInboundAt: inWindow, subscribeUnused: false, mpOpenid: 'm', now })).toBe('none');
    expect(chooseChannel({ subscribeUnused: true, now })).toBe('none');
  });
  it('clips to 20 characters', () => {
    expect(Array.from(clip('一二三四五六七八九十一二三四五六七八九十一', 20))).toHaveLength(20);
    expect(clip(' 短 ', 20)).toBe('短');
  });
});

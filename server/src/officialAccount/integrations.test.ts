import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseModel } from '../aftersale/complaints';
import { ComplaintScoreRecord } from '../aftersale/complaints/model';
import { Notification, Ticket } from '../aftersale/model';
import { Coupon } from '../coupons/model';
import { TimelineEntry } from '../customers/model';
import { deliveryKey, parseXmlFields, toInboundMessage } from '../wechat/protocol';
import { startTestApp, type TestApp } from '../../test/helpers';
import { customerIdOf, eventXml, newOpenid, OA_ENV, pushToOa, textXml } from '../../test/oaPush';
import { login, type SignedIn } from '../../test/session';
import { Delivery } from './model';

let app: TestApp;
let admin: SignedIn;
let storeId: string;
let otherStoreId: string;

const COMPLAINT = '骗子公司，收了钱不发货，我要去12315投诉！！';

beforeAll(async () => {
  app = await startTestApp({ ...OA_ENV, ADMIN_OPENIDS: 'oa-int-admin', LOG_LEVEL: 'error' });
  admin = await login(app, 'oa-int-admin');
  const store = await app.request('POST', '/api/v1/admin/stores', { token: admin.token, body: { name: '南京西路店', code: 'SH-NJ' } });
  const other = await app.request('POST', '/api/v1/admin/stores', { token: admin.token, body: { name: '陆家嘴店', code: 'SH-LJZ' } });
  storeId = store.body.id;
  otherStoreId = other.body.id;
});
afterAll(async () => {
  await app?.close();
});

async function timelineOf(openid: string) {
  const customerId = await customerIdOf(openid);
  return TimelineEntry.find({ customerId }).sort({ at: 1, _id: 1 }).lean();
}

describe('complaint escalation through the official account', () => {
  it('opens a high-priority complaint ticket, answers in time that a person is on it, alerts managers, records the timeline', async () => {
    const who = newOpenid();
    const res = await pushToOa(app, textXml(who, COMPLAINT), who);
    expect(res.status).toBe(200);
    // Answered passively, inside the reply deadline (not `success` and a later custom message).
    expect(res.text).toContain('<Encrypt>');
    expect(res.reply).toMatchObject({ MsgType: 'text', ToUserName: who });
    const content = String(res.reply!.Content);
    expect(content).toContain('专人正在处理');

    const customerId = await customerIdOf(who);
    const tickets = await Ticket.find({ customerId }).lean();
    expect(tickets).toHaveLength(1);
    expect(tickets[0]).toMatchObject({ type: 'complaint', priority: 'high', state: 'submitted', source: 'official_account' });
    const number = String(tickets[0]!._id).slice(-6).toUpperCase();
    expect(content).toContain(number);

    const alerts = await Notification.find({ ticketId: tickets[0]!._id }).lean();
    expect(alerts.map((n) => n.kind)).toEqual(['complaint.opened']);

    const timeline = await timelineOf(who);
    expect(timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['oa.message', 'ticket.created', 'oa.reply']));
    const inbound = timeline.find((e) => e.type === 'oa.message');
    expect(inbound?.data).toMatchObject({
      escalation: { ticketId: String(tickets[0]!._id), created: true, modelVersion: baseModel().version },
    });
    const scored = await ComplaintScoreRecord.find({ customerId }).lean();
    expect(scored).toEqual([
      expect.objectContaining({ text: COMPLAINT, level: 'strong', modelVersion: baseModel().version, ticketId: tickets[0]!._id }),
    ]);

    // A second strong message raises the same ticket instead of opening another.
    const again = await pushToOa(app, textXml(who, '三天了没人理，我要投诉到消协！！'), who);
    expect(String(again.reply!.Content)).toContain('加急');
    expect(await Ticket.countDocuments({ customerId })).toBe(1);
    const kinds = (await Notification.find({ ticketId: tickets[0]!._id }).lean()).map((n) => n.kind).sort();
    expect(kinds).toEqual(['complaint.escalated', 'complaint.opened']);
    expect((await timelineOf(who)).map((e) => e.type)).toContain('ticket.escalated');
  });

  it('mild messages open nothing; exact keyword commands still win over a complaint', async () => {
    const who = newOpenid();
    const mild = await pushToOa(app, textXml(who, '请问怎么申请退款？'), who);
    expect(mild.reply).toMatchObject({ MsgType: 'text' });
    expect(await Ticket.countDocuments({ customerId: await customerIdOf(who) })).toBe(0);

    const rule = await app.request('POST', '/api/v1/admin/keyword-rules', {
      token: admin.token,
      body: { name: '投诉热线', match: 'exact', pattern: COMPLAINT, reply: { type: 'text', content: '投诉热线 400-000-0000' } },
    });
    expect(rule.status, JSON.stringify(rule.body)).toBe(201);
    try {
      const res = await pushToOa(app, textXml(who, COMPLAINT), who);
      expect(res.reply).toMatchObject({ MsgType: 'text', Content: '投诉热线 400-000-0000' });
      expect(await Ticket.countDocuments({ customerId: await customerIdOf(who) })).toBe(0);
    } finally {
      await app.request('DELETE', `/api/v1/admin/keyword-rules/${rule.body.id}`, { token: admin.token });
    }
    // Without the rule the same words escalate.
    const res = await pushToOa(app, textXml(who, COMPLAINT), who);
    expect(String(res.reply!.Content)).toContain('工单号');
    expect(await Ticket.countDocuments({ customerId: await customerIdOf(who), priority: 'high' })).toBe(1);
  });

  it('hears a complaint worded without complaint words, and not a calm question that names one', async () => {
    const who = newOpenid();
    const asking = await pushToOa(app, textXml(who, 'How do I complain about a store? My mum wants to give some feedback.'), who);
    expect(String(asking.reply?.Content ?? '')).not.toContain('ticket');
    expect(await Ticket.countDocuments({ customerId: await customerIdOf(who) })).toBe(0);

    const res = await pushToOa(app, textXml(who, '你们的电热毯半夜冒烟了，被子都烧了个洞，孩子就睡在旁边，今天必须给我一个交代'), who);
    expect(res.text).toContain('<Encrypt>');
    expect(String(res.reply!.Content)).toContain('工单号');
    const customerId = await customerIdOf(who);
    expect(await Ticket.countDocuments({ customerId, type: 'complaint', priority: 'high' })).toBe(1);
    const levels = (await ComplaintScoreRecord.find({ customerId }).sort({ at: 1, _id: 1 }).lean()).map((s) => s.level);
    expect(levels).toHaveLength(2);
    expect(levels[0]).not.toBe('strong');
    expect(levels[1]).toBe('strong');
  });

  it('answers "my tickets" with the ticket status summary', async () => {
    const who = newOpenid();
    const none = await pushToOa(app, textXml(who, '我的工单'), who);
    expect(String(none.reply!.Content)).toContain('还没有售后工单');

    await pushToOa(app, textXml(who, COMPLAINT), who);
    const ticket = await Ticket.findOne({ customerId: await customerIdOf(who) }).lean();
    const number = String(ticket!._id).slice(-6).toUpperCase();
    for (const ask of ['工单', 'My Tickets', '我的工单？']) {
      const res = await pushToOa(app, textXml(who, ask), who);
      const content = String(res.reply!.Content);
      expect(content, ask).toContain('您有 1 个处理中的工单');
      expect(content, ask).toContain(number);
      expect(content, ask).toContain('投诉');
    }
    const inbound = (await timelineOf(who)).filter((e) => e.type === 'oa.message').at(-1);
    expect(inbound?.data).toMatchObject({ command: 'tickets' });
  });
});

describe('coupons through the official account', () => {
  let followCampaignId: string;

  beforeAll(async () => {
    const mk = async (body: Record<string, unknown>) => {
      const res = await app.request('POST', '/api/v1/admin/campaigns', { token: admin.token, body });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.id as string;
    };
    // Only in the mini-program: never a follow gift.
    await mk({ name: '小程序专享券', type: 'cash', valueFen: 500, stock: 100, perUserLimit: 1, validity: { kind: 'days', days: 10 } });
    followCampaignId = await mk({
      name: '关注有礼',
      type: 'cash',
      valueFen: 2000,
      thresholdFen: 10000,
      stock: 100,
      perUserLimit: 3,
      validity: { kind: 'days', days: 30 },
      channels: ['oa_follow'],
    });
    // Newest, so first in line, but usable only in the other store: not for this store's QR code.
    await mk({
      name: '陆家嘴关注礼',
      type: 'cash',
      valueFen: 3000,
      stock: 100,
      perUserLimit: 1,
      validity: { kind: 'days', days: 10 },
      channels: ['oa_follow'],
      storeIds: [otherStoreId],
    });
  });

  const couponsOf = async (openid: string) => Coupon.find({ customerId: await customerIdOf(openid) }).lean();

  it('a follow from a store QR code issues one follow gift and says so; retries and re-follows issue nothing more', async () => {
    const who = newOpenid();
    const xml = eventXml(who, 'subscribe', { EventKey: `qrscene_store:${storeId}`, Ticket: 'tk1' });
    const res = await pushToOa(app, xml, who);
    expect(res.status).toBe(200);
    const content = String(res.reply!.Content);
    expect(content).toContain('欢迎关注');
    expect(content).toContain('关注礼券「关注有礼」');
    expect(content).toContain('¥20（满¥100可用）');

    let coupons = await couponsOf(who);
    expect(coupons).toHaveLength(1);
    expect(coupons[0]).toMatchObject({ name: '关注有礼', channel: 'oa_follow', state: 'available' });
    expect(String(coupons[0]!.campaignId)).toBe(followCampaignId);

    // The platform's retry of the same push: answered from the delivery record.
    const retry = await pushToOa(app, xml, who);
    expect(String(retry.reply!.Content)).toContain('关注有礼');
    // A retry after the first attempt died mid-way (its delivery record gone): the coupon is not issued twice.
    await Delivery.deleteOne({ _id: deliveryKey(toInboundMessage(parseXmlFields(xml))) });
    const rerun = await pushToOa(app, xml, who);
    expect(String(rerun.reply!.Content)).toContain('关注有礼');
    expect(await couponsOf(who)).toHaveLength(1);

    // Unfollow, follow again, scan the code: still one gift, and no claim of a new one.
    await pushToOa(app, eventXml(who, 'unsubscribe', {}, Math.floor(Date.now() / 1000) + 1), who);
    const refollow = await pushToOa(
      app,
      eventXml(who, 'subscribe', { EventKey: `qrscene_store:${storeId}` }, Math.floor(Date.now() / 1000) + 2),
      who,
    );
    expect(String(refollow.reply!.Content)).not.toContain('关注礼券');
    const scan = await pushToOa(app, eventXml(who, 'SCAN', { EventKey: `store:${storeId}` }, Math.floor(Date.now() / 1000) + 3), who);
    expect(String(scan.reply!.Content)).not.toContain('关注礼券');
    coupons = await couponsOf(who);
    expect(coupons).toHaveLength(1);
    expect((await timelineOf(who)).filter((e) => e.type === 'coupon.claimed')).toHaveLength(1);
  });

  it('a follower scanning a store code (SCAN) gets the gift; a follow without a store code gets none', async () => {
    const scanner = newOpenid();
    const scan = await pushToOa(app, eventXml(scanner, 'SCAN', { EventKey: `store:${storeId}`, Ticket: 'tk2' }), scanner);
    expect(String(scan.reply!.Content)).toContain('欢迎光临门店');
    expect(String(scan.reply!.Content)).toContain('关注有礼');
    expect((await couponsOf(scanner)).map((c) => c.name)).toEqual(['关注有礼']);

    const plain = newOpenid();
    const res = await pushToOa(app, eventXml(plain, 'subscribe'), plain);
    expect(String(res.reply!.Content)).not.toContain('关注礼券');
    expect(await couponsOf(plain)).toHaveLength(0);

    // The other store's code gets that store's own (newest) gift.
    const lujiazui = newOpenid();
    const other = await pushToOa(app, eventXml(lujiazui, 'subscribe', { EventKey: `qrscene_store:${otherStoreId}` }), lujiazui);
    expect(String(other.reply!.Content)).toContain('陆家嘴关注礼');
    expect((await couponsOf(lujiazui)).map((c) => c.name)).toEqual(['陆家嘴关注礼']);
  });

  it('answers "my coupons" with the available coupons: name, value and expiry', async () => {
    const who = newOpenid();
    const empty = await pushToOa(app, textXml(who, '我的优惠券'), who);
    expect(String(empty.reply!.Content)).toContain('没有可用的优惠券');

    await pushToOa(app, eventXml(who, 'subscribe', { EventKey: `qrscene_store:${storeId}` }), who);
    const [coupon] = await couponsOf(who);
    const expiry = new Intl.DateTimeFormat('zh-CN', {
      timeZone: 'Asia/Shanghai',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).format(coupon!.expiresAt);
    for (const ask of ['我的优惠券', '优惠券', 'my coupons']) {
      const res = await pushToOa(app, textXml(who, ask), who);
      const content = String(res.reply!.Content);
      expect(content, ask).toContain('您有 1 张可用的优惠券');
      expect(content, ask).toContain('关注有礼：¥20（满¥100可用）');
      expect(content, ask).toContain(`${expiry} 到期`);
    }
    // A coupon no longer available is not listed.
    await Coupon.updateOne({ _id: coupon!._id }, { $set: { state: 'voided' } });
    const after = await pushToOa(app, textXml(who, '优惠券'), who);
    expect(String(after.reply!.Content)).toContain('没有可用的优惠券');
  });
});

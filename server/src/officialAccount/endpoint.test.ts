import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest, startTestApp, type TestApp } from '../../test/helpers';
import { TimelineEntry } from '../customers/model';
import { findCustomerByOpenid } from '../customers/service';
import { getCustomer } from '../customers/service';
import { computeSignature } from '../wechat/protocol';
import { inboundXml, readReply, signPush, type PlatformSideSettings } from '../wechat/protocol/platformSide';
import { Delivery } from './model';
import { ProfileSyncRequest } from './profileSync';
import { officialAccountBot } from './routes';

const KEY_NEW = 'NewKey0123456789abcdefghijklmnopqrstuvwxyzA';
const KEY_OLD = 'OldKey0123456789abcdefghijklmnopqrstuvwxyzB';
const TOKEN = 'oatesttoken';
const APPID = 'wx_oa_test';

let seq = 0;
const openid = () => `o_${randomBytes(6).toString('hex')}`;
const msgId = () => `${Date.now()}${String(++seq).padStart(6, '0')}`;
const now = () => Math.floor(Date.now() / 1000);

function textXml(from: string, content: string, id = msgId()) {
  return inboundXml({ ToUserName: 'gh_loopline', FromUserName: from, CreateTime: now(), MsgType: 'text', Content: content, MsgId: id });
}
function eventXml(from: string, event: string, extra: Record<string, string | number> = {}, createTime = now()) {
  return inboundXml({ ToUserName: 'gh_loopline', FromUserName: from, CreateTime: createTime, MsgType: 'event', Event: event, ...extra });
}

async function push(app: TestApp, side: PlatformSideSettings, xml: string, from = 'o_x') {
  const req = signPush(side, xml, from);
  const res = await httpRequest(app.url, 'POST', `/wechat/official-account${req.query}`, {
    raw: req.body,
    headers: { 'content-type': 'text/xml' },
  });
  return { ...res, reply: res.status === 200 ? readReply(side, res.text) : undefined };
}

async function timelineOf(who: string) {
  const customerId = await findCustomerByOpenid('official_account', who);
  if (!customerId) return [];
  return TimelineEntry.find({ customerId }).sort({ at: 1, _id: 1 }).lean();
}

describe('plain mode', () => {
  let app: TestApp;
  const side = { token: TOKEN, appId: APPID };
  beforeAll(async () => {
    app = await startTestApp({ OA_TOKEN: TOKEN, OA_APPID: APPID });
  });
  afterAll(() => app?.close());

  it('answers the URL check with echostr, and 401 on a bad signature', async () => {
    const signature = computeSignature(TOKEN, '123', '456');
    const ok = await app.request('GET', `/wechat/official-account?signature=${signature}&timestamp=123&nonce=456&echostr=abc123`);
    expect(ok).toMatchObject({ status: 200, text: 'abc123' });
    const bad = await app.request('GET', `/wechat/official-account?signature=${signature}&timestamp=124&nonce=456&echostr=abc123`);
    expect(bad.status).toBe(401);
  });

  it('answers keyword rules, records message and reply on the timeline', async () => {
    const who = openid();
    const help = await push(app, side, textXml(who, '帮助'));
    expect(help.status).toBe(200);
    expect(help.reply).toMatchObject({ MsgType: 'text', ToUserName: who, FromUserName: 'gh_loopline' });
    expect(String(help.reply!.Content)).toContain('人工');

    const human = await push(app, side, textXml(who, '我要找人工'));
    expect(human.reply).toMatchObject({ MsgType: 'transfer_customer_service' });

    const other = await push(app, side, textXml(who, 'random words'));
    expect(other.reply).toMatchObject({ MsgType: 'text' });

    const timeline = await timelineOf(who);
    expect(timeline.map((e) => e.type)).toEqual(['oa.message', 'oa.reply', 'oa.message', 'oa.reply', 'oa.message', 'oa.reply']);
    expect(timeline[0]!.data).toMatchObject({ type: 'text', content: '帮助', keywordRule: '帮助菜单' });
  });

  it('answers every message type and event', async () => {
    const who = openid();
    const t = now();
    const msgs: Array<[string, string | undefined]> = [
      [
        inboundXml({
          ToUserName: 'gh_loopline',
          FromUserName: who,
          CreateTime: t,
          MsgType: 'image',
          PicUrl: 'http://p.example/1.jpg',
          MediaId: 'm1',
          MsgId: msgId(),
        }),
        'text',
      ],
      [
        inboundXml({
          ToUserName: 'gh_loopline',
          FromUserName: who,
          CreateTime: t,
          MsgType: 'voice',
          MediaId: 'm2',
          Format: 'amr',
          Recognition: 'help',
          MsgId: msgId(),
        }),
        'text',
      ],
      [
        inboundXml({
          ToUserName: 'gh_loopline',
          FromUserName: who,
          CreateTime: t,
          MsgType: 'video',
          MediaId: 'm3',
          ThumbMediaId: 't3',
          MsgId: msgId(),
        }),
        'text',
      ],
      [
        inboundXml({
          ToUserName: 'gh_loopline',
          FromUserName: who,
          CreateTime: t,
          MsgType: 'shortvideo',
          MediaId: 'm4',
          ThumbMediaId: 't4',
          MsgId: msgId(),
        }),
        'text',
      ],
      [
        inboundXml({
          ToUserName: 'gh_loopline',
          FromUserName: who,
          CreateTime: t,
          MsgType: 'location',
          Location_X: '23.1',
          Location_Y: '113.3',
          Scale: '15',
          Label: '广州塔',
          MsgId: msgId(),
        }),
        'text',
      ],
      [
        inboundXml({
          ToUserName: 'gh_loopline',
          FromUserName: who,
          CreateTime: t,
          MsgType: 'link',
          Title: 'T',
          Description: 'D',
          Url: 'http://l.example',
          MsgId: msgId(),
        }),
        'text',
      ],
      [eventXml(who, 'subscribe', { EventKey: 'qrscene_store:s42', Ticket: 'tk' }, t), 'text'],
      [eventXml(who, 'SCAN', { EventKey: 'store:s42', Ticket: 'tk' }, t), 'text'],
      [eventXml(who, 'CLICK', { EventKey: 'MY_COUPONS' }, t), 'text'],
      [eventXml(who, 'CLICK', { EventKey: 'CONTACT_US' }, t + 1), 'transfer_customer_service'],
      [eventXml(who, 'LOCATION', { Latitude: '23.1', Longitude: '113.3', Precision: '30' }, t), undefined],
      [eventXml(who, 'VIEW', { EventKey: 'https://shop.example/' }, t), undefined],
      [eventXml(who, 'TEMPLATESENDJOBFINISH', { MsgID: '2000000000000000001', Status: 'success' }, t), undefined],
      [eventXml(who, 'unsubscribe', {}, t), undefined],
      [eventXml(who, 'some_new_event', {}, t), undefined],
      [inboundXml({ ToUserName: 'gh_loopline', FromUserName: who, CreateTime: t, MsgType: 'hologram', MsgId: msgId() }), undefined],
    ];
    for (const [xml, replyType] of msgs) {
      const res = await push(app, side, xml);
      expect(res.status, xml).toBe(200);
      if (replyType) expect(res.reply, xml).toMatchObject({ MsgType: replyType, ToUserName: who });
      else expect(res.text, xml).toBe('success');
    }
    const timeline = await timelineOf(who);
    expect(timeline.filter((e) => e.type === 'oa.message' || e.type === 'oa.event')).toHaveLength(msgs.length);
    expect(timeline.filter((e) => e.type === 'oa.reply')).toHaveLength(msgs.filter(([, r]) => r).length);
    const customer = await getCustomer((await findCustomerByOpenid('official_account', who))!);
    expect(customer?.officialAccount).toMatchObject({ following: false, followChannel: 'store:s42' });
    // Follow and unfollow asked for a profile sync (the queue's job may already have drained it).
    const queued = await ProfileSyncRequest.findById(who).lean();
    const synced = (await getCustomer((await findCustomerByOpenid('official_account', who))!))?.officialAccount?.syncedAt;
    expect(Boolean(queued) || Boolean(synced)).toBe(true);
  });

  it('refuses forged or missing signatures with 401 and writes nothing', async () => {
    const who = openid();
    const xml = textXml(who, '帮助');
    const good = signPush(side, xml, who);
    const forged = good.query.replace(/signature=[0-9a-f]{40}/, `signature=${'0'.repeat(40)}`);
    const missing = good.query.replace(/signature=[0-9a-f]{40}&?/, '');
    const wrongToken = signPush({ token: 'someoneelse', appId: APPID }, xml, who).query;
    const before = [await Delivery.countDocuments(), await TimelineEntry.countDocuments()];
    for (const query of [forged, missing, wrongToken]) {
      const res = await httpRequest(app.url, 'POST', `/wechat/official-account${query}`, { raw: good.body });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
    }
    expect(await findCustomerByOpenid('official_account', who)).toBeUndefined();
    expect([await Delivery.countDocuments(), await TimelineEntry.countDocuments()]).toEqual(before);
  });

  it('refuses DTD payloads (400) and oversized bodies (413), creating nothing', async () => {
    const who = openid();
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><xml><ToUserName>gh</ToUserName><FromUserName>${who}</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&lol2;</Content><MsgId>1</MsgId></xml>`;
    const signed = signPush(side, textXml(who, 'x'), who);
    const res = await httpRequest(app.url, 'POST', `/wechat/official-account${signed.query}`, { raw: bomb });
    expect(res.status).toBe(400);
    const big = textXml(who, 'a'.repeat(70 * 1024));
    const tooBig = await httpRequest(app.url, 'POST', `/wechat/official-account${signed.query}`, { raw: big });
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await findCustomerByOpenid('official_account', who)).toBeUndefined();
  });

  it('answers a retried delivery with the same reply and runs the handler once', async () => {
    const who = openid();
    const xml = textXml(who, 'help');
    const first = await push(app, side, xml);
    const retry = await push(app, side, xml);
    expect(retry.reply).toEqual({ ...first.reply, CreateTime: retry.reply!.CreateTime });
    const event = eventXml(who, 'CLICK', { EventKey: 'MEMBER_CENTER' });
    const e1 = await push(app, side, event);
    const e2 = await push(app, side, event);
    expect(e2.reply!.Content).toBe(e1.reply!.Content);
    const timeline = await timelineOf(who);
    expect(timeline.map((e) => e.type)).toEqual(['oa.message', 'oa.reply', 'oa.event', 'oa.reply']);
  });

  it('runs the handler once for 10 concurrent identical deliveries and answers them alike', async () => {
    const who = openid();
    const xml = textXml(who, '会员');
    const answers = await Promise.all(Array.from({ length: 10 }, () => push(app, side, xml)));
    for (const a of answers) expect(a.status).toBe(200);
    const contents = answers.map((a) => (a.reply ? a.reply.Content : a.text));
    // Every duplicate waited for the first one's stored reply.
    expect(new Set(contents).size).toBe(1);
    expect(String(contents[0])).toContain('会员中心');
    const timeline = await timelineOf(who);
    expect(timeline.filter((e) => e.type === 'oa.message')).toHaveLength(1);
    expect(timeline.filter((e) => e.type === 'oa.reply')).toHaveLength(1);
  });
});

describe('safe and compatible modes with key rotation', () => {
  let app: TestApp;
  const safeNew = { token: TOKEN, appId: APPID, encodingAesKey: KEY_NEW };
  const safeOld = { token: TOKEN, appId: APPID, encodingAesKey: KEY_OLD };
  beforeAll(async () => {
    app = await startTestApp({ OA_TOKEN: TOKEN, OA_APPID: APPID, OA_AES_KEY: KEY_NEW, OA_AES_KEY_PREVIOUS: KEY_OLD });
  });
  afterAll(() => app?.close());

  it('decrypts safe mode and replies encrypted', async () => {
    const who = openid();
    const res = await push(app, safeNew, textXml(who, '帮助'), who);
    expect(res.text).toContain('<Encrypt>');
    expect(res.text).not.toContain('帮助');
    expect(res.reply).toMatchObject({ MsgType: 'text', ToUserName: who });
  });

  it('accepts compatible mode and answers encrypted', async () => {
    const who = openid();
    const res = await push(app, { ...safeNew, compatible: true }, textXml(who, 'help'), who);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<Encrypt>');
    expect(res.reply).toMatchObject({ MsgType: 'text' });
  });

  it('still opens messages sealed with the previous key and replies with it', async () => {
    const who = openid();
    const res = await push(app, safeOld, textXml(who, '帮助'), who);
    expect(res.status).toBe(200);
    expect(res.reply).toMatchObject({ MsgType: 'text' });
    expect(() => readReply(safeNew, res.text)).toThrow();
  });

  it('refuses a payload sealed for another appid or key, and msg_signature/signature confusion', async () => {
    const who = openid();
    const other = await push(app, { token: TOKEN, appId: 'wx_someone_else', encodingAesKey: KEY_NEW }, textXml(who, 'x'), who);
    expect(other.status).toBe(400);
    const unknownKey = await push(
      app,
      { token: TOKEN, appId: APPID, encodingAesKey: 'Unknown0123456789abcdefghijklmnopqrstuvwxyz' },
      textXml(who, 'x'),
      who,
    );
    expect(unknownKey.status).toBe(400);

    const req = signPush(safeNew, textXml(who, 'x'), who);
    const params = new URLSearchParams(req.query.slice(1));
    // msg_signature replaced by the plain signature (which does not cover Encrypt).
    const confused = new URLSearchParams(params);
    confused.set('msg_signature', params.get('signature')!);
    const r1 = await httpRequest(app.url, 'POST', `/wechat/official-account?${confused}`, { raw: req.body });
    expect(r1.status).toBe(401);
    // Encrypted push without msg_signature.
    const noMsgSig = new URLSearchParams(params);
    noMsgSig.delete('msg_signature');
    const r2 = await httpRequest(app.url, 'POST', `/wechat/official-account?${noMsgSig}`, { raw: req.body });
    expect(r2.status).toBe(401);
    expect(await findCustomerByOpenid('official_account', who)).toBeUndefined();
  });
});

describe('the reply deadline', () => {
  let app: TestApp;
  const side = { token: TOKEN, appId: APPID };
  let removeSlowHandler: (() => void) | undefined;
  beforeAll(async () => {
    app = await startTestApp({ OA_TOKEN: TOKEN, OA_APPID: APPID, OA_REPLY_DEADLINE_MS: '150' });
    removeSlowHandler = officialAccountBot!.prepend('text', async ({ message }) => {
      if (!message.content.startsWith('slow')) return undefined;
      await sleep(600);
      return { type: 'text', content: `late answer to ${message.content}` };
    });
  });
  afterAll(async () => {
    removeSlowHandler?.();
    await app?.close();
  });

  it('answers success in time and sends the reply later as a customer-service message', async () => {
    const who = openid();
    const since = new Date(Date.now() - 1000).toISOString();
    const xml = textXml(who, 'slow question');
    const res = await push(app, side, xml, who);
    expect(res.status).toBe(200);
    expect(res.text).toBe('success');

    // A retry meanwhile runs nothing and also gets success.
    const retry = await push(app, side, xml, who);
    expect(retry.text).toBe('success');

    let sent: Array<{ msgtype: string; text?: { content: string } }> = [];
    for (let i = 0; i < 100 && sent.length === 0; i++) {
      await sleep(50);
      const list = await app.request('GET', `/__wechat/_sim/custom-messages?touser=${who}&after=${encodeURIComponent(since)}`);
      sent = list.body.messages;
    }
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ msgtype: 'text', text: { content: 'late answer to slow question' } });
    let timeline = await timelineOf(who);
    for (let i = 0; i < 40 && !timeline.some((e) => e.type === 'oa.reply'); i++) {
      await sleep(25);
      timeline = await timelineOf(who);
    }
    expect(timeline.map((e) => e.type)).toEqual(['oa.message', 'oa.reply']);
    expect(timeline[1]!.data).toMatchObject({ via: 'customer_service' });
    const late = await push(app, side, xml, who);
    expect(late.text).toBe('success');
  });
});

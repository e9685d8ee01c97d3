import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest, startTestApp, type TestApp } from '../../test/helpers';
import { eventXml, newOpenid, textXml } from '../../test/oaPush';
import { TimelineEntry } from '../customers/model';
import { findCustomerByOpenid, getCustomer } from '../customers/service';
import { computeSignature } from '../wechat/protocol';
import { readReply, signPush, type PlatformSideSettings } from '../wechat/protocol/platformSide';

// Attacks on the push endpoint, against the real server and database: replays, forged bodies under a
// captured query string, mode downgrades, and MsgId collisions between followers.

const TOKEN = 'replaytesttoken';
const APPID = 'wx_oa_replay';
const KEY = 'RplKey0123456789abcdefghijklmnopqrstuvwxyzA';
const PLAIN: PlatformSideSettings = { token: TOKEN, appId: APPID };
const SAFE: PlatformSideSettings = { token: TOKEN, appId: APPID, encodingAesKey: KEY };

async function send(app: TestApp, query: string, body: string) {
  return httpRequest(app.url, 'POST', `/wechat/official-account${query}`, { raw: body, headers: { 'content-type': 'text/xml' } });
}

async function timelineOf(openid: string) {
  const customerId = await findCustomerByOpenid('official_account', openid);
  return customerId ? TimelineEntry.find({ customerId }).sort({ at: 1, _id: 1 }).lean() : [];
}

describe('plain mode: replays and forged bodies', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ OA_TOKEN: TOKEN, OA_APPID: APPID });
  });
  afterAll(() => app?.close());

  it('refuses a push signed with a timestamp from 2001, and one from the future', async () => {
    const who = newOpenid();
    for (const at of [1_000_000_000_000, Date.now() + 10 * 60_000]) {
      const stale = signPush(PLAIN, textXml(who, '帮助'), who, at);
      const res = await send(app, stale.query, stale.body);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
    }
    expect(await findCustomerByOpenid('official_account', who)).toBeUndefined();
  });

  it('refuses a captured query string reused with another body, and still answers the identical retry', async () => {
    const victim = newOpenid();
    const sender = newOpenid();
    // The victim follows; the attacker later sees the query string of some genuine push.
    const follow = signPush(PLAIN, eventXml(victim, 'subscribe'), victim);
    expect((await send(app, follow.query, follow.body)).status).toBe(200);
    const genuine = signPush(PLAIN, textXml(sender, '帮助'), sender);
    const first = await send(app, genuine.query, genuine.body);
    expect(first.status).toBe(200);

    // Same signature, timestamp and nonce, new body: a complaint "from" the victim, and an unfollow.
    for (const forged of [textXml(victim, '你们太差劲了，我要投诉，立刻退款，否则曝光！'), eventXml(victim, 'unsubscribe')]) {
      const res = await send(app, genuine.query, forged);
      expect(res.status).toBe(401);
    }
    const victimId = await findCustomerByOpenid('official_account', victim);
    expect((await getCustomer(victimId!))!.officialAccount?.following).toBe(true);
    expect((await timelineOf(victim)).map((e) => e.type)).toEqual(['oa.event', 'oa.reply']);

    // The platform's own retry (the identical request) gets the first answer, and runs nothing again.
    const retry = await send(app, genuine.query, genuine.body);
    expect(retry.status).toBe(200);
    expect(readReply(PLAIN, retry.text)!.Content).toBe(readReply(PLAIN, first.text)!.Content);
    // So does the same message re-signed (a new timestamp and nonce).
    const resigned = signPush(PLAIN, genuine.body, sender);
    const again = await send(app, resigned.query, resigned.body);
    expect(readReply(PLAIN, again.text)!.Content).toBe(readReply(PLAIN, first.text)!.Content);
    expect((await timelineOf(sender)).map((e) => e.type)).toEqual(['oa.message', 'oa.reply']);
  });

  it('refuses a push without a nonce', async () => {
    const who = newOpenid();
    const timestamp = String(Math.floor(Date.now() / 1000));
    const query = `?signature=${computeSignature(TOKEN, timestamp, '')}&timestamp=${timestamp}&nonce=&openid=${who}`;
    expect((await send(app, query, textXml(who, 'hi'))).status).toBe(401);
  });

  it('keeps two followers apart when they send the same MsgId', async () => {
    const victim = newOpenid();
    const other = newOpenid();
    const msgId = `${Date.now()}${randomBytes(2).readUInt16BE(0)}`;
    const victimPush = signPush(PLAIN, textXml(victim, '帮助', msgId), victim);
    const victimReply = readReply(PLAIN, (await send(app, victimPush.query, victimPush.body)).text);
    expect(String(victimReply!.Content)).toContain('人工');

    const otherPush = signPush(PLAIN, textXml(other, 'random words', msgId), other);
    const otherRes = await send(app, otherPush.query, otherPush.body);
    expect(otherRes.status).toBe(200);
    const otherReply = readReply(PLAIN, otherRes.text);
    // Its own answer, not the victim's stored one; and its message is on its own timeline.
    expect(otherReply!.Content).not.toBe(victimReply!.Content);
    expect((await timelineOf(other)).map((e) => e.type)).toEqual(['oa.message', 'oa.reply']);
    expect((await timelineOf(victim)).map((e) => e.type)).toEqual(['oa.message', 'oa.reply']);
  });
});

describe('safe mode: no downgrade', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ OA_TOKEN: TOKEN, OA_APPID: APPID, OA_AES_KEY: KEY });
  });
  afterAll(() => app?.close());

  it('refuses a plaintext push signed with the token alone', async () => {
    const who = newOpenid();
    const plain = signPush(PLAIN, textXml(who, '帮助'), who);
    const res = await send(app, plain.query, plain.body);
    expect(res.status).toBe(401);
    expect(res.text).not.toContain('人工');
    expect(await findCustomerByOpenid('official_account', who)).toBeUndefined();
  });

  it('refuses a captured safe-mode URL stripped of encrypt_type and msg_signature', async () => {
    const who = newOpenid();
    const safe = signPush(SAFE, textXml(who, '帮助'), who);
    const params = new URLSearchParams(safe.query.slice(1));
    params.delete('encrypt_type');
    params.delete('msg_signature');
    // The query still carries a valid `signature`; the body is the attacker's plaintext.
    const res = await send(app, `?${params}`, textXml(who, '帮助'));
    expect(res.status).toBe(401);
    expect(res.text).not.toContain('人工');

    // The genuine safe push is answered, encrypted.
    const ok = await send(app, safe.query, safe.body);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('<Encrypt>');
    expect(String(readReply(SAFE, ok.text)!.Content)).toContain('人工');
  });
});

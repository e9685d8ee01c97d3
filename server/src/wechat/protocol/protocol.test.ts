import { createDecipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  aesKeyFromEncodingKey,
  buildReplyXml,
  computeMsgSignature,
  computeSignature,
  decryptMessage,
  decryptWithRing,
  deliveryKey,
  encryptMessage,
  openPush,
  parseXmlFields,
  parseXmlRoot,
  sameDigest,
  sealReply,
  toInboundMessage,
  verifyUrl,
} from './index';
import { inboundXml, readReply, signPush } from './platformSide';

const KEY_A = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const KEY_B = 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut';
const APPID = 'wx_test_app';
const TOKEN = 'testtoken';

describe('signatures', () => {
  it('sorts token, timestamp and nonce before hashing; msg_signature adds Encrypt', () => {
    const sig = computeSignature(TOKEN, '1700000000', '42');
    expect(sig).toMatch(/^[0-9a-f]{40}$/);
    expect(computeSignature('42', TOKEN, '1700000000')).toBe(sig);
    expect(computeMsgSignature(TOKEN, '1700000000', '42', 'payload')).not.toBe(sig);
    expect(sameDigest(sig, sig.toUpperCase())).toBe(true);
    expect(sameDigest(sig, sig.slice(0, 39))).toBe(false);
    expect(sameDigest(sig, undefined)).toBe(false);
  });

  it('answers the URL check with echostr only when the signature matches', () => {
    const settings = { token: TOKEN, appId: APPID };
    const signature = computeSignature(TOKEN, '1', '2');
    expect(verifyUrl(settings, { signature, timestamp: '1', nonce: '2', echostr: 'hello' })).toBe('hello');
    expect(verifyUrl(settings, { signature, timestamp: '1', nonce: '3', echostr: 'hello' })).toBeUndefined();
    expect(verifyUrl(settings, { timestamp: '1', nonce: '2', echostr: 'hello' })).toBeUndefined();
  });
});

describe('AES', () => {
  const key = aesKeyFromEncodingKey(KEY_A);

  it('derives a 32-byte key and round-trips with the appid checked', () => {
    expect(key.length).toBe(32);
    const enc = encryptMessage(key, APPID, '<xml>你好</xml>');
    expect(decryptMessage(key, APPID, enc)).toBe('<xml>你好</xml>');
    expect(() => decryptMessage(key, 'wx_other', enc)).toThrow(/appid/);
  });

  it('lays out random ‖ length ‖ xml ‖ appid with PKCS#7 to 32-byte blocks (a full block when aligned)', () => {
    // 16 + 4 + xml + appid(11) = 64 when xml is 33 bytes: aligned, so a whole 32-byte pad block follows.
    const xml = 'x'.repeat(33);
    const enc = encryptMessage(key, APPID, xml, Buffer.alloc(16, 7));
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    decipher.setAutoPadding(false);
    const plain = Buffer.concat([decipher.update(Buffer.from(enc, 'base64')), decipher.final()]);
    expect(plain.length).toBe(96);
    expect(plain.subarray(0, 16)).toEqual(Buffer.alloc(16, 7));
    expect(plain.readUInt32BE(16)).toBe(33);
    expect(plain.subarray(20, 53).toString()).toBe(xml);
    expect(plain.subarray(53, 64).toString()).toBe(APPID);
    expect([...plain.subarray(64)]).toEqual(Array(32).fill(32));
  });

  it('falls back to the previous key and says which one worked', () => {
    const old = aesKeyFromEncodingKey(KEY_B);
    const enc = encryptMessage(old, APPID, '<xml/>');
    const opened = decryptWithRing({ current: key, previous: old }, APPID, enc);
    expect(opened.key).toBe(old);
    expect(() => decryptWithRing({ current: key }, APPID, enc)).toThrow();
  });
});

describe('XML', () => {
  it('refuses DTDs and entities', () => {
    const bomb = '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaa">]><xml><Content>&a;</Content></xml>';
    expect(() => parseXmlFields(bomb)).toThrow(/DTD/);
    expect(() => parseXmlFields('<!doctype xml SYSTEM "file:///etc/passwd"><xml/>')).toThrow(/DTD/);
    expect(() => parseXmlFields('not xml')).toThrow();
  });

  it('keeps a 64-bit MsgId as an exact string', () => {
    const fields = parseXmlFields(
      inboundXml({ ToUserName: 'gh_1', FromUserName: 'o1', CreateTime: 1, MsgType: 'text', Content: '007', MsgId: 9223372036854775807n }),
    );
    const m = toInboundMessage(fields);
    expect(m).toMatchObject({ type: 'text', content: '007', msgId: '9223372036854775807' });
    expect(deliveryKey(m)).toBe('msg:o1:9223372036854775807');
  });

  it('types every message and event kind', () => {
    const base = { ToUserName: 'gh_1', FromUserName: 'o1', CreateTime: 1700000000 };
    const cases: Array<[Record<string, string | number>, Record<string, unknown>]> = [
      [
        { MsgType: 'image', PicUrl: 'http://p', MediaId: 'm', MsgId: 1 },
        { type: 'image', picUrl: 'http://p', mediaId: 'm' },
      ],
      [
        { MsgType: 'voice', MediaId: 'm', Format: 'amr', Recognition: '帮助', MsgId: 2 },
        { type: 'voice', format: 'amr', recognition: '帮助' },
      ],
      [
        { MsgType: 'video', MediaId: 'm', ThumbMediaId: 't', MsgId: 3 },
        { type: 'video', thumbMediaId: 't' },
      ],
      [{ MsgType: 'shortvideo', MediaId: 'm', ThumbMediaId: 't', MsgId: 4 }, { type: 'shortvideo' }],
      [
        { MsgType: 'location', Location_X: '23.1', Location_Y: '113.3', Scale: '20', Label: '广州', MsgId: 5 },
        { type: 'location', latitude: '23.1', longitude: '113.3', label: '广州' },
      ],
      [
        { MsgType: 'link', Title: 't', Description: 'd', Url: 'http://u', MsgId: 6 },
        { type: 'link', title: 't', url: 'http://u' },
      ],
      [
        { MsgType: 'event', Event: 'subscribe', EventKey: 'qrscene_store:42', Ticket: 'tk' },
        { type: 'subscribe', scene: 'store:42', ticket: 'tk', isEvent: true },
      ],
      [
        { MsgType: 'event', Event: 'subscribe', EventKey: '' },
        { type: 'subscribe', isEvent: true },
      ],
      [{ MsgType: 'event', Event: 'unsubscribe' }, { type: 'unsubscribe' }],
      [
        { MsgType: 'event', Event: 'SCAN', EventKey: 'store:42', Ticket: 'tk' },
        { type: 'SCAN', scene: 'store:42' },
      ],
      [
        { MsgType: 'event', Event: 'LOCATION', Latitude: '23.1', Longitude: '113.3', Precision: '50' },
        { type: 'LOCATION', precision: '50' },
      ],
      [
        { MsgType: 'event', Event: 'CLICK', EventKey: 'MY_COUPONS' },
        { type: 'CLICK', eventKey: 'MY_COUPONS' },
      ],
      [
        { MsgType: 'event', Event: 'VIEW', EventKey: 'https://x.example/p' },
        { type: 'VIEW', url: 'https://x.example/p' },
      ],
      [
        { MsgType: 'event', Event: 'TEMPLATESENDJOBFINISH', MsgID: 123, Status: 'failed:user block' },
        { type: 'TEMPLATESENDJOBFINISH', msgId: '123', status: 'failed:user block' },
      ],
      [
        { MsgType: 'event', Event: 'user_pay_from_pay_cell' },
        { type: 'unknown', event: 'user_pay_from_pay_cell' },
      ],
      [
        { MsgType: 'miniprogrampage', MsgId: 7 },
        { type: 'unknown', msgType: 'miniprogrampage', msgId: '7' },
      ],
    ];
    for (const [fields, expected] of cases) {
      expect(toInboundMessage(parseXmlFields(inboundXml({ ...base, ...fields })))).toMatchObject(expected);
    }
    const ev = toInboundMessage(parseXmlFields(inboundXml({ ...base, MsgType: 'event', Event: 'CLICK', EventKey: 'K' })));
    expect(deliveryKey(ev)).toBe('evt:o1:1700000000:CLICK');
  });
});

describe('passive replies', () => {
  const to = { toUser: 'o1', fromUser: 'gh_1', createTime: 1 };
  const read = (xml: string) => parseXmlRoot(xml);

  it('builds every reply type', () => {
    expect(read(buildReplyXml({ type: 'text', content: 'a ]]> b' }, to))).toMatchObject({
      ToUserName: 'o1',
      FromUserName: 'gh_1',
      MsgType: 'text',
      Content: 'a ]]> b',
    });
    expect(read(buildReplyXml({ type: 'image', mediaId: 'm1' }, to))).toMatchObject({ MsgType: 'image', Image: { MediaId: 'm1' } });
    expect(read(buildReplyXml({ type: 'voice', mediaId: 'm2' }, to))).toMatchObject({ Voice: { MediaId: 'm2' } });
    expect(read(buildReplyXml({ type: 'video', mediaId: 'm3', title: 'T' }, to))).toMatchObject({ Video: { MediaId: 'm3', Title: 'T' } });
    expect(read(buildReplyXml({ type: 'music', title: 'S', musicUrl: 'https://m.example/a.mp3' }, to))).toMatchObject({
      Music: { Title: 'S', MusicUrl: 'https://m.example/a.mp3' },
    });
    expect(read(buildReplyXml({ type: 'transfer_customer_service' }, to))).toMatchObject({ MsgType: 'transfer_customer_service' });
    expect(read(buildReplyXml({ type: 'transfer_customer_service', kfAccount: 'kf1@gh' }, to))).toMatchObject({
      TransInfo: { KfAccount: 'kf1@gh' },
    });
  });

  it('sends one news article when answering a message and up to 8 otherwise', () => {
    const articles = Array.from({ length: 8 }, (_, i) => ({ title: `t${i}` }));
    const one = read(buildReplyXml({ type: 'news', articles }, to, 1));
    expect(one).toMatchObject({ ArticleCount: '1', Articles: { item: { Title: 't0' } } });
    const eight = read(buildReplyXml({ type: 'news', articles }, to, 8)) as { ArticleCount: string; Articles: { item: unknown[] } };
    expect(eight.ArticleCount).toBe('8');
    expect(eight.Articles.item).toHaveLength(8);
  });
});

describe('openPush', () => {
  const plainSettings = { token: TOKEN, appId: APPID };
  const safeSettings = { token: TOKEN, appId: APPID, keys: { current: aesKeyFromEncodingKey(KEY_A) } };
  const xml = inboundXml({ ToUserName: 'gh_1', FromUserName: 'o1', CreateTime: 1, MsgType: 'text', Content: 'hi', MsgId: 1 });
  const q = (query: string) => Object.fromEntries(new URLSearchParams(query));

  it('does not accept a msg_signature where a signature is due, nor the reverse', () => {
    const safe = signPush({ token: TOKEN, appId: APPID, encodingAesKey: KEY_A }, xml, 'o1');
    const query = q(safe.query.slice(1));
    // A msg_signature computed without the Encrypt payload (i.e. a plain signature) is refused.
    const confused = { ...query, msg_signature: query.signature! };
    expect(openPush(safeSettings, confused, safe.body)).toMatchObject({ ok: false, status: 401 });
    // In plain mode the msg_signature is not a signature.
    const plainQuery = { signature: query.msg_signature!, timestamp: query.timestamp!, nonce: query.nonce! };
    expect(openPush(plainSettings, plainQuery, xml)).toMatchObject({ ok: false, status: 401 });
    expect(openPush(safeSettings, query, safe.body)).toMatchObject({ ok: true, mode: 'safe' });
  });

  it('seals the reply with the key that opened the request', () => {
    const settings = {
      token: TOKEN,
      appId: APPID,
      keys: { current: aesKeyFromEncodingKey(KEY_A), previous: aesKeyFromEncodingKey(KEY_B) },
    };
    const push = signPush({ token: TOKEN, appId: APPID, encodingAesKey: KEY_B }, xml, 'o1');
    const opened = openPush(settings, q(push.query.slice(1)), push.body);
    if (!opened.ok) throw new Error(opened.reason);
    const sealed = sealReply(settings, opened.replyKey, '<xml><Content>ok</Content></xml>');
    expect(readReply({ token: TOKEN, appId: APPID, encodingAesKey: KEY_B }, sealed)).toMatchObject({ Content: 'ok' });
    expect(() => readReply({ token: TOKEN, appId: APPID, encodingAesKey: KEY_A }, sealed)).toThrow();
  });

  it('refuses a plaintext push or a stripped safe-mode URL when only safe mode is accepted', () => {
    const strict = { ...safeSettings, mode: 'safe' as const };
    const plain = signPush({ token: TOKEN, appId: APPID }, xml, 'o1');
    expect(openPush(strict, q(plain.query.slice(1)), plain.body)).toMatchObject({ ok: false, status: 401 });
    const safe = signPush({ token: TOKEN, appId: APPID, encodingAesKey: KEY_A }, xml, 'o1');
    const { encrypt_type: _e, msg_signature: _m, ...stripped } = q(safe.query.slice(1));
    expect(openPush(strict, stripped, safe.body)).toMatchObject({ ok: false, status: 401 });
    expect(openPush(strict, q(safe.query.slice(1)), safe.body)).toMatchObject({ ok: true, mode: 'safe' });
    // Plain mode, the other way round.
    expect(openPush({ ...plainSettings, mode: 'plain' }, q(safe.query.slice(1)), safe.body)).toMatchObject({ ok: false, status: 401 });
  });

  it('refuses a timestamp outside the window, either way', () => {
    const windowed = { ...plainSettings, timestampWindowS: 300 };
    const now = 1_800_000_000_000;
    for (const [offsetS, ok] of [
      [0, true],
      [-299, true],
      [299, true],
      [-301, false],
      [301, false],
    ] as const) {
      const push = signPush({ token: TOKEN, appId: APPID }, xml, 'o1', now + offsetS * 1000);
      expect(openPush(windowed, q(push.query.slice(1)), push.body, now).ok, `offset ${offsetS}s`).toBe(ok);
    }
    const ancient = signPush({ token: TOKEN, appId: APPID }, xml, 'o1', 1_000_000_000_000);
    expect(openPush(windowed, q(ancient.query.slice(1)), ancient.body, now)).toMatchObject({ ok: false, status: 401 });
  });
});

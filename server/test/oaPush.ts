// Talking to the official-account endpoint like the platform does: signed, safe-mode (encrypted) pushes.
import { randomBytes } from 'node:crypto';
import { findCustomerByOpenid } from '../src/customers/service';
import { inboundXml, readReply, signPush, type PlatformSideSettings } from '../src/wechat/protocol/platformSide';
import { httpRequest, type TestApp } from './helpers';

export const OA_ENV = {
  OA_TOKEN: 'oaintegrationtoken',
  OA_APPID: 'wx_oa_integration',
  OA_AES_KEY: 'IntKey0123456789abcdefghijklmnopqrstuvwxyzA',
};
export const SAFE_SIDE: PlatformSideSettings = { token: OA_ENV.OA_TOKEN, appId: OA_ENV.OA_APPID, encodingAesKey: OA_ENV.OA_AES_KEY };

let seq = 0;
export const newOpenid = () => `o_${randomBytes(6).toString('hex')}`;
const msgId = () => `${Date.now()}${String(++seq).padStart(6, '0')}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);

export function textXml(from: string, content: string, id = msgId(), createTime = nowSeconds()) {
  return inboundXml({
    ToUserName: 'gh_loopline',
    FromUserName: from,
    CreateTime: createTime,
    MsgType: 'text',
    Content: content,
    MsgId: id,
  });
}
export function eventXml(from: string, event: string, extra: Record<string, string | number> = {}, createTime = nowSeconds()) {
  return inboundXml({ ToUserName: 'gh_loopline', FromUserName: from, CreateTime: createTime, MsgType: 'event', Event: event, ...extra });
}

/** Pushes one message; `reply` is the decrypted passive reply, if the endpoint answered one. */
export async function pushToOa(app: TestApp, xml: string, from: string) {
  const req = signPush(SAFE_SIDE, xml, from);
  const res = await httpRequest(app.url, 'POST', `/wechat/official-account${req.query}`, {
    raw: req.body,
    headers: { 'content-type': 'text/xml' },
  });
  const reply = res.status === 200 && res.text !== 'success' ? readReply(SAFE_SIDE, res.text) : undefined;
  return { status: res.status, text: res.text, reply };
}

export async function customerIdOf(openid: string) {
  return findCustomerByOpenid('official_account', openid);
}

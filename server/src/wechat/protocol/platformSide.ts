import { randomBytes } from 'node:crypto';
import { aesKeyFromEncodingKey, decryptMessage, encryptMessage } from './crypto';
import { parseXmlFields, parseXmlRoot, XmlRejectedError } from './messages';
import { cdata } from './replies';
import { computeMsgSignature, computeSignature, sameDigest } from './signature';

// The platform's side of a push: what WeChat sends to our endpoint and how it reads our reply.
// Used by the chat tool, the simulator-driven tests and the benchmark.

export interface PlatformSideSettings {
  token: string;
  appId: string;
  /** EncodingAESKey; when set, pushes go out in safe mode. */
  encodingAesKey?: string | undefined;
  /** Send both the plaintext fields and Encrypt (compatible mode). */
  compatible?: boolean;
}

export interface PushRequest {
  /** Path and query, e.g. `?signature=…&timestamp=…`. */
  query: string;
  body: string;
}

/** Builds inbound XML from fields (strings as CDATA, numbers as they are). */
export function inboundXml(fields: Record<string, string | number | bigint>): string {
  return `<xml>${Object.entries(fields)
    .map(([name, value]) => `<${name}>${typeof value === 'string' ? cdata(value) : String(value)}</${name}>`)
    .join('')}</xml>`;
}

export function signPush(settings: PlatformSideSettings, xml: string, openid: string, now = Date.now()): PushRequest {
  const timestamp = String(Math.floor(now / 1000));
  const nonce = String(randomBytes(4).readUInt32BE(0));
  const signature = computeSignature(settings.token, timestamp, nonce);
  const params = new URLSearchParams({ signature, timestamp, nonce, openid });
  if (!settings.encodingAesKey) return { query: `?${params}`, body: xml };
  const encrypted = encryptMessage(aesKeyFromEncodingKey(settings.encodingAesKey), settings.appId, xml);
  params.set('encrypt_type', 'aes');
  params.set('msg_signature', computeMsgSignature(settings.token, timestamp, nonce, encrypted));
  const fields = parseXmlFields(xml);
  const body = settings.compatible
    ? `<xml>${Object.entries(fields)
        .map(([k, v]) => `<${k}>${cdata(v)}</${k}>`)
        .join('')}<Encrypt>${cdata(encrypted)}</Encrypt></xml>`
    : `<xml><ToUserName>${cdata(fields.ToUserName ?? '')}</ToUserName><Encrypt>${cdata(encrypted)}</Encrypt></xml>`;
  return { query: `?${params}`, body };
}

/**
 * Reads our reply as the platform would: '' or `success` is "no reply"; an encrypted envelope is
 * checked (msg_signature) and decrypted. Returns the reply's fields, or undefined for no reply.
 */
export function readReply(settings: PlatformSideSettings, text: string): Record<string, unknown> | undefined {
  if (text === '' || text === 'success') return undefined;
  const outer = parseXmlFields(text);
  if (!outer.Encrypt) return parseXmlRoot(text);
  if (!settings.encodingAesKey) throw new XmlRejectedError('encrypted reply but no key');
  const expected = computeMsgSignature(settings.token, outer.TimeStamp ?? '', outer.Nonce ?? '', outer.Encrypt);
  if (!sameDigest(expected, outer.MsgSignature)) throw new XmlRejectedError('reply msg_signature mismatch');
  return parseXmlRoot(decryptMessage(aesKeyFromEncodingKey(settings.encodingAesKey), settings.appId, outer.Encrypt));
}

import { randomBytes } from 'node:crypto';
import { decryptWithRing, DecryptError, encryptMessage, type KeyRing } from './crypto';
import { parseXmlFields, toInboundMessage, XmlRejectedError, type InboundMessage } from './messages';
import { buildEncryptedEnvelope } from './replies';
import { computeMsgSignature, computeSignature, sameDigest } from './signature';

// One push from the platform, from query string and raw body to a typed message, and the reply
// back into the form the request came in (plain, or encrypted with the key that worked).

export interface PushSettings {
  token: string;
  appId: string;
  /** Absent when no EncodingAESKey is configured: safe-mode pushes cannot be opened. */
  keys?: KeyRing | undefined;
  /**
   * The pushes accepted: `safe` only encrypted ones (a plaintext push, or a safe-mode URL stripped of
   * `encrypt_type`/`msg_signature`, is refused), `plain` only plaintext ones, `compatible` either.
   * Unset: either.
   */
  mode?: PushMode | undefined;
  /** When set, a push whose `timestamp` is further than this from our clock (either way) is refused. */
  timestampWindowS?: number | undefined;
}

export type PushMode = 'plain' | 'compatible' | 'safe';
export type Query = Record<string, string | string[] | undefined>;

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** The timestamp and nonce a push is signed with (the first of each, as the signature check reads them). */
export function pushStamp(query: Query): { timestamp: string; nonce: string } {
  return { timestamp: first(query.timestamp) ?? '', nonce: first(query.nonce) ?? '' };
}

export type OpenResult =
  { ok: true; message: InboundMessage; mode: PushMode; replyKey: Buffer | undefined } | { ok: false; status: 400 | 401; reason: string };

/** GET URL check: the echostr to answer, or undefined when the signature does not match. */
export function verifyUrl(settings: PushSettings, query: Query): string | undefined {
  const signature = first(query.signature);
  const timestamp = first(query.timestamp) ?? '';
  const nonce = first(query.nonce) ?? '';
  const echostr = first(query.echostr);
  if (!signature || echostr === undefined) return undefined;
  return sameDigest(computeSignature(settings.token, timestamp, nonce), signature) ? echostr : undefined;
}

/**
 * Checks the signature that the mode calls for and opens the body. Nothing is parsed or decrypted
 * before the signature matches.
 */
export function openPush(settings: PushSettings, query: Query, body: string, now = Date.now()): OpenResult {
  const timestamp = first(query.timestamp) ?? '';
  const nonce = first(query.nonce) ?? '';
  const signature = first(query.signature);
  const encryptType = first(query.encrypt_type);
  const encrypted = encryptType !== undefined && encryptType !== '' && encryptType !== 'raw';
  if (encrypted && encryptType !== 'aes') return { ok: false, status: 400, reason: 'unsupported encrypt_type' };
  if (!encrypted && settings.mode === 'safe') return { ok: false, status: 401, reason: 'plaintext push refused in safe mode' };
  if (encrypted && settings.mode === 'plain') return { ok: false, status: 401, reason: 'encrypted push refused in plain mode' };
  if (settings.timestampWindowS !== undefined && !isFresh(timestamp, settings.timestampWindowS, now)) {
    return { ok: false, status: 401, reason: 'timestamp outside the accepted window' };
  }
  if (!nonce) return { ok: false, status: 401, reason: 'nonce missing' };

  if (!encrypted) {
    if (!signature || !sameDigest(computeSignature(settings.token, timestamp, nonce), signature)) {
      return { ok: false, status: 401, reason: 'signature mismatch' };
    }
    const parsed = parseBody(body);
    if (!parsed.ok) return parsed;
    return { ok: true, message: parsed.message, mode: 'plain', replyKey: undefined };
  }

  // Safe or compatible: msg_signature covers the Encrypt payload too; `signature`, when sent, must match as well.
  const msgSignature = first(query.msg_signature);
  if (!msgSignature) return { ok: false, status: 401, reason: 'msg_signature missing' };
  if (signature !== undefined && !sameDigest(computeSignature(settings.token, timestamp, nonce), signature)) {
    return { ok: false, status: 401, reason: 'signature mismatch' };
  }
  let outer: Record<string, string>;
  try {
    outer = parseXmlFields(body);
  } catch (err) {
    return { ok: false, status: 400, reason: (err as Error).message };
  }
  const payload = outer.Encrypt;
  if (!payload) return { ok: false, status: 400, reason: 'Encrypt missing' };
  if (!sameDigest(computeMsgSignature(settings.token, timestamp, nonce, payload), msgSignature)) {
    return { ok: false, status: 401, reason: 'msg_signature mismatch' };
  }
  const compatible = Boolean(outer.MsgType);
  if (!settings.keys) {
    // Without a key only compatible mode can be served, from its plaintext copy.
    if (!compatible) return { ok: false, status: 400, reason: 'encrypted push but no EncodingAESKey configured' };
    return messageFrom(outer, 'compatible', undefined);
  }
  let opened: { xml: string; key: Buffer };
  try {
    opened = decryptWithRing(settings.keys, settings.appId, payload);
  } catch (err) {
    return { ok: false, status: 400, reason: err instanceof DecryptError ? err.message : 'cannot decrypt' };
  }
  const parsed = parseBody(opened.xml);
  if (!parsed.ok) return parsed;
  return { ok: true, message: parsed.message, mode: compatible ? 'compatible' : 'safe', replyKey: opened.key };
}

/** Whole seconds since the epoch, within `windowS` of `now` either way. */
export function isFresh(timestamp: string, windowS: number, now = Date.now()): boolean {
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  return Math.abs(Number(timestamp) - now / 1000) <= windowS;
}

function parseBody(xml: string): { ok: true; message: InboundMessage } | { ok: false; status: 400; reason: string } {
  try {
    return { ok: true, message: toInboundMessage(parseXmlFields(xml)) };
  } catch (err) {
    if (err instanceof XmlRejectedError) return { ok: false, status: 400, reason: err.message };
    throw err;
  }
}

function messageFrom(fields: Record<string, string>, mode: PushMode, replyKey: Buffer | undefined): OpenResult {
  try {
    return { ok: true, message: toInboundMessage(fields), mode, replyKey };
  } catch (err) {
    if (err instanceof XmlRejectedError) return { ok: false, status: 400, reason: err.message };
    throw err;
  }
}

/** Wraps a reply XML for the way the request came: encrypted with the key that opened it, or as it is. */
export function sealReply(settings: PushSettings, replyKey: Buffer | undefined, xml: string, now = Date.now()): string {
  if (!replyKey) return xml;
  const encrypted = encryptMessage(replyKey, settings.appId, xml);
  const timestamp = String(Math.floor(now / 1000));
  const nonce = randomBytes(8).toString('hex');
  return buildEncryptedEnvelope(encrypted, computeMsgSignature(settings.token, timestamp, nonce, encrypted), timestamp, nonce);
}

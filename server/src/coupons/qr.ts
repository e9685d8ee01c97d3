import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Types } from 'mongoose';
import { QR_TOKEN_TTL_MS } from '@shared/coupons';
import { isDuplicateKey } from '../platform/db/errors';
import { CouponSecret } from './model';

// The dynamic QR shown on the customer's screen: `<couponId>.<expiry seconds>.<HMAC>`, valid 60 s.
// The key comes from SESSION_SECRET, or from a random secret generated once and kept in the
// database so that every instance signs and checks with the same one.

let sessionSecret: string | undefined;
let storedKey: Buffer | undefined;

/** Called once at mount with the configured SESSION_SECRET (may be undefined). */
export function useSessionSecret(secret: string | undefined): void {
  sessionSecret = secret;
}

async function signingKey(): Promise<Buffer> {
  if (sessionSecret) return createHmac('sha256', sessionSecret).update('loopline coupon qr v1').digest();
  if (storedKey) return storedKey;
  const id = 'coupon-qr-v1';
  let doc;
  try {
    doc = await CouponSecret.findOneAndUpdate(
      { _id: id },
      { $setOnInsert: { value: randomBytes(32).toString('hex') } },
      { upsert: true, new: true },
    ).lean();
  } catch (err) {
    if (!isDuplicateKey(err)) throw err; // another instance created it first
    doc = await CouponSecret.findById(id).lean();
  }
  if (!doc) throw new Error('coupon QR secret missing');
  // The stored value never changes once written, so keeping it in memory is only a cache.
  storedKey = Buffer.from(doc.value, 'hex');
  return storedKey;
}

const sign = (key: Buffer, body: string) => createHmac('sha256', key).update(`cq1|${body}`).digest('base64url').slice(0, 32);

export async function issueQrToken(couponId: Types.ObjectId, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
  const expiresAt = new Date(now.getTime() + QR_TOKEN_TTL_MS);
  const body = `${couponId.toString()}.${Math.floor(expiresAt.getTime() / 1000)}`;
  return { token: `${body}.${sign(await signingKey(), body)}`, expiresAt };
}

export type QrCheck = { ok: true; couponId: Types.ObjectId } | { ok: false; problem: 'invalid' | 'expired' };

export async function verifyQrToken(token: string, now = new Date()): Promise<QrCheck> {
  const match = /^([0-9a-f]{24})\.(\d{1,12})\.([A-Za-z0-9_-]{32})$/.exec(token);
  if (!match) return { ok: false, problem: 'invalid' };
  const [, couponId, expSeconds, signature] = match as unknown as [string, string, string, string];
  const expected = Buffer.from(sign(await signingKey(), `${couponId}.${expSeconds}`));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, problem: 'invalid' };
  if (Number(expSeconds) * 1000 <= now.getTime()) return { ok: false, problem: 'expired' };
  return { ok: true, couponId: new Types.ObjectId(couponId) };
}

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import mongoose from 'mongoose';
import { MEMBER_CODE_PATTERN, MemberErrorCode } from '@shared/api/members';
import { ErrorCode } from '@shared/errors';
import { isDuplicateKey } from '../platform/db/errors';
import { conflict, DomainError } from '../platform/errors';
import { ServerSecret } from './model';

/*
 * Member code: 24 digits = memberNo (9) + expiry (5) + signature (10).
 * - expiry is the expiry time in Unix seconds modulo 100000 (~27.7 h); the verifier takes the full
 *   time nearest to its own clock, which is exact while clocks agree within half that span.
 * - signature is HMAC-SHA256(secret, "member-code:v1:<appid>:<memberNo>:<expiry seconds>") read as
 *   a number modulo 10^10. The brand's mini-program appid is inside the MAC, so a code issued for
 *   another brand (or with another secret) never verifies here. Guessing a signature is a 1 in 10^10
 *   shot per try, within a 60-second life, on a staff-only, rate-limited route.
 * The code is stateless: any instance that shares the secret verifies it.
 */

export const MEMBER_CODE_TTL_SECONDS = 60;
const EXPIRY_MODULUS = 100_000;
const SECRET_ID = 'member-code-v1';

let cachedSecret: { key: string; value: Promise<Buffer> } | undefined;

/** SESSION_SECRET when set; otherwise one generated once and kept in the database for every instance. */
export function memberCodeSecret(configured: string | undefined): Promise<Buffer> {
  const key = configured ?? `(database ${mongoose.connection.name})`;
  if (cachedSecret?.key !== key) {
    const value = configured ? Promise.resolve(Buffer.from(configured, 'utf8')) : loadOrCreateSecret();
    cachedSecret = { key, value };
    value.catch(() => (cachedSecret = undefined));
  }
  return cachedSecret.value;
}

async function loadOrCreateSecret(): Promise<Buffer> {
  const fresh = randomBytes(32).toString('hex');
  try {
    await ServerSecret.updateOne({ _id: SECRET_ID }, { $setOnInsert: { value: fresh } }, { upsert: true });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err; // another instance created it first
  }
  const stored = await ServerSecret.findById(SECRET_ID).lean();
  return Buffer.from(stored!.value, 'hex');
}

/** Forget the cached secret (tests switch databases). */
export function resetMemberCodeSecret(): void {
  cachedSecret = undefined;
}

function signature(secret: Buffer, appId: string, memberNo: string, expirySeconds: number): string {
  const mac = createHmac('sha256', secret).update(`member-code:v1:${appId}:${memberNo}:${expirySeconds}`).digest();
  return (mac.readBigUInt64BE(0) % 10_000_000_000n).toString().padStart(10, '0');
}

export function signMemberCode(secret: Buffer, appId: string, memberNo: string, now = new Date()): { code: string; expiresAt: Date } {
  const expirySeconds = Math.floor(now.getTime() / 1000) + MEMBER_CODE_TTL_SECONDS;
  const code = memberNo + String(expirySeconds % EXPIRY_MODULUS).padStart(5, '0') + signature(secret, appId, memberNo, expirySeconds);
  return { code, expiresAt: new Date(expirySeconds * 1000) };
}

const invalid = () => new DomainError(MemberErrorCode.INVALID_MEMBER_CODE, 'This is not a valid member code.');

/** The memberNo a code names; 400 when forged or not ours, 409 EXPIRED when too old. */
export function verifyMemberCode(secret: Buffer, appId: string, code: string, now = new Date()): string {
  if (!MEMBER_CODE_PATTERN.test(code)) throw invalid();
  const memberNo = code.slice(0, 9);
  const expiryMod = Number(code.slice(9, 14));
  const given = Buffer.from(code.slice(14));
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const base = nowSeconds - (nowSeconds % EXPIRY_MODULUS) + expiryMod;
  const expirySeconds = [base - EXPIRY_MODULUS, base, base + EXPIRY_MODULUS].reduce((a, b) =>
    Math.abs(b - nowSeconds) < Math.abs(a - nowSeconds) ? b : a,
  );
  const expected = Buffer.from(signature(secret, appId, memberNo, expirySeconds));
  if (!timingSafeEqual(given, expected)) throw invalid();
  // A genuine code never expires further out than its lifetime (plus some clock skew).
  if (expirySeconds > nowSeconds + MEMBER_CODE_TTL_SECONDS + 30) throw invalid();
  if (nowSeconds > expirySeconds) throw conflict(ErrorCode.EXPIRED, 'This member code has expired; ask for a fresh one.');
  return memberNo;
}

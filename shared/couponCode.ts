// Coupon codes people read aloud, type at a till, or scan: 15 random Crockford base32 symbols
// (75 bits) and one check symbol, shown as XXXX-XXXX-XXXX-XXXX. Case does not matter; I and L read
// as 1, O as 0, spaces and hyphens are ignored. U is never used (Crockford), so a U is refused.
//
// The check symbol makes the weighted sum over GF(32) of every symbol (check included) zero, with
// weight alpha^i at position i (alpha primitive, so all weights differ and are nonzero). A single
// wrong symbol changes the sum by alpha^i * e (never 0); swapping neighbours a,b changes it by
// alpha^i * (1 + alpha) * (a - b) (never 0 when a != b). So every single typo and every adjacent
// swap is caught.

export const COUPON_CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const COUPON_CODE_RANDOM_SYMBOLS = 15;
export const COUPON_CODE_LENGTH = COUPON_CODE_RANDOM_SYMBOLS + 1;
const GROUP = 4;

// GF(32) with the primitive polynomial x^5 + x^2 + 1; alpha = x (value 2).
const EXP: number[] = [];
const LOG: number[] = new Array(32).fill(0);
{
  let v = 1;
  for (let i = 0; i < 31; i++) {
    EXP[i] = v;
    LOG[v] = i;
    v <<= 1;
    if (v & 32) v ^= 0b100101;
  }
}
const gfMul = (a: number, b: number): number => (a === 0 || b === 0 ? 0 : EXP[(LOG[a]! + LOG[b]!) % 31]!);
const alphaPow = (i: number): number => EXP[i % 31]!;

function weightedSum(values: number[]): number {
  let sum = 0;
  values.forEach((v, i) => {
    sum ^= gfMul(alphaPow(i), v);
  });
  return sum;
}

/** The check symbol's value for these payload values (placed at position payload.length). */
export function checkValue(payload: number[]): number {
  const sum = weightedSum(payload);
  // Need alpha^n * c == sum (characteristic 2: minus is plus), so c = sum * alpha^-n.
  return gfMul(sum, alphaPow(31 - (payload.length % 31)));
}

/** Builds a code from 15 payload symbol values (0..31); the random source is the caller's. */
export function codeFromValues(payload: number[]): string {
  if (payload.length !== COUPON_CODE_RANDOM_SYMBOLS || payload.some((v) => !Number.isInteger(v) || v < 0 || v > 31)) {
    throw new Error('a coupon code needs 15 values between 0 and 31');
  }
  const symbols = [...payload, checkValue(payload)].map((v) => COUPON_CODE_ALPHABET[v]!).join('');
  return formatCouponCode(symbols);
}

/** Makes a new code from 10 random bytes (80 bits, of which 75 are used). */
export function couponCodeFromBytes(bytes: Uint8Array): string {
  if (bytes.length < 10) throw new Error('a coupon code needs 10 random bytes');
  let bits = 0n;
  for (const b of bytes.subarray(0, 10)) bits = (bits << 8n) | BigInt(b);
  const payload: number[] = [];
  for (let i = 0; i < COUPON_CODE_RANDOM_SYMBOLS; i++) {
    payload.push(Number(bits & 31n));
    bits >>= 5n;
  }
  return codeFromValues(payload);
}

/** XXXX-XXXX-XXXX-XXXX for reading; accepts a canonical 16-symbol string. */
export function formatCouponCode(canonical: string): string {
  const groups: string[] = [];
  for (let i = 0; i < canonical.length; i += GROUP) groups.push(canonical.slice(i, i + GROUP));
  return groups.join('-');
}

export type CouponCodeProblem = 'empty' | 'bad_character' | 'wrong_length' | 'check_failed';

export type ParsedCouponCode =
  { ok: true; canonical: string; display: string } | { ok: false; problem: CouponCodeProblem; message: string };

const READS_AS: Record<string, string> = { I: '1', L: '1', O: '0' };

/** Normalizes what someone typed or scanned and checks it; never throws. */
export function parseCouponCode(input: string): ParsedCouponCode {
  const cleaned = input.toUpperCase().replace(/[\s-]+/g, '');
  if (!cleaned) return { ok: false, problem: 'empty', message: 'Enter the coupon code.' };
  let canonical = '';
  for (const ch of cleaned) {
    const mapped = READS_AS[ch] ?? ch;
    if (!COUPON_CODE_ALPHABET.includes(mapped)) {
      return { ok: false, problem: 'bad_character', message: `"${ch}" is not used in coupon codes.` };
    }
    canonical += mapped;
  }
  if (canonical.length !== COUPON_CODE_LENGTH) {
    return {
      ok: false,
      problem: 'wrong_length',
      message: `A coupon code has ${COUPON_CODE_LENGTH} characters; this one has ${canonical.length}.`,
    };
  }
  const values = [...canonical].map((ch) => COUPON_CODE_ALPHABET.indexOf(ch));
  if (weightedSum(values) !== 0) {
    return { ok: false, problem: 'check_failed', message: 'This code has a typo: please check it character by character.' };
  }
  return { ok: true, canonical, display: formatCouponCode(canonical) };
}

export const isValidCouponCode = (input: string): boolean => parseCouponCode(input).ok;

/** The canonical form (no hyphens, upper case) or undefined when the code is not valid. */
export function normalizeCouponCode(input: string): string | undefined {
  const parsed = parseCouponCode(input);
  return parsed.ok ? parsed.canonical : undefined;
}

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { COUPON_CODE_ALPHABET, COUPON_CODE_LENGTH, couponCodeFromBytes, normalizeCouponCode, parseCouponCode } from './couponCode';

const canonical = (code: string) => code.replace(/-/g, '');
const fresh = () => couponCodeFromBytes(randomBytes(10));

describe('coupon code format', () => {
  it('makes grouped 16-symbol codes from the Crockford alphabet that validate', () => {
    for (let i = 0; i < 200; i++) {
      const code = fresh();
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
      expect(parseCouponCode(code)).toEqual({ ok: true, canonical: canonical(code), display: code });
    }
  });

  it('carries at least 64 bits: distinct random inputs give distinct codes', () => {
    // 15 random symbols of 5 bits each.
    expect((COUPON_CODE_LENGTH - 1) * Math.log2(COUPON_CODE_ALPHABET.length)).toBeGreaterThanOrEqual(64);
    const codes = new Set(Array.from({ length: 2000 }, fresh));
    expect(codes.size).toBe(2000);
  });

  it('accepts lower case, spaces, missing hyphens, and I/L/O read as 1/1/0', () => {
    const code = couponCodeFromBytes(Buffer.from('00112233445566778899', 'hex'));
    const c = canonical(code);
    expect(normalizeCouponCode(c.toLowerCase())).toBe(c);
    expect(normalizeCouponCode(` ${c.slice(0, 8)} ${c.slice(8)} `)).toBe(c);
    const withLookalikes = c.replace(/1/g, 'l').replace(/0/g, 'O');
    expect(normalizeCouponCode(withLookalikes)).toBe(c);
    expect(normalizeCouponCode(c.replace(/1/g, 'I'))).toBe(c);
  });

  it('refuses U, other symbols and wrong lengths with a reason', () => {
    const c = canonical(fresh());
    expect(parseCouponCode('U' + c.slice(1))).toMatchObject({ ok: false, problem: 'bad_character' });
    expect(parseCouponCode(c.slice(0, 15) + '*')).toMatchObject({ ok: false, problem: 'bad_character' });
    expect(parseCouponCode(c.slice(0, 15))).toMatchObject({ ok: false, problem: 'wrong_length' });
    expect(parseCouponCode('')).toMatchObject({ ok: false, problem: 'empty' });
  });

  it('catches every single-symbol typo in every position', () => {
    for (let n = 0; n < 30; n++) {
      const c = canonical(fresh());
      for (let pos = 0; pos < c.length; pos++) {
        for (const sym of COUPON_CODE_ALPHABET) {
          if (sym === c[pos]) continue;
          const typo = c.slice(0, pos) + sym + c.slice(pos + 1);
          expect(parseCouponCode(typo)).toMatchObject({ ok: false, problem: 'check_failed' });
        }
      }
    }
  });

  it('catches every swap of two different neighbouring symbols, the check symbol included', () => {
    let swaps = 0;
    for (let n = 0; n < 300; n++) {
      const c = canonical(fresh());
      for (let pos = 0; pos + 1 < c.length; pos++) {
        if (c[pos] === c[pos + 1]) continue;
        const swapped = c.slice(0, pos) + c[pos + 1] + c[pos] + c.slice(pos + 2);
        expect(parseCouponCode(swapped)).toMatchObject({ ok: false, problem: 'check_failed' });
        swaps++;
      }
    }
    expect(swaps).toBeGreaterThan(4000);
  });
});

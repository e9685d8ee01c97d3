import { createHash, timingSafeEqual } from 'node:crypto';

// The platform signs each push with sha1 over the sorted parts joined together.

/** `signature`: covers token, timestamp and nonce only. */
export function computeSignature(token: string, timestamp: string, nonce: string): string {
  return sha1OfSorted([token, timestamp, nonce]);
}

/** `msg_signature`: covers token, timestamp, nonce and the Encrypt payload. */
export function computeMsgSignature(token: string, timestamp: string, nonce: string, encrypted: string): string {
  return sha1OfSorted([token, timestamp, nonce, encrypted]);
}

function sha1OfSorted(parts: string[]): string {
  return createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex');
}

/** Compares two hex digests without leaking where they differ. */
export function sameDigest(expected: string, given: string | undefined): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given.toLowerCase(), 'utf8');
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

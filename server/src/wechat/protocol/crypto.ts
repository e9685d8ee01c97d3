import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

// The platform's message encryption: AES-256-CBC, IV = first 16 bytes of the key,
// plaintext = random(16) ‖ length(4, big-endian) ‖ xml ‖ appid, PKCS#7 padded to 32-byte blocks.

const BLOCK = 32;

export class DecryptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecryptError';
  }
}

/** EncodingAESKey (43 chars) → the 32-byte AES key. */
export function aesKeyFromEncodingKey(encodingAesKey: string): Buffer {
  if (!/^[A-Za-z0-9]{43}$/.test(encodingAesKey)) throw new Error('EncodingAESKey must be 43 letters and digits');
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32) throw new Error('EncodingAESKey does not decode to 32 bytes');
  return key;
}

function pad(data: Buffer): Buffer {
  const n = BLOCK - (data.length % BLOCK);
  return Buffer.concat([data, Buffer.alloc(n, n)]);
}

function unpad(data: Buffer): Buffer {
  const n = data[data.length - 1] ?? 0;
  if (n < 1 || n > BLOCK || n > data.length) throw new DecryptError('bad padding');
  for (let i = data.length - n; i < data.length; i++) {
    if (data[i] !== n) throw new DecryptError('bad padding');
  }
  return data.subarray(0, data.length - n);
}

export function encryptMessage(key: Buffer, appId: string, xml: string, random: Buffer = randomBytes(16)): string {
  const body = Buffer.from(xml, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length, 0);
  const plain = pad(Buffer.concat([random, length, body, Buffer.from(appId, 'utf8')]));
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

/** Decrypts and checks the trailing appid; throws DecryptError on any mismatch. */
export function decryptMessage(key: Buffer, appId: string, encrypted: string): string {
  let plain: Buffer;
  try {
    const data = Buffer.from(encrypted, 'base64');
    if (data.length === 0 || data.length % 16 !== 0) throw new DecryptError('bad ciphertext length');
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    decipher.setAutoPadding(false);
    plain = unpad(Buffer.concat([decipher.update(data), decipher.final()]));
  } catch (err) {
    if (err instanceof DecryptError) throw err;
    throw new DecryptError('cannot decrypt');
  }
  if (plain.length < 20) throw new DecryptError('payload too short');
  const length = plain.readUInt32BE(16);
  if (20 + length > plain.length) throw new DecryptError('bad length field');
  const xml = plain.subarray(20, 20 + length).toString('utf8');
  const trailingAppId = plain.subarray(20 + length).toString('utf8');
  if (trailingAppId !== appId) throw new DecryptError('appid mismatch');
  return xml;
}

/** The current key first, then the previous one (kept while an operator rotates keys). */
export interface KeyRing {
  current: Buffer;
  previous?: Buffer | undefined;
}

/** Decrypts with the current key, falling back to the previous one; tells which key worked. */
export function decryptWithRing(ring: KeyRing, appId: string, encrypted: string): { xml: string; key: Buffer } {
  try {
    return { xml: decryptMessage(ring.current, appId, encrypted), key: ring.current };
  } catch (err) {
    if (!ring.previous) throw err;
    return { xml: decryptMessage(ring.previous, appId, encrypted), key: ring.previous };
  }
}

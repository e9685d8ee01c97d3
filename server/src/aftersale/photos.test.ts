import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/helpers';
import { signInTwoStoreCast, type SignedIn } from '../../test/session';
import { extractUploadedFile, sniffImageType } from './photos';

let app: TestApp;
let admin: SignedIn;
let customer: SignedIn;
let stranger: SignedIn;
let clerk: SignedIn;
let otherClerk: SignedIn;
let storeId: string;

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('png body')]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('jpeg body')]);
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0, 0, 0, 0]), Buffer.from('WEBPVP8 ')]);
const GIF = Buffer.from('GIF89a....');

/** A multipart body like the one Taro.uploadFile / the browser's FormData sends. */
function multipart(file: Buffer, filename = 'photo.png', type = 'image/png') {
  const boundary = '----LooplineTestBoundary7MA4YWxkTrZu0gW';
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { raw: body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

beforeAll(async () => {
  app = await startTestApp({ ADMIN_OPENIDS: 'ph-admin', LOG_LEVEL: 'error' });
  ({ admin, customer, stranger, clerk, otherClerk, storeId } = await signInTwoStoreCast(app, 'ph'));
});
afterAll(async () => {
  await app?.close();
});

const openTicket = async () => {
  const res = await app.request('POST', '/api/v1/tickets', {
    token: customer.token,
    body: { storeId, type: 'repair', description: '表带断了' },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
};

const photosOf = async (ticketId: string) =>
  (await app.request('GET', `/api/v1/tickets/${ticketId}/photos`, { token: customer.token })).body.items as Array<{
    id: string;
    url: string;
  }>;

describe('magic bytes and multipart', () => {
  it('knows JPEG, PNG and WebP by their first bytes and nothing else', () => {
    expect(sniffImageType(JPEG)).toBe('image/jpeg');
    expect(sniffImageType(PNG)).toBe('image/png');
    expect(sniffImageType(WEBP)).toBe('image/webp');
    expect(sniffImageType(GIF)).toBeUndefined();
    expect(sniffImageType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeUndefined();
    expect(sniffImageType(Buffer.alloc(0))).toBeUndefined();
  });

  it('takes the file part out of a multipart body byte for byte', () => {
    const bytes = Buffer.concat([PNG, Buffer.from('\r\n--not-the-boundary\r\n'), Buffer.from([0, 1, 2, 255])]);
    const { raw, headers } = multipart(bytes);
    expect(extractUploadedFile(headers['content-type'], raw).equals(bytes)).toBe(true);
    expect(() =>
      extractUploadedFile(
        'multipart/form-data; boundary=x',
        Buffer.from('--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--'),
      ),
    ).toThrow(/no file/);
  });
});

describe('ticket photos API', () => {
  it('stores a multipart and a raw photo and serves them back with their type, privately', async () => {
    const ticketId = await openTicket();
    const up = await app.request('POST', `/api/v1/tickets/${ticketId}/photos`, { token: customer.token, ...multipart(PNG) });
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    expect(up.body).toMatchObject({ contentType: 'image/png', size: PNG.length, url: `/api/v1/tickets/${ticketId}/photos/${up.body.id}` });
    const raw = await app.request('POST', `/api/v1/tickets/${ticketId}/photos`, {
      token: customer.token,
      raw: JPEG,
      headers: { 'content-type': 'image/jpeg' },
    });
    expect(raw.status).toBe(201);
    expect(raw.body.contentType).toBe('image/jpeg');
    expect((await photosOf(ticketId)).map((p) => p.id)).toEqual([up.body.id, raw.body.id]);

    const res = await fetch(app.url + up.body.url, { headers: { authorization: `Bearer ${customer.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('cache-control')).toMatch(/^private/);
    expect(res.headers.get('cache-control')).not.toMatch(/public|s-maxage/);
    expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true);
  });

  it('refuses other types by their bytes, whatever the declared type says, and stores nothing', async () => {
    const ticketId = await openTicket();
    const gif = await app.request('POST', `/api/v1/tickets/${ticketId}/photos`, {
      token: customer.token,
      ...multipart(GIF, 'x.png', 'image/png'),
    });
    expect(gif.status).toBe(415);
    expect(gif.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const html = await app.request('POST', `/api/v1/tickets/${ticketId}/photos`, {
      token: customer.token,
      raw: '<html></html>',
      headers: { 'content-type': 'image/png' },
    });
    expect(html.status).toBe(415);
    const json = await app.request('POST', `/api/v1/tickets/${ticketId}/photos`, { token: customer.token, body: { photo: 'x' } });
    expect(json.status).toBe(415);
    const empty = await app.request('POST', `/api/v1/tickets/${ticketId}/photos`, { token: customer.token, ...multipart(Buffer.alloc(0)) });
    expect(empty.status).toBe(400);
    expect(await photosOf(ticketId)).toEqual([]);
  });

  it('takes a photo of exactly 2 MB and refuses one byte more', async () => {
    const ticketId = await openTicket();
    const exact = Buffer.alloc(2 * 1024 * 1024, 7);
    JPEG.copy(exact);
    const ok = await app.request('POST', `/api/v1/tickets/${ticketId}/photos`, {
      token: customer.token,
      ...multipart(exact, 'a.jpg', 'image/jpeg'),
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.size).toBe(exact.length);
    const over = Buffer.concat([exact, Buffer.from([0])]);
    const big = await app.request('POST', `/api/v1/tickets/${ticketId}/photos`, {
      token: customer.token,
      ...multipart(over, 'b.jpg', 'image/jpeg'),
    });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    const huge = await app.request('POST', `/api/v1/tickets/${ticketId}/photos`, {
      token: customer.token,
      raw: Buffer.alloc(3 * 1024 * 1024, 1),
      headers: { 'content-type': 'image/jpeg' },
    });
    expect(huge.status).toBe(413);
    expect(await photosOf(ticketId)).toHaveLength(1);
  });

  it('holds six photos per ticket, even when uploads race', async () => {
    const ticketId = await openTicket();
    const results = await Promise.all(
      Array.from({ length: 9 }, () =>
        app.request('POST', `/api/v1/tickets/${ticketId}/photos`, { token: customer.token, ...multipart(PNG) }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(6);
    const refused = results.filter((r) => r.status !== 201);
    expect(refused.map((r) => r.status)).toEqual([409, 409, 409]);
    expect(refused[0]!.body.error.code).toBe('LIMIT_REACHED');
    expect((await photosOf(ticketId)).map((p) => p.id)).toEqual(['1', '2', '3', '4', '5', '6']);
  });

  it('shows a photo to the owner, the staff of its store and admins; not to another customer or another store', async () => {
    const ticketId = await openTicket();
    const up = await app.request('POST', `/api/v1/tickets/${ticketId}/photos`, {
      token: customer.token,
      ...multipart(WEBP, 'w.webp', 'image/webp'),
    });
    expect(up.status).toBe(201);
    const get = (token?: string) => app.request('GET', up.body.url, token ? { token } : {});
    for (const who of [customer, clerk, admin]) {
      const res = await get(who.token);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/webp');
    }
    for (const who of [stranger, otherClerk]) {
      const res = await get(who.token);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
      const list = await app.request('GET', `/api/v1/tickets/${ticketId}/photos`, { token: who.token });
      expect(list.status).toBe(404);
      const upload = await app.request('POST', `/api/v1/tickets/${ticketId}/photos`, { token: who.token, ...multipart(PNG) });
      expect(upload.status).toBe(404);
    }
    expect((await get()).status).toBe(401);
    expect((await app.request('GET', `/api/v1/tickets/${ticketId}/photos/7`, { token: customer.token })).status).toBe(404);
    expect((await app.request('GET', `/api/v1/tickets/${ticketId}/photos/2`, { token: customer.token })).status).toBe(404);
    expect(await photosOf(ticketId)).toHaveLength(1);
  });

  it('takes no photos on a cancelled ticket', async () => {
    const ticketId = await openTicket();
    const cancel = await app.request('POST', `/api/v1/tickets/${ticketId}/transitions`, {
      token: customer.token,
      body: { action: 'cancel' },
    });
    expect(cancel.status).toBe(200);
    const up = await app.request('POST', `/api/v1/tickets/${ticketId}/photos`, { token: customer.token, ...multipart(PNG) });
    expect(up.status).toBe(409);
    expect(up.body.error.code).toBe('TICKET_CLOSED');
  });
});

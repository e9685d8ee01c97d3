import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest } from '../../../test/helpers';
import { createLogger } from '../logger';
import { errorHandler, jsonBody, requestContext } from './middleware';

// The API's body and error handling, on a small app of their own (business routes come with modules).
let server: http.Server;
let url: string;
const lines: string[] = [];

beforeAll(async () => {
  const app = new Koa();
  const log = createLogger('info', { write: (line: string) => lines.push(line) });
  app.use(requestContext(log));
  app.use(errorHandler());
  const router = new Router();
  router.use(jsonBody({ limit: 1024 }));
  router.post('/echo', (ctx) => {
    ctx.body = { got: ctx.request.body ?? null };
  });
  router.get('/boom', () => {
    throw new Error('secret internal detail: mongodb://user:pass@host');
  });
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true }));
  server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('API body and error handling', () => {
  it('parses a JSON body', async () => {
    const res = await httpRequest(url, 'POST', '/echo', { body: { a: 1 } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ got: { a: 1 } });
  });

  it('answers malformed JSON with 400 INVALID_JSON', async () => {
    const res = await httpRequest(url, 'POST', '/echo', { raw: '{"a":', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_JSON');
  });

  it('refuses a body over the limit with 413', async () => {
    const res = await httpRequest(url, 'POST', '/echo', { body: { text: 'x'.repeat(5000) } });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses a chunked body over the limit with 413 too', async () => {
    const big = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode(`"${'y'.repeat(300)}",`));
        controller.close();
      },
    });
    const res = await fetch(`${url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: big,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
  });

  it('refuses other content types with 415', async () => {
    const res = await httpRequest(url, 'POST', '/echo', { raw: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers an unexpected error with 500 and no internals, and logs it', async () => {
    const res = await httpRequest(url, 'GET', '/boom');
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('INTERNAL');
    expect(res.text).not.toContain('secret internal detail');
    expect(lines.some((l) => l.includes('request failed') && l.includes(res.headers.get('x-request-id')!))).toBe(true);
  });

  it('answers a wrong method with 405', async () => {
    const res = await httpRequest(url, 'DELETE', '/echo');
    expect(res.status).toBe(405);
    expect(res.body.error.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('never logs the Authorization header or the query string', async () => {
    lines.length = 0;
    await httpRequest(url, 'GET', '/boom?signature=abc123', { token: 'tok-should-not-appear' });
    const all = lines.join('\n');
    expect(all).not.toContain('tok-should-not-appear');
    expect(all).not.toContain('abc123');
  });
});

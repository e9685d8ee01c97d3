import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/helpers';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

describe('error contract', () => {
  it('answers an unknown route with 404 in the JSON error shape', async () => {
    const res = await app.request('GET', '/api/v1/no-such-thing');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
  });

  it('gives every response a request id, keeping a sane one from the client', async () => {
    const res = await app.request('GET', '/healthz', { headers: { 'x-request-id': 'abc12345-test' } });
    expect(res.headers.get('x-request-id')).toBe('abc12345-test');
    const other = await app.request('GET', '/healthz', { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(other.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers health and readiness', async () => {
    expect((await app.request('GET', '/healthz')).body).toEqual({ status: 'ok' });
    const ready = await app.request('GET', '/readyz');
    expect(ready.status).toBe(200);
  });
});

import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/helpers';
import { inlineScriptHashes } from './securityHeaders';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

describe('security headers', () => {
  it('are on every response: pages, API answers, errors and the push endpoint', async () => {
    const responses = await Promise.all([
      app.request('GET', '/'),
      app.request('GET', '/healthz'),
      app.request('GET', '/api/v1/me'),
      app.request('GET', '/api/v1/no-such-route'),
      app.request('POST', '/wechat/official-account?signature=x&timestamp=1&nonce=1', { raw: '<xml/>' }),
      app.request('POST', '/api/v1/auth/login', { raw: '{not json', headers: { 'content-type': 'application/json' } }),
    ]);
    for (const res of responses) {
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, `CSP on a ${res.status}`).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });
});

describe('inline script hashes', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'loopline-csp-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('allow exactly the inline scripts of index.html, and follow a rebuild', async () => {
    const file = path.join(dir, 'index.html');
    const code = 'window.rem = 1;';
    await writeFile(file, `<html><head><script>${code}</script><script src="/js/app.js"></script></head></html>`);
    const hashes = inlineScriptHashes(file);
    const expected = `'sha256-${createHash('sha256').update(code).digest('base64')}'`;
    expect(hashes()).toEqual([expected]);
    await new Promise((r) => setTimeout(r, 20));
    await writeFile(file, '<html><head><script>other()</script></head></html>');
    expect(hashes()).toEqual([`'sha256-${createHash('sha256').update('other()').digest('base64')}'`]);
    expect(inlineScriptHashes(path.join(dir, 'missing.html'))()).toEqual([]);
  });
});

import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/helpers';
import { officialAccountBot } from './routes';

const AES_KEY = 'Chat0123456789abcdefghijklmnopqrstuvwxyzABC';
const root = fileURLToPath(new URL('../../..', import.meta.url));

function runChat(url: string, input: string, env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(`${root}node_modules/.bin/tsx`, ['server/src/officialAccount/chat.ts', '--url', url, '--openid', 'o_chat_smoke'], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
    child.stdin.end(input);
  });
}

describe('npm run chat', () => {
  let app: TestApp;
  let removeSlow: (() => void) | undefined;
  beforeAll(async () => {
    app = await startTestApp({ OA_AES_KEY: AES_KEY, OA_REPLY_DEADLINE_MS: '1500' });
    removeSlow = officialAccountBot!.prepend('text', async ({ message }) => {
      if (message.content !== 'slow') return undefined;
      await sleep(2500);
      return { type: 'text', content: 'sorry for the wait' };
    });
  });
  afterAll(async () => {
    removeSlow?.();
    await app?.close();
  });

  it('talks to the server in safe mode from piped lines, events included, and shows late messages', async () => {
    const script = ['帮助', '/follow store:s9', '/click MY_COUPONS', '人工', 'slow', '/wait 6', '/quit', 'never sent'].join('\n');
    const { code, out, err } = await runChat(app.url, `${script}\n`, {
      OA_AES_KEY: AES_KEY,
      OA_TOKEN: app.config.officialAccount.token,
      OA_APPID: app.config.officialAccount.appId,
    });
    expect(err).not.toMatch(/chat failed/);
    expect(code, out + err).toBe(0);
    expect(out).toContain('(safe mode)');
    expect(out).toContain('bot> 回复「人工」联系客服');
    expect(out).toContain('bot> 欢迎关注');
    expect(out).toContain('bot> 您的优惠券');
    expect(out).toContain('handed over to a human agent');
    expect(out).toContain('cs> sorry for the wait');
    expect(out, out).not.toMatch(/^! /m);
  }, 30_000);
});

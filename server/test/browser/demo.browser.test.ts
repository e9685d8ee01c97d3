// A fresh demo: `npm run demo:seed` into an empty data directory, then the server on it, and the
// seeded brand on the pages a person opens (funnel, review queue, staff pages, member card).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureTaroBuild, repoRoot } from '../../../scripts/taroBuild';
import { loadConfig } from '../../src/platform/config';
import { createLogger } from '../../src/platform/logger';
import { startServer, type RunningServer } from '../../src/server';
import { launchChromium, type LaunchedBrowser } from './chromium';
import { openAdmin, openStaff, shot, shown, signInAs } from './h5';

let dataDir: string;
let server: RunningServer;
let chromium: LaunchedBrowser;
const seedOutput: string[] = [];

function runSeed(env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/demo/seed.ts'], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

beforeAll(async () => {
  await ensureTaroBuild('h5', { quiet: true });
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'loopline-demo-'));
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, FERRETDB_BIN: inject('ferretdbBin'), LOG_LEVEL: 'warn' };
  delete env.MONGODB_URI;
  const first = await runSeed(env);
  seedOutput.push(first.out);
  expect(first.code, first.out).toBe(0);
  const second = await runSeed(env);
  seedOutput.push(second.out);
  expect(second.code, second.out).toBe(0);
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', FERRETDB_BIN: inject('ferretdbBin') });
  server = await startServer(config, { log: createLogger('silent') });
  chromium = await launchChromium();
}, 900_000);

afterAll(async () => {
  await chromium?.close();
  await server?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const phone = async () => {
  const context = await chromium.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, locale: 'zh-CN' });
  const page = await context.newPage();
  const failures: string[] = [];
  page.on('pageerror', (err) => failures.push(err.message));
  return { page, failures };
};

describe('the demo brand on a fresh start', () => {
  it('seeds once, says so the second time, and prints the demo logins', () => {
    expect(seedOutput[0]).toMatch(/Seeded the demo brand/);
    expect(seedOutput[0]).toContain('demo-admin');
    expect(seedOutput[0]).toContain('demo-clerk');
    expect(seedOutput[1]).toMatch(/holds the demo brand already/);
  });

  it('the admin sees the funnel and the review queue with the farming attack', async () => {
    const { page, failures } = await phone();
    await signInAs(page, server.url, 'admin');
    await openAdmin(page, 'menu-funnel');
    await page.locator('.funnel-page .funnel-totals').waitFor();
    expect(await shown(page, '.funnel-page').innerText()).toMatch(/新客立减|全场 85 折|会员礼|周年庆/);
    await shot(page, 'demo-01-funnel');

    await openAdmin(page, 'menu-review');
    await shown(page, '.review-page .review-item').waitFor();
    const queue = await shown(page, '.review-page').innerText();
    expect(queue).toContain('同一网络地址多个新账号');
    expect(queue).toContain('暂缓发放');
    await shot(page, 'demo-02-review');
    expect(failures).toEqual([]);
  }, 180_000);

  it('staff see their store: redemptions and the after-sale inbox', async () => {
    const { page, failures } = await phone();
    await signInAs(page, server.url, 'manager');
    await openStaff(page, 'menu-inbox');
    await shown(page, '.inbox-page .inbox-counts').waitFor();
    await page.waitForTimeout(1_500);
    await shot(page, 'demo-03-inbox');
    expect(failures).toEqual([]);
  }, 180_000);

  it('the demo customer sees their member card with tier and points', async () => {
    const { page, failures } = await phone();
    await signInAs(page, server.url, 'customer');
    await page.locator('.home-page .member-card').waitFor();
    expect(await shown(page, '.home-page').innerText()).toContain('1280');
    await shot(page, 'demo-04-member');
    expect(failures).toEqual([]);
  }, 180_000);
});

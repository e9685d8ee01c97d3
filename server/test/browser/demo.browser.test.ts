// A fresh demo: `npm run demo:seed` into an empty data directory, then the server on it, and the
// seeded brand on the pages a person opens (dashboard, funnel, review queue, tags and segments,
// Today and the customer view, the after-sale inbox, the member card).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DashboardReport } from '@shared/api/analytics';
import type { TagView, TodayView } from '@shared/api/crm';
import type { Page } from 'playwright-core';
import { ensureTaroBuild, repoRoot } from '../../../scripts/taroBuild';
import { loadConfig } from '../../src/platform/config';
import { createLogger } from '../../src/platform/logger';
import { startServer, type RunningServer } from '../../src/server';
import { launchChromium, type LaunchedBrowser } from './chromium';
import { openAdmin, openStaff, SHOTS, shot, shown, signInAs } from './h5';

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

/** An API call with the session the page signed in with (logins are rate-limited per code). */
async function apiAs<T>(page: Page, pathAndQuery: string): Promise<T> {
  const raw = await page.evaluate(() => localStorage.getItem('loopline.session'));
  const stored = JSON.parse(raw ?? '{}') as { data?: { token?: string }; token?: string };
  const token = stored.data?.token ?? stored.token;
  const res = await fetch(`${server.url}/api/v1${pathAndQuery}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status, pathAndQuery).toBe(200);
  return (await res.json()) as T;
}

/** A figure as the page shows it ("1,234", "¥5,678.90") read as a number. */
const figure = (text: string) => Number(text.replace(/[^\d.]/g, ''));

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

  it('the admin sees the dashboard over 90 days, rolled up by the seed', async () => {
    const { page, failures } = await phone();
    await signInAs(page, server.url, 'admin');
    await openAdmin(page, 'menu-dashboard');
    const dash = shown(page, '.dashboard-page');
    await dash.locator('.section.interactions').waitFor();
    await dash.locator('.range-last90').click();
    // The closed days come from the rollups the seed wrote, today live.
    const to = (await dash.locator('.range-to').innerText()).match(/\d{4}-\d{2}-\d{2}/)![0];
    const from = new Date(Date.parse(`${to}T00:00:00Z`) - 89 * 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
    const report = await apiAs<DashboardReport>(page, `/analytics/dashboard?from=${from}&to=${to}`);
    expect(report.rolledThrough).not.toBeNull();
    expect(report.liveDays.length).toBeLessThanOrEqual(2);
    await expect
      .poll(async () => figure(await dash.locator('.stat-redeemed .stat-value').innerText()), { timeout: 60_000 })
      .toBe(report.coupons.redeemed);
    for (const stat of ['messages-in', 'replies-bot', 'follows', 'joins', 'active30', 'claimed', 'gifted', 'redeemed', 'sales', 'cost']) {
      expect(figure(await dash.locator(`.stat-${stat} .stat-value`).innerText()), stat).toBeGreaterThan(0);
    }
    expect(report.coupons.claimed).toBeGreaterThan(1_000);
    expect(report.coupons.salesFen).toBeGreaterThan(0);
    expect(await dash.locator('.chart img').count()).toBeGreaterThanOrEqual(6);
    expect(await dash.locator('.tier-mix').innerText()).toMatch(/金卡/);
    await shot(page, 'demo-05-dashboard');
    for (const section of ['members', 'coupons', 'service']) {
      await dash.locator(`.section.${section}`).screenshot({ path: path.join(SHOTS, `demo-05-dashboard-${section}.png`) });
    }
    expect(failures).toEqual([]);
  }, 180_000);

  it('the admin sees the tags and segments of the brand with their counts', async () => {
    const { page, failures } = await phone();
    await signInAs(page, server.url, 'admin');
    await openAdmin(page, 'menu-tags');
    const tagsPage = shown(page, '.tags-page');
    await tagsPage.locator('.tag-item').first().waitFor();
    const tagText = await tagsPage.innerText();
    for (const name of ['南京西路扫码关注', '核销过券', '差评待回访', 'VIP 熟客']) expect(tagText).toContain(name);
    const tags = (await apiAs<{ items: TagView[] }>(page, '/admin/crm/tags')).items;
    for (const name of ['南京西路扫码关注', '高积分 1000+', '核销过券', '差评待回访', '问过营业时间', 'VIP 熟客']) {
      expect(tags.find((t) => t.name === name)?.count, name).toBeGreaterThan(0);
    }
    await shot(page, 'demo-06-tags');

    await openAdmin(page, 'menu-segments');
    const list = shown(page, '.segments-page .segment-list');
    await list.locator('.segment-item').first().waitFor();
    // Each saved segment's count is read after the list: wait until none shows "…".
    await expect.poll(async () => (await list.innerText()).includes('…'), { timeout: 60_000 }).toBe(false);
    const items = list.locator('.segment-item');
    expect(await items.count()).toBe(6);
    const counts = new Map<string, number>();
    for (const item of await items.all()) {
      counts.set(await item.locator('.segment-name').innerText(), figure(await item.locator('.segment-count').innerText()));
    }
    for (const name of ['高价值会员', '近30天活跃', '投诉待回访', '南京西路 · 沉睡会员', '关注未入会']) {
      expect(counts.get(name), name).toBeGreaterThan(0);
    }
    expect([...counts.keys()].some((n) => n.includes('推荐达人'))).toBe(true);
    await shot(page, 'demo-07-segments');
    expect(failures).toEqual([]);
  }, 180_000);

  it('the manager opens Today with the work of the store and follows an item to the customer', async () => {
    const { page, failures } = await phone();
    await signInAs(page, server.url, 'manager');
    await openStaff(page, 'menu-today');
    const today = shown(page, '.today-page');
    await today.locator('.today-group').first().waitFor();
    const waiting = today.locator('.today-group-waiting_human');
    const api = await apiAs<TodayView>(page, `/staff/today`);
    expect(api.counts.waiting_human).toBeGreaterThanOrEqual(4);
    expect(await waiting.locator('.today-count').innerText()).toBe(String(api.counts.waiting_human));
    for (const kind of ['sla_breached', 'waiting_human', 'low_rating']) {
      expect(await today.locator(`.today-group-${kind} .today-item`).count(), kind).toBeGreaterThan(0);
    }
    // Worded in Chinese from the server's facts, with the customer's name.
    expect(await waiting.locator('.today-detail').first().innerText()).toMatch(/^48 小时回复窗口 .+ 关闭$/);
    expect(await today.locator('.today-group-sla_breached .today-detail').first().innerText()).toMatch(
      /^(维修|退货退款|换货|投诉|咨询) · (已提交|处理中) · 期限 .+ 已过$/,
    );
    expect(await today.innerText()).not.toMatch(/window closes|points expire|escalated|in_progress/);
    await shot(page, 'demo-08-today');

    const name = await waiting.locator('.today-name').first().innerText();
    await waiting.locator('.today-item').first().click();
    const view = shown(page, '.customer-page');
    await view.locator('.customer-tags').waitFor();
    expect(await view.innerText()).toContain(name);
    // They followed from the store's QR code, and asked for a person: both on the page.
    await view.locator('.customer-tag', { hasText: '南京西路扫码关注' }).waitFor();
    await view.locator('.timeline-item').first().waitFor();
    expect(await view.innerText()).toMatch(/人工/);
    await shot(page, 'demo-09-customer');
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

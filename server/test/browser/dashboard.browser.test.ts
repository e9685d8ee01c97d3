// The analytics dashboard in the H5 build in Chromium against the real server: an admin opens it,
// changes the range, sees the charts drawn from the data, picks a store and downloads the CSV; a
// manager sees only their own store and is offered no other.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import mongoose from 'mongoose';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRollups } from '../../src/analytics/rollup';
import { generateTimeline, shanghaiDayOf, type SeedEntry } from '../analyticsSeed';
import type { TestApp } from '../helpers';
import { login } from '../session';
import { openAdmin, openStaff, shot, shown, signInAs, SHOTS, startH5Harness, type H5Harness } from './h5';

let h5: H5Harness;
let app: TestApp;
const DAY = 86_400_000;
const stores: Array<{ id: string; name: string }> = [];

beforeAll(async () => {
  h5 = await startH5Harness();
  app = h5.app;
  const admin = await login(app, 'demo-admin');
  const manager = await login(app, 'demo-manager');
  for (const [name, code] of [
    ['静安嘉里店', 'DB-JA'],
    ['徐汇日月光店', 'DB-XH'],
  ]) {
    const res = await app.request('POST', '/api/v1/admin/stores', { token: admin.token, body: { name, code, city: '上海' } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    stores.push({ id: res.body.id, name: name! });
  }
  const grant = await app.request('POST', '/api/v1/admin/staff', {
    token: admin.token,
    body: { customerId: manager.customerId, role: 'manager', storeId: stores[0]!.id },
  });
  expect(grant.status, JSON.stringify(grant.body)).toBe(201);

  // 60 days of a brand's timeline in the two stores, the closed days rolled up, today live.
  const entries: SeedEntry[] = [];
  const campaigns = ['64b000000000000000000001', '64b000000000000000000002'];
  generateTimeline({ customers: 300, days: 60, now: new Date(), stores: stores.map((s) => s.id), campaigns, seed: 23 }, (batch) =>
    entries.push(...batch),
  );
  await mongoose.connection.collection('timeline').insertMany(entries, { ordered: false });
  await runRollups(new Date());
}, 900_000);

afterAll(async () => {
  await h5?.close();
});

/** The SVG behind each chart image of the page (they are data: URLs). */
async function chartSvgs(page: Page): Promise<Record<string, string>> {
  const charts = shown(page, '.dashboard-page').locator('.chart');
  await charts.first().locator('img').waitFor();
  const found: Record<string, string> = {};
  for (const chart of await charts.all()) {
    const name = (await chart.getAttribute('class'))!.split(/\s+/).find((c) => c.startsWith('chart-'))!;
    const src = (await chart.locator('img').getAttribute('src'))!;
    expect(src.startsWith('data:image/svg+xml;base64,')).toBe(true);
    found[name] = Buffer.from(src.slice('data:image/svg+xml;base64,'.length), 'base64').toString('utf8');
  }
  return found;
}

/** The x-axis labels (MM-DD) a line chart's SVG shows. */
const axisDays = (svg: string) => [...svg.matchAll(/text-anchor="(?:start|middle|end)"[^>]*>(\d\d-\d\d)</g)].map((m) => m[1]);
/** How many points the first line of a chart's SVG has. */
const linePoints = (svg: string) => (/<path d="([^"]+)"/.exec(svg)?.[1] ?? '').split(/[ML]/).filter(Boolean).length;

describe('analytics dashboard in Chromium', () => {
  it('an admin opens it, changes the range, sees the charts, picks a store and downloads the CSV', async () => {
    const { page, failures, context } = await h5.newPhone();
    await signInAs(page, app.url, 'admin');
    await openAdmin(page, 'menu-dashboard');
    const dash = shown(page, '.dashboard-page');
    await dash.locator('.section.interactions').waitFor();

    // The default range is the last 30 days: every chart has a line over 30 days.
    const today = shanghaiDayOf(new Date());
    expect(await dash.locator('.range-to').innerText()).toContain(today);
    let svgs = await chartSvgs(page);
    expect(Object.keys(svgs).sort()).toEqual([
      'chart-coupons',
      'chart-follows',
      'chart-members',
      'chart-messages',
      'chart-money',
      'chart-tickets',
    ]);
    for (const svg of Object.values(svgs)) {
      expect(svg).toContain('<path d="M');
      expect(linePoints(svg)).toBe(30);
      expect(axisDays(svg).at(-1)).toBe(today.slice(5));
    }
    const messagesIn30 = Number(await dash.locator('.stat-messages-in .stat-value').innerText());
    expect(messagesIn30).toBeGreaterThan(0);
    await shot(page, 'dashboard-01-admin-30-days');

    // 7 days: the charts are redrawn over 7 days, the figures shrink.
    await dash.locator('.range-last7').click();
    await expect.poll(async () => linePoints((await chartSvgs(page))['chart-messages']!), { timeout: 30_000 }).toBe(7);
    svgs = await chartSvgs(page);
    expect(axisDays(svgs['chart-messages']!)[0]).toBe(shanghaiDayOf(new Date(Date.now() - 6 * DAY)).slice(5));
    const messagesIn7 = Number(await dash.locator('.stat-messages-in .stat-value').innerText());
    expect(messagesIn7).toBeGreaterThan(0);
    expect(messagesIn7).toBeLessThan(messagesIn30);
    // 90 days reaches back before the seeded history: still one point a day.
    await dash.locator('.range-last90').click();
    await expect.poll(async () => linePoints((await chartSvgs(page))['chart-messages']!), { timeout: 30_000 }).toBe(90);
    expect(Number(await dash.locator('.stat-messages-in .stat-value').innerText())).toBeGreaterThan(messagesIn30);
    await shot(page, 'dashboard-02-admin-90-days');
    // The sections below the first screen, each as a picture of its own.
    for (const section of ['members', 'coupons', 'service']) {
      await dash.locator(`.section.${section}`).screenshot({ path: path.join(SHOTS, `dashboard-02-admin-90-days-${section}.png`) });
    }

    // The page's figures are the API's for the same range.
    const from = shanghaiDayOf(new Date(Date.now() - 89 * DAY));
    const admin = await login(app, 'demo-admin');
    const api = await app.request('GET', `/api/v1/analytics/dashboard?from=${from}&to=${today}`, { token: admin.token });
    expect(api.status).toBe(200);
    expect(Number(await dash.locator('.stat-redeemed .stat-value').innerText())).toBe(api.body.coupons.redeemed);

    // One store: brand-wide charts go, the store's figures stay.
    await dash.locator('.store-choice', { hasText: stores[1]!.name }).click();
    await dash.locator('.store-note').waitFor();
    await expect.poll(async () => Object.keys(await chartSvgs(page)).includes('chart-messages')).toBe(false);
    const storeApi = await app.request('GET', `/api/v1/analytics/dashboard?from=${from}&to=${today}&storeId=${stores[1]!.id}`, {
      token: admin.token,
    });
    expect(Number(await dash.locator('.stat-redeemed .stat-value').innerText())).toBe(storeApi.body.coupons.redeemed);

    // The CSV: a real download, for that store and range, with the same totals.
    const [download] = await Promise.all([page.waitForEvent('download'), dash.locator('.download-csv').click()]);
    expect(download.suggestedFilename()).toBe(`loopline-dashboard-${from}-${today}-${stores[1]!.id}.csv`);
    const csv = (await readFile((await download.path())!, 'utf8')).replace(/^\ufeff/, '');
    const serverCsv = await app.request('GET', `/api/v1/analytics/dashboard.csv?from=${from}&to=${today}&storeId=${stores[1]!.id}`, {
      token: admin.token,
    });
    expect(serverCsv.status).toBe(200);
    expect(csv).toBe(serverCsv.text.replace(/^\ufeff/, ''));
    // The figures, then the daily series after a blank line.
    const [figures, daily] = csv.trim().split(/\r\n\r\n/);
    const figureRows = figures!.split('\r\n');
    expect(figureRows[0]).toBe('section,metric,key,value');
    expect(figureRows).toContain(`range,store,,${stores[1]!.id}`);
    expect(figureRows).toContain(`range,from,,${from}`);
    expect(figureRows).toContain(`coupons,redeemed,,${storeApi.body.coupons.redeemed}`);
    expect(figureRows).toContain(`coupons,salesFen,,${storeApi.body.coupons.salesFen}`);
    const [header, ...days] = daily!.split('\r\n').map((l) => l.split(','));
    expect(header!.slice(0, 2)).toEqual(['day', 'messagesIn']);
    expect(days.map((d) => d[0])).toEqual(storeApi.body.series.map((d: { day: string }) => d.day));
    expect(days).toHaveLength(90);
    const redeemedCol = header!.indexOf('redeemed');
    expect(days.reduce((n, d) => n + Number(d[redeemedCol]), 0)).toBe(storeApi.body.coupons.redeemed);
    expect(storeApi.body.coupons.redeemed).toBeGreaterThan(0);
    await dash.locator('.csv-notice').waitFor();
    await shot(page, 'dashboard-03-admin-store');
    expect(failures).toEqual([]);
    await context.close();
  }, 240_000);

  it('a manager sees only their own store and cannot pick another', async () => {
    const { page, failures, context } = await h5.newPhone();
    await signInAs(page, app.url, 'manager');
    await openStaff(page, 'menu-dashboard');
    const dash = shown(page, '.dashboard-page');
    await dash.locator('.store-note').waitFor();
    // No store choice, no brand-wide chart.
    expect(await dash.locator('.store-choice, .store-all').count()).toBe(0);
    const svgs = await chartSvgs(page);
    expect(Object.keys(svgs)).not.toContain('chart-messages');
    expect(Object.keys(svgs)).toContain('chart-coupons');
    // The figures are their store's.
    const manager = await login(app, 'demo-manager');
    const today = shanghaiDayOf(new Date());
    const from = shanghaiDayOf(new Date(Date.now() - 29 * DAY));
    const own = await app.request('GET', `/api/v1/analytics/dashboard?from=${from}&to=${today}&storeId=${stores[0]!.id}`, {
      token: manager.token,
    });
    expect(own.status).toBe(200);
    expect(Number(await dash.locator('.stat-redeemed .stat-value').innerText())).toBe(own.body.coupons.redeemed);
    // Asking for the other store directly is refused.
    const other = await app.request('GET', `/api/v1/analytics/dashboard?from=${from}&to=${today}&storeId=${stores[1]!.id}`, {
      token: manager.token,
    });
    expect(other.status).toBe(403);
    await shot(page, 'dashboard-04-manager');
    expect(failures).toEqual([]);
    await context.close();
  }, 240_000);
});

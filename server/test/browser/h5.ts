// What every browser test starts from: the H5 build (rebuilt when stale) served by the real server,
// Debian's Chromium, and phone-sized pages that collect the errors they throw.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { ensureTaroBuild, repoRoot } from '../../../scripts/taroBuild';
import { startTestApp, type TestApp } from '../helpers';
import { launchChromium, type LaunchedBrowser } from './chromium';
import { isMessageKey, translate, type Language } from '../../../shared/i18n';

/** Screenshots land here, for a person to look at. */
export const SHOTS = path.join(repoRoot, 'test-results');
const PHONE = { width: 390, height: 844 };

export interface Phone {
  context: BrowserContext;
  page: Page;
  /** Page errors (and console errors when asked for) seen so far. */
  failures: string[];
}

export interface H5Harness {
  app: TestApp;
  chromium: LaunchedBrowser;
  /** A phone-sized page; `locale` is the browser's language (the H5 build follows it). */
  newPhone(options?: { consoleErrors?: boolean; locale?: string; deviceScaleFactor?: number }): Promise<Phone>;
  close(): Promise<void>;
}

/** `env` is the server's extra configuration (e.g. the official account's, for tests that push to it). */
export async function startH5Harness(env: Record<string, string> = {}): Promise<H5Harness> {
  await ensureTaroBuild('h5', { quiet: true });
  await mkdir(SHOTS, { recursive: true });
  const app = await startTestApp(env);
  const chromium = await launchChromium();
  return {
    app,
    chromium,
    async newPhone(options = {}) {
      const context = await chromium.browser.newContext({
        viewport: PHONE,
        deviceScaleFactor: options.deviceScaleFactor ?? 2,
        locale: options.locale ?? 'zh-CN',
      });
      const page = await context.newPage();
      const failures: string[] = [];
      page.on('pageerror', (err) => failures.push(`pageerror: ${err.message}`));
      if (options.consoleErrors) {
        page.on('console', (msg) => {
          if (msg.type() === 'error') failures.push(`console: ${msg.text()}`);
        });
      }
      return { context, page, failures };
    },
    async close() {
      await chromium.close();
      await app.close();
    },
  };
}

// ---- Finding one's way as a person does: the tab bar, then 我的 → the workbench or the admin. ----

export const TAB_ORDER = ['member', 'coupons', 'aftersale', 'me'] as const;
export type Tab = (typeof TAB_ORDER)[number];
const TAB_PAGE: Record<Tab, string> = {
  member: '.home-page',
  coupons: '.coupon-center-page',
  aftersale: '.tickets-page',
  me: '.me-page',
};

/** The page the person sees now (Taro H5 keeps earlier pages in the DOM, hidden). */
export function shown(page: Page, selector: string) {
  return page.locator(`${selector}:visible`).first();
}

/** Taps a tab of the tab bar and waits for its page. */
export async function openTab(page: Page, tab: Tab): Promise<void> {
  await page.locator('.taro-tabbar__tabbar .weui-tabbar__item').nth(TAB_ORDER.indexOf(tab)).click();
  await shown(page, TAB_PAGE[tab]).waitFor();
}

/** Goes back until a tab page (with the tab bar) shows. */
export async function backToTabs(page: Page): Promise<void> {
  for (let i = 0; i < 6 && !(await page.locator('.taro-tabbar__tabbar').isVisible()); i += 1) {
    await page.goBack();
    await page.waitForTimeout(300);
  }
}

/** 我的 → 门店工作台 → one of its entries (menu class, e.g. 'menu-redeem'). */
export async function openStaff(page: Page, entry: string): Promise<void> {
  await backToTabs(page);
  await openTab(page, 'me');
  await shown(page, '.me-page .menu-staff-home').click();
  await shown(page, `.staff-home-page .${entry}`).click();
}

/** 我的 → 品牌管理后台 → one of its entries (menu class, e.g. 'menu-stores'). */
export async function openAdmin(page: Page, entry: string): Promise<void> {
  await backToTabs(page);
  await openTab(page, 'me');
  await shown(page, '.me-page .menu-admin-home').click();
  await shown(page, `.admin-home-page .${entry}`).click();
}

/** What a page shows for an error code of the contract: the dictionary's words (Chinese unless told). */
export function errorWords(code: string, language: Language = 'zh'): string {
  const key = `error.${code}`;
  return translate(language, isMessageKey(key) ? key : 'error.generic');
}

/** Signs in with the demo picker and waits for the 会员 tab. */
export async function signInAs(page: Page, baseUrl: string, who: 'customer' | 'clerk' | 'manager' | 'admin'): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.locator(`.demo-login-${who}`).click();
  await shown(page, '.home-page').waitFor();
  await page.locator('.home-page .member-card, .home-page .join-invite').first().waitFor();
}

/** A full-page screenshot in SHOTS, once the page transition has settled. */
export async function shot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

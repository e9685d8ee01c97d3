// What every browser test starts from: the H5 build (rebuilt when stale) served by the real server,
// Debian's Chromium, and phone-sized pages that collect the errors they throw.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { ensureTaroBuild, repoRoot } from '../../../scripts/taroBuild';
import { startTestApp, type TestApp } from '../helpers';
import { launchChromium, type LaunchedBrowser } from './chromium';

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
  newPhone(options?: { consoleErrors?: boolean }): Promise<Phone>;
  close(): Promise<void>;
}

export async function startH5Harness(): Promise<H5Harness> {
  await ensureTaroBuild('h5', { quiet: true });
  await mkdir(SHOTS, { recursive: true });
  const app = await startTestApp();
  const chromium = await launchChromium();
  return {
    app,
    chromium,
    async newPhone(options = {}) {
      const context = await chromium.browser.newContext({ viewport: PHONE, deviceScaleFactor: 2, locale: 'zh-CN' });
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

/** A full-page screenshot in SHOTS, once the page transition has settled. */
export async function shot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** Signs in through the sign-in page's demo picker (`customer`, `clerk`, `manager`, `admin`) and waits for home. */
export async function signInAs(page: Page, appUrl: string, who: string): Promise<void> {
  await page.goto(`${appUrl}/`);
  await page.locator(`.demo-login-${who}`).click();
  await page.locator('.home-page .sign-out').waitFor();
}

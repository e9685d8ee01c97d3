// The visual check: a screenshot of the shown page at phone size, compared pixel by pixel with the
// committed baseline in server/test/browser/screens/. What changes from run to run (QR and barcodes,
// codes, times) carries the `mask` class and is painted over; toasts are hidden. Baselines are made
// on the machine kind CI runs on (Debian's Chromium, fonts-wqy-zenhei) and updated on purpose with
//   npm run test:screens:update
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pixelmatch from 'pixelmatch';
import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { SHOTS } from './h5';

export const BASELINES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screens');
export const UPDATING = process.env.UPDATE_SCREENSHOTS === '1';
/** Share of pixels allowed to differ (anti-aliasing noise); a real change is far above it. */
const TOLERANCE = 0.002;

/** Screenshots the viewport; returns a problem description, or undefined when it matches the baseline. */
export async function checkScreen(page: Page, name: string): Promise<string | undefined> {
  await page.waitForTimeout(500); // the page transition
  const shot = await page.screenshot({
    animations: 'disabled',
    caret: 'hide',
    mask: [page.locator('.mask:visible')],
    maskColor: '#d9dde3',
    style: '.taro__toast, .taro__modal { display: none !important; }',
  });
  mkdirSync(path.join(SHOTS, 'screens'), { recursive: true });
  writeFileSync(path.join(SHOTS, 'screens', `${name}.png`), shot);
  const baselinePath = path.join(BASELINES, `${name}.png`);
  if (UPDATING) {
    mkdirSync(BASELINES, { recursive: true });
    writeFileSync(baselinePath, shot);
    return undefined;
  }
  if (!existsSync(baselinePath)) return `${name}: no baseline (run npm run test:screens:update and look at it)`;
  const expected = PNG.sync.read(readFileSync(baselinePath));
  const actual = PNG.sync.read(shot);
  if (expected.width !== actual.width || expected.height !== actual.height) {
    return `${name}: size ${actual.width}×${actual.height}, baseline ${expected.width}×${expected.height}`;
  }
  const diff = new PNG({ width: actual.width, height: actual.height });
  const changed = pixelmatch(expected.data, actual.data, diff.data, actual.width, actual.height, { threshold: 0.1 });
  const share = changed / (actual.width * actual.height);
  if (share <= TOLERANCE) return undefined;
  writeFileSync(path.join(SHOTS, 'screens', `${name}.diff.png`), PNG.sync.write(diff));
  return `${name}: ${(share * 100).toFixed(2)}% of pixels differ (see test-results/screens/${name}.diff.png)`;
}

// Draws the tab bar's icons (miniprogram/assets/tab/*.png, 81 × 81 as WeChat asks) from the SVG
// shapes below with Debian's Chromium. Run after changing a shape: npx tsx scripts/tabIcons.ts
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { launchChromium } from '../server/test/browser/chromium';
import { repoRoot } from './taroBuild';

const SHAPES: Record<string, string> = {
  // A member card with a chip line.
  member: '<rect x="10" y="20" width="61" height="42" rx="7" /><path d="M10 34 H71" /><path d="M20 50 H38" />',
  // A coupon with notches and a dashed tear line.
  coupons: '<path d="M12 24 H69 V36 A6 6 0 0 0 69 48 V60 H12 V48 A6 6 0 0 0 12 36 Z" /><path d="M46 28 V56" stroke-dasharray="4 4" />',
  // A speech bubble with a check: after-sale service.
  aftersale: '<path d="M14 18 H67 V52 H36 L24 63 V52 H14 Z" /><path d="M29 35 L37 43 L52 28" />',
  // A person.
  me: '<circle cx="40.5" cy="29" r="12" /><path d="M17 66 C19 51 29 46 40.5 46 C52 46 62 51 64 66" />',
};
const COLOURS = { '': '#6b7280', '-on': '#0f766e' };

const chromium = await launchChromium();
try {
  const page = await chromium.browser.newPage({ viewport: { width: 81, height: 81 }, deviceScaleFactor: 1 });
  const dir = path.join(repoRoot, 'miniprogram/assets/tab');
  await mkdir(dir, { recursive: true });
  for (const [name, shape] of Object.entries(SHAPES)) {
    for (const [suffix, colour] of Object.entries(COLOURS)) {
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="81" height="81" viewBox="0 0 81 81" fill="none" stroke="${colour}" stroke-width="5" stroke-linecap="round" stroke-linejoin="round">${shape}</svg>`;
      await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
      await page.screenshot({ path: path.join(dir, `${name}${suffix}.png`), omitBackground: true });
    }
  }
  console.log(`tab icons written to ${path.relative(repoRoot, dir)}`);
} finally {
  await chromium.close();
}

// The weapp build: every page of app.config.ts (and no other) is in app.json, the tab bar's pages are
// in the main package, and the main package stays under the
// platform's 2 MB limit with room to spare (≤ 1 MB). Prints the measured sizes.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { buildDir, ensureTaroBuild } from '../scripts/taroBuild';
import { TABS } from './i18n/tabs';

const weapp = buildDir('weapp');

interface AppJson {
  pages: string[];
  subPackages?: Array<{ root: string; pages: string[] }>;
  subpackages?: Array<{ root: string; pages: string[] }>;
}

function sizeOf(dir: string, skip: (relative: string) => boolean, base = dir): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const relative = path.relative(base, full).split(path.sep).join('/');
    if (skip(relative)) continue;
    total += entry.isDirectory() ? sizeOf(full, skip, base) : statSync(full).size;
  }
  return total;
}

/** The pages app.config.ts declares, sub-packages included: the one list the build must follow. */
async function configuredPages(): Promise<string[]> {
  (globalThis as { defineAppConfig?: (config: unknown) => unknown }).defineAppConfig = (config) => config;
  const { default: config } = (await import('./app.config')) as { default: AppJson };
  return [...config.pages, ...(config.subPackages ?? []).flatMap((sp) => sp.pages.map((p) => `${sp.root}/${p}`))];
}

beforeAll(async () => {
  await ensureTaroBuild('weapp', { quiet: true });
}, 600_000);

it('lists every page of app.config.ts and keeps the main package at most 1 MB', async () => {
  const appJson = JSON.parse(readFileSync(path.join(weapp, 'app.json'), 'utf8')) as AppJson;
  const subPackages = appJson.subPackages ?? appJson.subpackages ?? [];
  const listed = [...appJson.pages, ...subPackages.flatMap((sp) => sp.pages.map((p) => `${sp.root}/${p}`))];

  const expected = await configuredPages();
  expect(listed.sort()).toEqual([...expected].sort());
  expect(appJson.pages[0]).toBe('pages/member/home/index');
  // Customers never download staff or admin pages: those live only in sub-packages.
  expect(appJson.pages.filter((p) => p.startsWith('pages/staff/') || p.startsWith('pages/admin/'))).toEqual([]);
  // The tab bar's pages are in the main package, with their icons in the build.
  const tabBar = (appJson as AppJson & { tabBar: { list: Array<{ pagePath: string; iconPath: string; selectedIconPath: string }> } })
    .tabBar;
  expect(tabBar.list.map((tab) => tab.pagePath)).toEqual(TABS.map((tab) => tab.page));
  for (const tab of tabBar.list) {
    expect(appJson.pages).toContain(tab.pagePath);
    expect(statSync(path.join(weapp, tab.iconPath)).isFile(), tab.iconPath).toBe(true);
    expect(statSync(path.join(weapp, tab.selectedIconPath)).isFile(), tab.selectedIconPath).toBe(true);
  }
  for (const page of listed) {
    for (const ext of ['js', 'json', 'wxml']) {
      expect(statSync(path.join(weapp, `${page}.${ext}`)).isFile(), `${page}.${ext}`).toBe(true);
    }
  }

  const roots = subPackages.map((sp) => sp.root.replace(/\/$/, ''));
  const inSubPackage = (relative: string) => roots.some((root) => relative === root || relative.startsWith(`${root}/`));
  const isSourceMap = (relative: string) => relative.endsWith('.map');
  const main = sizeOf(weapp, (r) => inSubPackage(r) || isSourceMap(r));
  const all = sizeOf(weapp, isSourceMap);
  console.log(`weapp main package: ${(main / 1024).toFixed(1)} KiB; with sub-packages: ${(all / 1024).toFixed(1)} KiB`);
  expect(main).toBeLessThanOrEqual(1024 * 1024);
});

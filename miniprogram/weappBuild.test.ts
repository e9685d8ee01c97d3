// The weapp build: every page of app.config.ts is in app.json, and the main package stays under the
// platform's 2 MB limit with room to spare (≤ 1 MB). Prints the measured sizes.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { buildDir, ensureTaroBuild } from '../scripts/taroBuild';

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

beforeAll(async () => {
  await ensureTaroBuild('weapp', { quiet: true });
}, 600_000);

it('lists every page and keeps the main package at most 1 MB', () => {
  const appJson = JSON.parse(readFileSync(path.join(weapp, 'app.json'), 'utf8')) as AppJson;
  const subPackages = appJson.subPackages ?? appJson.subpackages ?? [];
  const listed = [...appJson.pages, ...subPackages.flatMap((sp) => sp.pages.map((p) => `${sp.root}/${p}`))];

  const expected = [
    'pages/member/home/index',
    'pages/auth/sign-in/index',
    'pages/member/join/index',
    'pages/member/points/index',
    'pages/member/code/index',
    'pages/profile/edit/index',
    'pages/profile/privacy/index',
    'pages/staff/identify/index',
    'pages/admin/stores/index',
    'pages/admin/staff/index',
    'pages/aftersale/list/index',
    'pages/aftersale/new/index',
    'pages/aftersale/detail/index',
    'pages/staff/tickets/index',
    'pages/staff/ticket/index',
    'pages/coupons/center/index',
    'pages/coupons/mine/index',
    'pages/coupons/detail/index',
    'pages/coupons/accept/index',
    'pages/staff/redeem/index',
    'pages/admin/campaigns/index',
    'pages/admin/funnel/index',
    'pages/admin/keyword-rules/index',
    'pages/member/exchange/index',
    'pages/admin/oa-menu/index',
  ];
  expect(listed.sort()).toEqual([...expected].sort());
  expect(appJson.pages[0]).toBe('pages/member/home/index');
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

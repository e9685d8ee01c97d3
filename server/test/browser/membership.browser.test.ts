// Membership pages of the H5 build in Chromium against the real server: a member exchanges points for
// a coupon and sees the balance fall; an admin edits the official account's menu, sees the platform
// refuse an over-long name with its errcode, fixes it and publishes it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers';
import { errorWords, openAdmin, shot, shown, signInAs as signInOn, startH5Harness, type H5Harness } from './h5';

let h5: H5Harness;
let app: TestApp;

beforeAll(async () => {
  h5 = await startH5Harness();
  app = h5.app;
}, 600_000);

afterAll(async () => {
  await h5?.close();
});

const signInAs = (page: Parameters<typeof signInOn>[0], who: 'customer' | 'admin') => signInOn(page, app.url, who);

async function apiLogin(openid: string): Promise<{ token: string; customerId: string }> {
  const login = await app.request('POST', '/api/v1/auth/login', { body: { code: `test:${openid}` } });
  expect(login.status).toBe(200);
  return { token: login.body.token as string, customerId: login.body.customer.id as string };
}

describe('membership pages in Chromium', () => {
  it('a member exchanges points for a coupon and sees the balance fall', async () => {
    const admin = await apiLogin('demo-admin');
    const member = await apiLogin('demo-customer');
    expect(
      (await app.request('POST', '/api/v1/members/join', { token: member.token, body: { acceptTerms: true, termsVersion: '2026-01' } }))
        .status,
    ).toBe(201);
    const seeded = await app.request('POST', '/api/v1/staff/points/adjust', {
      token: admin.token,
      body: { customerId: member.customerId, points: 500, reason: '开业赠送', refKey: 'browser-seed' },
    });
    expect(seeded.status, JSON.stringify(seeded.body)).toBe(201);
    const campaign = await app.request('POST', '/api/v1/admin/campaigns', {
      token: admin.token,
      body: {
        name: '积分换 10 元券',
        type: 'cash',
        valueFen: 1000,
        stock: 20,
        perUserLimit: 5,
        validity: { kind: 'days', days: 30 },
        channels: ['points'],
        pointsPrice: 200,
      },
    });
    expect(campaign.status, JSON.stringify(campaign.body)).toBe(201);

    const { page, failures } = await h5.newPhone();
    await signInAs(page, 'customer');
    await page.locator('.home-page .tier-benefits .benefit-item').first().waitFor();
    await shown(page, '.home-page .menu-exchange').click();
    const balance = page.locator('.exchange-page .exchange-balance-value');
    await balance.waitFor();
    expect(await balance.innerText()).toBe('500');
    const offer = page.locator('.exchange-item', { hasText: '积分换 10 元券' });
    expect(await offer.innerText()).toContain('200 积分');
    await shot(page, 'membership-01-exchange');

    await offer.locator('.exchange-button').click();
    await page.locator('.taro-modal__foot .taro-model__confirm').click(); // Taro H5 spells it "model"
    await offer.locator('.exchanged-link').waitFor();
    await page.waitForFunction(() => document.querySelector('.exchange-page .exchange-balance-value')?.textContent === '300');
    await shot(page, 'membership-02-exchanged');

    const coupons = await app.request('GET', '/api/v1/coupons', { token: member.token });
    expect(coupons.body.items.filter((c: { channel: string }) => c.channel === 'points')).toHaveLength(1);
    expect((await app.request('GET', '/api/v1/me/points', { token: member.token })).body.balance).toBe(300);
    expect(failures).toEqual([]);
  }, 120_000);

  it('an admin edits the menu, sees the platform refuse a long name, and publishes it', async () => {
    const { page, failures } = await h5.newPhone();
    await signInAs(page, 'admin');
    await openAdmin(page, 'menu-oa-menu');
    await page.locator('.oa-menu-page .menu-entry').first().waitFor();

    // The first entry: a CLICK with a name too long for the top level (18 bytes).
    const first = page.locator('.menu-entry').nth(0);
    await first.locator('.entry-name input').fill('会员专享活动');
    await first.locator('.entry-key input').fill('MEMBER_CENTER');
    expect(await first.locator('.name-problem').innerText()).toContain('16 字节');
    await page.locator('.add-entry').click();
    const second = page.locator('.menu-entry').nth(1);
    await second.locator('.make-group').click();
    await second.locator('.entry-name').first().locator('input').fill('服务');
    await second.locator('.add-sub').click();
    const sub = second.locator('.menu-sub').nth(1);
    await sub.locator('.type-view').click();
    await sub.locator('.entry-name input').fill('品牌故事');
    await sub.locator('.entry-url input').fill('https://example.com/story');
    await second.locator('.menu-sub').nth(0).locator('.entry-key input').fill('AFTER_SALE');

    await page.locator('.publish-menu').click();
    await page.locator('.menu-error').waitFor();
    expect(await page.locator('.menu-error').innerText()).toBe(errorWords('WECHAT_REJECTED'));
    await page.locator('.publish-status.publish-failed').waitFor();
    expect(await page.locator('.publish-status').innerText()).toContain('40018');
    await shot(page, 'membership-03-menu-refused');

    await first.locator('.entry-name input').fill('会员中心');
    await page.locator('.publish-menu').click();
    await page.locator('.publish-status.publish-ok').waitFor();
    expect(await page.locator('.menu-preview').innerText()).toContain('会员中心');
    await shot(page, 'membership-04-menu-published');

    const admin = await apiLogin('demo-admin');
    const live = await app.request('GET', '/api/v1/admin/oa-menu/live', { token: admin.token });
    expect(live.body.menu.button.map((b: { name: string }) => b.name)).toEqual(['会员中心', '服务']);
    expect(live.body.menu.button[1].sub_button.map((b: { name: string }) => b.name)).toContain('品牌故事');
    expect(failures).toEqual([]);
  }, 120_000);
});

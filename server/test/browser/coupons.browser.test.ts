// The coupon pages of the H5 build in Chromium against the real server: an admin creates a store, a
// clerk and a campaign; a customer claims a coupon (a double tap claims once) and shows its QR; the
// clerk checks and redeems it by code; a second redemption is refused with the server's message; the
// funnel page shows 1 claimed and 1 redeemed.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers';
import { errorWords, openAdmin, openStaff, openTab, SHOTS, shown, signInAs as signIn, startH5Harness, type H5Harness } from './h5';

let h5: H5Harness;
let app: TestApp;

beforeAll(async () => {
  h5 = await startH5Harness();
  app = h5.app;
}, 600_000);

afterAll(async () => {
  await h5?.close();
});

const newPhone = () => h5.newPhone();

async function shot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(400); // let the page transition finish
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

const signInAs = (page: Page, who: 'customer' | 'clerk' | 'manager' | 'admin') => signIn(page, app.url, who);

/** Whether 我的 offers the store workbench or the admin. */
async function workEntries(page: Page): Promise<{ staff: number; admin: number }> {
  await openTab(page, 'me');
  await shown(page, '.me-page .sign-out').waitFor();
  return { staff: await page.locator('.menu-staff-home:visible').count(), admin: await page.locator('.menu-admin-home:visible').count() };
}

async function apiToken(openid: string): Promise<string> {
  const login = await app.request('POST', '/api/v1/auth/login', { body: { code: `test:${openid}` } });
  expect(login.status).toBe(200);
  return login.body.token as string;
}

describe('coupon pages in Chromium', () => {
  it('admin sets up, customer claims and shows the QR, clerk redeems once, the funnel counts it', async () => {
    // The clerk-to-be signs in once so the admin can grant them a role; no coupon staff pages yet.
    const clerk = await newPhone();
    await signInAs(clerk.page, 'clerk');
    expect(await workEntries(clerk.page)).toEqual({ staff: 0, admin: 0 });

    // Admin: a store, its clerk, a campaign.
    const admin = await newPhone();
    await signInAs(admin.page, 'admin');
    await openAdmin(admin.page, 'menu-stores');
    await admin.page.locator('.field-store-name input').fill('徐汇港汇店');
    await admin.page.locator('.field-store-code input').fill('SH-002');
    await admin.page.locator('.field-store-city input').fill('上海');
    await admin.page.locator('.store-create').click();
    await admin.page.locator('.store-row .store-name', { hasText: '徐汇港汇店' }).waitFor();
    await openAdmin(admin.page, 'menu-staff');
    await admin.page.locator('.staff-page .staff-store').waitFor();
    await admin.page.locator('.field-staff-openid input').fill('demo-clerk');
    await admin.page.locator('.staff-grant').click();
    await admin.page.locator('.staff-granted').waitFor();

    await openAdmin(admin.page, 'menu-campaigns');
    await admin.page.locator('.campaigns-page .campaign-form').waitFor();
    await admin.page.locator('.field-campaign-name input').fill('新客立减 20 元');
    await admin.page.locator('.field-campaign-value input').fill('20');
    await admin.page.locator('.field-campaign-threshold input').fill('100');
    await admin.page.locator('.field-campaign-stock input').fill('50');
    await admin.page.locator('.field-campaign-limit input').fill('2');
    await admin.page.locator('.campaign-create').click();
    const row = admin.page.locator('.campaign-row', { hasText: '新客立减 20 元' });
    await row.waitFor();
    expect(await row.locator('.campaign-status').innerText()).toBe('进行中');
    expect(await row.locator('.campaign-stock').innerText()).toContain('已发 0 / 库存 50');
    await shot(admin.page, 'coupons-01-admin-campaigns');

    // Customer: the coupon centre; two quick taps on claim make one coupon.
    const customer = await newPhone();
    await signInAs(customer.page, 'customer');
    expect(await workEntries(customer.page)).toEqual({ staff: 0, admin: 0 });
    await openTab(customer.page, 'coupons');
    const offer = customer.page.locator('.campaign-item', { hasText: '新客立减 20 元' });
    await offer.waitFor();
    await shot(customer.page, 'coupons-02-centre');
    await offer.locator('.claim-button').dblclick();
    await offer.locator('.claimed-link').waitFor();
    const customerToken = await apiToken('demo-customer');
    const held = await app.request('GET', '/api/v1/coupons', { token: customerToken });
    expect(held.body.items).toHaveLength(1);
    await shot(customer.page, 'coupons-03-claimed');

    // My coupons: in the available tab; then its detail with the dynamic QR and the code.
    await customer.page.locator('.to-my-coupons').click();
    await customer.page.locator('.my-coupons-page .my-coupon-available').waitFor();
    expect(await customer.page.locator('.tab-available').innerText()).toContain('1');
    await shot(customer.page, 'coupons-04-my-coupons');
    await customer.page.locator('.my-coupon-available').click();
    await customer.page.locator('.coupon-detail-page .coupon-qr img').waitFor();
    const qr = customer.page.locator('.coupon-qr img');
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,.+/);
    const qrWidth = await qr.evaluate(async (img: HTMLImageElement) =>
      img.decode().then(
        () => img.naturalWidth,
        () => 0,
      ),
    );
    expect(qrWidth).toBeGreaterThan(0);
    const code = await customer.page.locator('.coupon-code').innerText();
    expect(code).toBe(held.body.items[0].code);
    expect(code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    await shot(customer.page, 'coupons-05-coupon-qr');

    // Clerk: the staff menu now links to redemption; check the code, then redeem with an order amount.
    await clerk.page.reload();
    await openStaff(clerk.page, 'menu-redeem');
    await clerk.page.locator('.redeem-page .field-coupon-code input').waitFor();
    await clerk.page.locator('.field-coupon-code input').fill(code);
    await clerk.page.locator('.field-order-amount input').fill('50');
    await clerk.page.locator('.redeem-check').click();
    // Below the ¥100 threshold: the preview says why it cannot be used.
    await clerk.page.locator('.redeem-preview .preview-reason').waitFor();
    await shot(clerk.page, 'coupons-06-clerk-preview-refused');
    await clerk.page.locator('.field-order-amount input').fill('128.50');
    await clerk.page.locator('.redeem-check').click();
    await clerk.page.locator('.redeem-preview .preview-ok').waitFor();
    expect(await clerk.page.locator('.preview-discount').innerText()).toContain('¥20');
    await shot(clerk.page, 'coupons-07-clerk-preview');

    // A second till (the same clerk in another tab) checks the same code before either redeems.
    const secondTill = await clerk.context.newPage();
    secondTill.on('pageerror', (err) => clerk.failures.push(`pageerror: ${err.message}`));
    await secondTill.goto(`${app.url}/#/pages/staff/redeem/index`);
    await secondTill.locator('.redeem-page .field-coupon-code input').fill(code);
    await secondTill.locator('.redeem-check').click();
    await secondTill.locator('.redeem-preview .preview-ok').waitFor();

    await clerk.page.locator('.redeem-submit').click();
    await clerk.page.locator('.redeem-done').waitFor();
    await clerk.page.locator('.today-row').first().waitFor();
    expect(await clerk.page.locator('.today-row').count()).toBe(1);
    await shot(clerk.page, 'coupons-08-clerk-redeemed');

    // The second redemption is refused in the dictionary's words for the server's code; nothing more is redeemed.
    const clerkToken = await apiToken('demo-clerk');
    const again = await app.request('POST', '/api/v1/staff/redemptions', { token: clerkToken, body: { code } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_REDEEMED');
    await secondTill.locator('.redeem-submit').click();
    await secondTill.locator('.redeem-error').waitFor();
    expect(await secondTill.locator('.redeem-error').innerText()).toBe(errorWords(again.body.error.code));
    expect(await secondTill.locator('.redeem-done').count()).toBe(0);
    // The stale "usable" check is replaced by the coupon as it now is, with the reason.
    await secondTill.locator('.redeem-preview .preview-reason').waitFor();
    expect(await secondTill.locator('.redeem-submit').count()).toBe(0);
    await shot(secondTill, 'coupons-09-second-redemption-refused');
    expect(await secondTill.locator('.preview-reason').innerText()).toContain(errorWords(again.body.error.code));
    const today = await app.request('GET', '/api/v1/staff/redemptions/today', { token: clerkToken });
    expect(today.body.items).toHaveLength(1);
    await secondTill.close();

    // The customer's wallet moves it to used.
    await customer.page.goBack();
    await customer.page.locator('.my-coupons-page').waitFor();
    await customer.page.reload();
    await customer.page.locator('.tab-used').click();
    await customer.page.locator('.my-coupon-redeemed').waitFor();
    await shot(customer.page, 'coupons-10-my-coupons-used');

    // Admin: the funnel shows what happened.
    await openAdmin(admin.page, 'menu-funnel');
    await admin.page.locator('.funnel-page .funnel-totals').waitFor();
    expect(await admin.page.locator('.stat-claimed .stat-value').innerText()).toBe('1');
    expect(await admin.page.locator('.stat-redeemed .stat-value').innerText()).toBe('1');
    expect(await admin.page.locator('.by-store .bar-label').first().innerText()).toContain('徐汇港汇店');
    expect(await admin.page.locator('.by-channel .bar-note').first().innerText()).toContain('100%');
    await shot(admin.page, 'coupons-11-funnel');

    // Admin: keyword replies of the official account: add one, disable it, delete it.
    await openAdmin(admin.page, 'menu-keyword-rules');
    await admin.page.locator('.keyword-rules-page .keyword-form').waitFor();
    await admin.page.locator('.field-rule-name input').fill('营业时间');
    await admin.page.locator('.match-exact').click();
    await admin.page.locator('.field-rule-pattern input').fill('几点开门');
    await admin.page.locator('.field-rule-reply textarea').fill('每天 10:00–22:00 营业');
    await admin.page.locator('.rule-create').click();
    const rule = admin.page.locator('.rule-row', { hasText: '营业时间' });
    await rule.waitFor();
    expect(await rule.locator('.rule-status').innerText()).toBe('启用');
    await rule.locator('.rule-toggle').click();
    await rule.locator('.rule-status', { hasText: '停用' }).waitFor();
    const adminToken = await apiToken('demo-admin');
    const stored = await app.request('GET', '/api/v1/admin/keyword-rules', { token: adminToken });
    expect(stored.body.items.find((r: { name: string }) => r.name === '营业时间')?.enabled).toBe(false);
    await shot(admin.page, 'coupons-12-keyword-rules');
    await rule.locator('.rule-delete').click();
    await admin.page.locator('.taro-modal__foot .taro-model__confirm').click(); // Taro H5 spells it "model"
    await rule.waitFor({ state: 'detached' });
    const after = await app.request('GET', '/api/v1/admin/keyword-rules', { token: adminToken });
    expect(after.body.items.some((r: { name: string }) => r.name === '营业时间')).toBe(false);

    for (const who of [customer, clerk, admin]) {
      expect(who.failures).toEqual([]);
      await who.context.close();
    }
  }, 180_000);
  it('a customer gives a coupon by link (H5) and a friend accepts it from that link', async () => {
    const adminToken = await apiToken('demo-admin');
    const created = await app.request('POST', '/api/v1/admin/campaigns', {
      token: adminToken,
      body: { name: '生日礼 帆布袋', type: 'gift', giftName: '帆布袋', stock: 10, perUserLimit: 1, validity: { kind: 'days', days: 7 } },
    });
    expect(created.status).toBe(201);

    const giver = await newPhone();
    await signInAs(giver.page, 'customer');
    await giver.page.goto(`${app.url}/#/pages/coupons/center/index`);
    const offer = giver.page.locator('.campaign-item', { hasText: '生日礼 帆布袋' });
    await offer.locator('.claim-button').click();
    await offer.locator('.claimed-link').click();
    await giver.page.locator('.coupon-detail-page .coupon-qr img').waitFor();
    await giver.page.locator('.gift-start').click();
    await giver.page.locator('.gift-box .gift-link').waitFor();
    expect(await giver.page.locator('.coupon-state').innerText()).toBe('赠送中');
    expect(await giver.page.locator('.coupon-qr').count()).toBe(0); // a coupon on its way can't be shown at the till
    const link = await giver.page.locator('.gift-link').innerText();
    expect(link).toMatch(new RegExp(`^${app.url}/#/pages/coupons/accept/index\\?token=.+`));
    await shot(giver.page, 'coupons-13-gift-link');

    const friend = await newPhone();
    await signInAs(friend.page, 'manager');
    await friend.page.goto(link);
    await friend.page.locator('.accept-gift-page .gift-accept').click();
    await friend.page.locator('.accepted-coupon').waitFor();
    expect(await friend.page.locator('.accepted-coupon .ticket-name').innerText()).toBe('生日礼 帆布袋');
    await shot(friend.page, 'coupons-14-gift-accepted');

    // The coupon changed hands: the friend holds it, the giver no longer does.
    const friendHeld = await app.request('GET', '/api/v1/coupons', { token: await apiToken('demo-manager') });
    expect(friendHeld.body.items.map((c: { name: string }) => c.name)).toEqual(['生日礼 帆布袋']);
    const giverHeld = await app.request('GET', '/api/v1/coupons', { token: await apiToken('demo-customer') });
    expect(giverHeld.body.items.some((c: { name: string }) => c.name === '生日礼 帆布袋')).toBe(false);

    // The link is spent: a third person opening it is refused with the server's message.
    const third = await newPhone();
    await signInAs(third.page, 'clerk');
    await third.page.goto(link);
    await third.page.locator('.accept-gift-page .gift-accept').click();
    await third.page.locator('.accept-error').waitFor();
    const token = new URL(link.replace('#/pages/coupons/accept/index', 'x')).searchParams.get('token')!;
    const late = await app.request('POST', '/api/v1/gifts/accept', { token: await apiToken('demo-clerk'), body: { token } });
    expect(late.status).toBe(409);
    expect(await third.page.locator('.accept-error').innerText()).toBe(errorWords(late.body.error.code));
    await shot(third.page, 'coupons-15-gift-taken');
    await third.context.close();

    for (const who of [giver, friend]) {
      expect(who.failures).toEqual([]);
      await who.context.close();
    }
  }, 120_000);
});

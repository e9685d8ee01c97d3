// Every page in both languages, as a person finds them through the tab bar: the customer (join, card,
// member code, points, coupons, after-sale, 我的), the clerk (workbench, identify, redeem, inbox) and
// the admin (stores, staff, campaigns, funnel, keyword replies). On each page the words shown must be
// the language's dictionary entries (no mixed-language label), and a screenshot at 390 × 844 must
// match its committed baseline (server/test/browser/screens/, updated on purpose with
// `npm run test:screens:update`). Chinese is chosen by default; English follows the browser's language.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Language } from '../../../shared/i18n';
import type { TestApp } from '../helpers';
import { login } from '../session';
import { untranslated } from './dictionary';
import { backToTabs, openAdmin, openStaff, openTab, shown, signInAs, startH5Harness, type H5Harness, type Phone } from './h5';
import { checkScreen, UPDATING } from './visual';

let h5: H5Harness;
let app: TestApp;

beforeAll(async () => {
  h5 = await startH5Harness();
  app = h5.app;
}, 600_000);

afterAll(async () => {
  await h5?.close();
});

/** Each language's own people and data, so both runs start from the same state. */
const CAST: Record<Language, { locale: string; store: string; storeCode: string; city: string; campaign: string; problem: string }> = {
  zh: {
    locale: 'zh-CN',
    store: '静安嘉里店',
    storeCode: 'SH-ZH1',
    city: '上海',
    campaign: '新客立减 20 元',
    problem: '袖口开线了，想申请维修。',
  },
  en: {
    locale: 'en-US',
    store: 'Kerry Centre',
    storeCode: 'SH-EN1',
    city: 'Shanghai',
    campaign: '¥20 off for new customers',
    problem: 'The cuff seam came apart; please repair it.',
  },
};

async function signInWithOpenid(page: Page, openid: string): Promise<void> {
  await page.goto(`${app.url}/`);
  await page.locator('.field-openid input').fill(openid);
  await page.locator('.custom-login').click();
  await shown(page, '.home-page').waitFor();
  await page.locator('.home-page .member-card, .home-page .join-invite').first().waitFor();
}

for (const language of ['zh', 'en'] as const) {
  describe(`every page in ${language === 'zh' ? 'Chinese' : 'English'}`, () => {
    const cast = CAST[language];
    const problems: string[] = [];
    const phones: Phone[] = [];

    /** The dictionary check and the visual check of the page shown now. */
    async function look(page: Page, name: string): Promise<void> {
      await page.waitForLoadState('networkidle').catch(() => undefined);
      for (const text of await untranslated(page, language)) problems.push(`${name}: ${text}`);
      const visual = await checkScreen(page, `${language}-${name}`);
      if (visual) problems.push(visual);
    }

    async function phone(): Promise<Phone> {
      const made = await h5.newPhone({ locale: cast.locale, deviceScaleFactor: 1 });
      phones.push(made);
      return made;
    }

    it('walks the customer, clerk and admin journeys through the tab bar, in one language on every page', async () => {
      // The store, its clerk and a campaign, made through the API (the admin pages are walked below).
      const admin = await login(app, 'demo-admin');
      const clerkId = await login(app, `clerk-${language}`);
      const store = await app.request('POST', '/api/v1/admin/stores', {
        token: admin.token,
        body: { name: cast.store, code: cast.storeCode, city: cast.city },
      });
      expect(store.status).toBe(201);
      const granted = await app.request('POST', '/api/v1/admin/staff', {
        token: admin.token,
        body: { customerId: clerkId.customerId, role: 'clerk', storeId: store.body.id },
      });
      expect(granted.status).toBe(201);
      const campaign = await app.request('POST', '/api/v1/admin/campaigns', {
        token: admin.token,
        body: {
          name: cast.campaign,
          type: 'cash',
          valueFen: 2000,
          thresholdFen: 10000,
          stock: 50,
          perUserLimit: 1,
          validity: { kind: 'days', days: 30 },
        },
      });
      expect(campaign.status).toBe(201);

      // ---- The customer ----
      const customer = await phone();
      const c = customer.page;
      await c.goto(`${app.url}/`);
      await c.locator('.sign-in-page .demo-accounts').waitFor();
      await look(c, 'sign-in');
      await signInWithOpenid(c, `customer-${language}`);
      await look(c, 'member-join-invite');
      await c.locator('.join-button').click();
      await c.locator('.join-page .consent').click();
      await c.locator('.field-phone-code input').fill('test-phone:13800138000');
      await look(c, 'join');
      await c.locator('.join-submit').click();
      await c.locator('.home-page .member-card').waitFor();
      await look(c, 'member-card');
      await c.locator('.show-code').click();
      await c.locator('.code-page .member-barcode img').waitFor();
      await c.locator('.code-page .member-qr img').waitFor();
      await look(c, 'member-code');
      expect((await c.locator('.member-code-digits').innerText()).replace(/\s/g, '')).toMatch(/^\d{24}$/);
      await c.goBack();
      await shown(c, '.home-page .menu-points').click();
      await c.locator('.points-page .empty-points').waitFor();
      await look(c, 'points-empty');
      await c.goBack();
      await shown(c, '.home-page .menu-exchange').click();
      await c.locator('.exchange-page .empty-exchange').waitFor();
      await look(c, 'member-exchange');

      await backToTabs(c);
      await openTab(c, 'coupons');
      const offer = c.locator('.campaign-item', { hasText: cast.campaign });
      await offer.waitFor();
      await look(c, 'coupon-centre');
      await offer.locator('.claim-button').click();
      await offer.locator('.claimed-link').click();
      await c.locator('.coupon-detail-page .coupon-qr img').waitFor();
      await look(c, 'coupon-detail');
      const couponCode = await c.locator('.coupon-code').innerText();
      await c.goBack();

      await openTab(c, 'aftersale');
      await shown(c, '.tickets-page .empty-tickets').waitFor();
      await look(c, 'aftersale-empty');
      await shown(c, '.tickets-page .empty-action').click();
      await c.locator('.new-ticket-page .choice-store', { hasText: cast.store }).click();
      await c.locator('.new-ticket-page .choice-store.choice-on').waitFor();
      await c.locator('.field-description textarea').fill(cast.problem);
      await look(c, 'aftersale-new');
      await c.locator('.ticket-submit').click();
      await c.locator('.ticket-page-customer .ticket-facts').waitFor();
      await look(c, 'aftersale-detail');
      await backToTabs(c);
      await openTab(c, 'aftersale');
      await shown(c, '.tickets-page .ticket-list .ticket-row').waitFor();
      await look(c, 'aftersale-list');

      await openTab(c, 'me');
      await shown(c, '.me-page .sign-out').waitFor();
      expect(await c.locator('.menu-staff-home:visible').count()).toBe(0);
      await look(c, 'me-customer');
      await shown(c, '.me-page .menu-my-coupons').click();
      await c.locator('.my-coupons-page .my-coupon-available').waitFor();
      await look(c, 'my-coupons');
      await c.locator('.tab-used').click();
      await c.locator('.my-coupons-page .empty-coupons').waitFor();
      await look(c, 'my-coupons-used-empty');
      await c.goBack();
      await shown(c, '.me-page .menu-profile').click();
      await c.locator('.profile-page .profile-save').waitFor();
      await look(c, 'profile');
      await c.goBack();
      await shown(c, '.me-page .menu-privacy').click();
      await c.locator('.privacy-page .privacy-delete').waitFor();
      await look(c, 'privacy');
      await c.goto(`${app.url}/#/pages/coupons/accept/index?token=not-a-real-gift`);
      await c.locator('.accept-gift-page .gift-accept').waitFor();
      await look(c, 'gift-accept');

      // ---- The clerk ----
      const clerk = await phone();
      const k = clerk.page;
      await signInWithOpenid(k, `clerk-${language}`);
      await openTab(k, 'me');
      await shown(k, '.me-page .menu-staff-home').waitFor();
      expect(await k.locator('.menu-admin-home:visible').count()).toBe(0);
      await look(k, 'me-clerk');
      await shown(k, '.me-page .menu-staff-home').click();
      await k.locator('.staff-home-page .menu-identify').waitFor();
      await look(k, 'staff-home');
      await openStaff(k, 'menu-identify');
      // A member code lives a minute: the customer's screen would show a fresh one by now.
      const fresh = await app.request('GET', '/api/v1/me/member-code', { token: (await login(app, `customer-${language}`)).token });
      expect(fresh.body.code).toMatch(/^\d{24}$/);
      await k.locator('.identify-page .field-member-code input').fill(fresh.body.code);
      await k.locator('.identify-submit').click();
      await k.locator('.member-summary').waitFor();
      await look(k, 'staff-identified');
      await openStaff(k, 'menu-redeem');
      await k.locator('.redeem-page .today-list .empty-today').waitFor();
      await look(k, 'staff-redeem');
      await k.locator('.field-coupon-code input').fill(couponCode);
      await k.locator('.field-order-amount input').fill('128');
      await k.locator('.redeem-check').click();
      await k.locator('.redeem-preview .preview-ok').waitFor();
      await look(k, 'staff-redeem-preview');
      await k.locator('.redeem-submit').click();
      await k.locator('.redeem-done').waitFor();
      await k.locator('.today-row').first().waitFor();
      await look(k, 'staff-redeemed');
      await openStaff(k, 'menu-inbox');
      await k.locator('.inbox-page .inbox-list .ticket-row').first().waitFor();
      await look(k, 'staff-inbox');
      await k.locator('.inbox-list .ticket-row').first().click();
      await k.locator('.ticket-page-staff .ticket-actions').waitFor();
      await look(k, 'staff-ticket');
      await openStaff(k, 'menu-complaints');
      await k.locator('.complaints-page .empty-complaints, .complaints-page .complaint-item').first().waitFor();
      await look(k, 'staff-complaints');

      // ---- The admin ----
      const adminPhone = await phone();
      const a = adminPhone.page;
      await signIn(a);
      await openTab(a, 'me');
      await shown(a, '.me-page .menu-admin-home').waitFor();
      await look(a, 'me-admin');
      await shown(a, '.me-page .menu-admin-home').click();
      await a.locator('.admin-home-page .menu-stores').waitFor();
      await look(a, 'admin-home');
      await openAdmin(a, 'menu-stores');
      await a.locator('.store-row .store-name', { hasText: cast.store }).waitFor();
      await look(a, 'admin-stores');
      await openAdmin(a, 'menu-staff');
      await a.locator('.staff-page .staff-store').waitFor();
      await look(a, 'admin-staff');
      await openAdmin(a, 'menu-campaigns');
      await a.locator('.campaign-row', { hasText: cast.campaign }).waitFor();
      await look(a, 'admin-campaigns');
      await openAdmin(a, 'menu-funnel');
      await a.locator('.funnel-page .funnel-totals').waitFor();
      await look(a, 'admin-funnel');
      await openAdmin(a, 'menu-keyword-rules');
      await a.locator('.keyword-rules-page .rule-row').first().waitFor();
      await look(a, 'admin-keyword-rules');
      await openAdmin(a, 'menu-oa-menu');
      await a.locator('.oa-menu-page .menu-entry').first().waitFor();
      await look(a, 'admin-oa-menu');

      for (const who of phones) expect(who.failures).toEqual([]);
      expect(problems).toEqual([]);
    }, 300_000);

    /** The demo admin signs in from the picker. */
    async function signIn(page: Page): Promise<void> {
      await signInAs(page, app.url, 'admin');
    }

    afterAll(async () => {
      for (const who of phones) await who.context.close();
    });
  });
}

describe('the language switch in 我的', () => {
  it('changes every word at once and is remembered', async () => {
    const person = await h5.newPhone({ locale: 'zh-CN', deviceScaleFactor: 1 });
    const p = person.page;
    await signInAs(p, app.url, 'customer');
    await openTab(p, 'me');
    expect(await shown(p, '.me-page .menu-profile').innerText()).toContain('个人资料');
    await shown(p, '.me-page .language-en').click();
    await shown(p, '.me-page .language-en.segment-on').waitFor();
    expect(await shown(p, '.me-page .menu-profile').innerText()).toContain('Profile');
    expect(await p.locator('.taro-tabbar__tabbar').innerText()).toMatch(/Member[\s\S]*Coupons[\s\S]*Service[\s\S]*Me/);
    expect(await untranslated(p, 'en')).toEqual([]);
    // A reload keeps the choice over the browser's language.
    await p.reload();
    await shown(p, '.me-page .menu-profile').waitFor();
    expect(await shown(p, '.me-page .menu-profile').innerText()).toContain('Profile');
    await shown(p, '.me-page .language-zh').click();
    await shown(p, '.me-page .language-zh.segment-on').waitFor();
    expect(await shown(p, '.me-page .menu-profile').innerText()).toContain('个人资料');
    expect(await untranslated(p, 'zh')).toEqual([]);
    expect(person.failures).toEqual([]);
    await person.context.close();
  }, 120_000);
});

if (UPDATING) console.log('screens: baselines written to server/test/browser/screens/ — look at them before committing');

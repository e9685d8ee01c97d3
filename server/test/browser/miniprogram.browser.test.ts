// The H5 build of the mini-program in Chromium against the real server: a customer joins and shows
// the member code, an admin makes a clerk for a new store, the clerk identifies the customer by code.
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import type { Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers';
import { decodePng } from './decode';
import { backToTabs, errorWords, openAdmin, openTab, SHOTS, shown, signInAs as signIn, startH5Harness, type H5Harness } from './h5';

let h5: H5Harness;
let app: TestApp;

beforeAll(async () => {
  h5 = await startH5Harness();
  app = h5.app;
}, 600_000);

afterAll(async () => {
  await h5?.close();
});

const newPhone = () => h5.newPhone({ consoleErrors: true });

async function shot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(400); // let the page transition finish
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

const signInAs = (page: Page, who: 'customer' | 'clerk' | 'manager' | 'admin') => signIn(page, app.url, who);

/** Whether 我的 offers the store workbench or the admin. */
async function workEntries(page: Page): Promise<{ staff: number; admin: number }> {
  await openTab(page, 'me');
  await shown(page, '.me-page .sign-out').waitFor();
  return { staff: await page.locator('.menu-staff-home:visible').count(), admin: await page.locator('.menu-admin-home:visible').count() };
}

describe('server serves the H5 build', () => {
  it('answers / with index.html that is never cached and hashed assets cached for a year', async () => {
    const index = await app.request('GET', '/');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const script = /src="\.\/(js\/app\.[0-9a-f]{8}\.js)"/.exec(index.text)?.[1];
    expect(script).toBeTruthy();
    const asset = await app.request('GET', `/${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('never shadows the API or health routes', async () => {
    const api = await app.request('GET', '/api/v1/index.html');
    expect(api.status).toBe(404);
    expect(api.body.error.code).toBe('NOT_FOUND');
    expect((await app.request('GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await app.request('GET', '/api/v1/me')).status).toBe(401);
  });
});

describe('mini-program H5 in Chromium', () => {
  it('customer joins and shows the member code; admin makes a clerk; the clerk identifies the customer', async () => {
    // Customer: sign in with the demo picker, join, see the card and the member code.
    const customer = await newPhone();
    // First load: every JS and CSS byte the browser fetches until the sign-in page shows.
    const firstLoad = { js: 0, css: 0, gzip: 0, requests: 0 };
    const countAsset = async (response: Response) => {
      const type = response.headers()['content-type'] ?? '';
      const kind = type.includes('javascript') ? 'js' : type.includes('css') ? 'css' : undefined;
      if (!kind) return;
      const body = await response.body();
      firstLoad[kind] += body.length;
      firstLoad.gzip += gzipSync(body).length;
      firstLoad.requests += 1;
    };
    const pending: Promise<void>[] = [];
    const onResponse = (response: Response) => void pending.push(countAsset(response));
    customer.page.on('response', onResponse);
    await customer.page.goto(`${app.url}/`);
    await customer.page.locator('.sign-in-page .demo-accounts').waitFor();
    customer.page.off('response', onResponse);
    await Promise.all(pending);
    console.log(
      `H5 first load (sign-in page): JS ${(firstLoad.js / 1024).toFixed(1)} KiB + CSS ${(firstLoad.css / 1024).toFixed(1)} KiB ` +
        `in ${firstLoad.requests} requests, as sent (uncompressed); ${(firstLoad.gzip / 1024).toFixed(1)} KiB if gzipped`,
    );
    expect(firstLoad.js).toBeGreaterThan(0);
    await shot(customer.page, '01-sign-in');
    await customer.page.locator('.demo-login-customer').click();
    await customer.page.locator('.home-page .join-invite').waitFor();
    await shot(customer.page, '02-home-not-member');
    expect(await workEntries(customer.page)).toEqual({ staff: 0, admin: 0 });
    await openTab(customer.page, 'member');

    await customer.page.locator('.join-button').click();
    await customer.page.locator('.join-page').waitFor();
    await customer.page.locator('.join-page .consent').click();
    await customer.page.locator('.field-phone-code input').fill('test-phone:13800138000');
    await shot(customer.page, '03-join');
    await customer.page.locator('.join-submit').click();
    await customer.page.locator('.home-page .member-card').waitFor();
    const tier = await customer.page.locator('.member-card .card-tier').innerText();
    expect(tier).toBe('普通会员');
    expect(await customer.page.locator('.member-card .card-points').innerText()).toBe('0');
    await shot(customer.page, '04-member-card');

    await customer.page.locator('.show-code').click();
    await customer.page.locator('.code-page .member-code-digits').waitFor();
    await customer.page.locator('.code-page .member-qr img').waitFor();
    const qrSrc = await customer.page.locator('.code-page .member-qr img').getAttribute('src');
    expect(qrSrc).toMatch(/^data:image\/svg\+xml;base64,.+/);
    // The QR code really decodes to an image, not a broken one.
    const qrWidth = await customer.page.locator('.code-page .member-qr img').evaluate(
      async (img: HTMLImageElement) =>
        await img.decode().then(
          () => img.naturalWidth,
          () => 0,
        ),
    );
    expect(qrWidth).toBeGreaterThan(0);
    const shownDigits = await customer.page.locator('.member-code-digits').innerText();
    expect(shownDigits.replace(/\s/g, '')).toMatch(/^\d{24}$/);
    // Grouped in fours for typing at the till.
    expect(shownDigits).toMatch(/^\d{4}( \d{4}){5}$/);
    // The till's scanners read the same member code from the Code 128 barcode and from the QR.
    await customer.page.locator('.code-page .member-barcode img').waitFor();
    const barcodeText = decodePng(await customer.page.locator('.code-page .member-barcode').screenshot(), 'CODE_128');
    const qrText = decodePng(await customer.page.locator('.code-page .member-qr').screenshot(), 'QR_CODE');
    expect(barcodeText).toBe(shownDigits.replace(/\s/g, ''));
    expect(qrText).toBe(barcodeText);
    await shot(customer.page, '05-member-code');

    // Clerk-to-be signs in once (the admin can only grant to someone the server knows) and sees no staff pages.
    const clerk = await newPhone();
    await signInAs(clerk.page, 'clerk');
    expect(await workEntries(clerk.page)).toEqual({ staff: 0, admin: 0 });

    // Admin: create a store and make demo-clerk its clerk.
    const admin = await newPhone();
    await signInAs(admin.page, 'admin');
    expect(await workEntries(admin.page)).toEqual({ staff: 1, admin: 1 });
    await shot(admin.page, '06-admin-me');
    await openAdmin(admin.page, 'menu-stores');
    await admin.page.locator('.stores-page .field-store-name input').waitFor();
    await admin.page.locator('.field-store-name input').fill('静安嘉里店');
    await admin.page.locator('.field-store-code input').fill('SH-001');
    await admin.page.locator('.field-store-city input').fill('上海');
    await admin.page.locator('.store-create').click();
    await admin.page.locator('.store-row .store-name', { hasText: '静安嘉里店' }).waitFor();
    await shot(admin.page, '07-admin-stores');

    await openAdmin(admin.page, 'menu-staff');
    await admin.page.locator('.staff-page .staff-store').waitFor();
    expect(await admin.page.locator('.staff-store').innerText()).toContain('静安嘉里店');
    await admin.page.locator('.field-staff-openid input').fill('demo-clerk');
    await admin.page.locator('.staff-grant').click();
    await admin.page.locator('.staff-granted').waitFor();
    await shot(admin.page, '08-admin-grant-clerk');

    // Clerk: the staff page now shows; identify the customer by the code on the customer's screen.
    await clerk.page.reload();
    expect(await workEntries(clerk.page)).toEqual({ staff: 1, admin: 0 });
    await shown(clerk.page, '.me-page .menu-staff-home').click();
    // A clerk (not a manager) grants no roles.
    await shown(clerk.page, '.staff-home-page .menu-identify').waitFor();
    expect(await clerk.page.locator('.staff-home-page .menu-staff').count()).toBe(0);
    await shown(clerk.page, '.staff-home-page .menu-identify').click();
    await clerk.page.locator('.identify-page .field-member-code input').waitFor();
    const digitsNow = await customer.page.locator('.member-code-digits').innerText();
    await clerk.page.locator('.field-member-code input').fill(digitsNow);
    await clerk.page.locator('.identify-submit').click();
    await clerk.page.locator('.member-summary').waitFor();
    expect(await clerk.page.locator('.summary-tier').innerText()).toBe(tier);
    expect(await clerk.page.locator('.summary-points').innerText()).toBe('0');
    await shot(clerk.page, '09-clerk-identified');

    // A forged code is refused in words a clerk understands (the dictionary's, for the contract's code).
    await clerk.page.locator('.field-member-code input').fill('0'.repeat(24));
    await clerk.page.locator('.identify-submit').click();
    await clerk.page.locator('.identify-error').waitFor();
    // The words are the dictionary's for the error code the server answers.
    const forged = await app.request('POST', '/api/v1/auth/login', { body: { code: 'test:demo-clerk' } });
    const contract = await app.request('POST', '/api/v1/staff/members/identify', {
      token: forged.body.token,
      body: { code: '0'.repeat(24) },
    });
    expect(contract.status).toBeGreaterThanOrEqual(400);
    expect(await clerk.page.locator('.identify-error').innerText()).toBe(errorWords(contract.body.error.code));
    await shot(clerk.page, '10-clerk-forged-code');

    // Customer: export their data, then delete the account through the confirmation step.
    await backToTabs(customer.page);
    await openTab(customer.page, 'me');
    await shown(customer.page, '.me-page .menu-privacy').click();
    await customer.page.locator('.privacy-page .privacy-export').click();
    await customer.page.locator('.privacy-page .export-box').waitFor();
    expect(await customer.page.locator('.export-box').innerText()).toContain('"exportedAt"');
    await customer.page.locator('.privacy-delete').click();
    await customer.page.locator('.privacy-delete-confirm').waitFor();
    await shot(customer.page, '11-privacy-delete-confirm');
    await customer.page.locator('.privacy-delete-confirm').click();
    await customer.page.locator('.sign-in-page .demo-accounts').waitFor();
    // Signing in again is a fresh customer: no membership left.
    await customer.page.locator('.demo-login-customer').click();
    await customer.page.locator('.home-page .join-invite').waitFor();

    for (const who of [customer, clerk, admin]) {
      // 4xx answers the pages handle (the forged code, 401 before sign-in) show up as console errors of fetch.
      expect(who.failures.filter((f) => f.startsWith('pageerror'))).toEqual([]);
      await who.context.close();
    }
  }, 240_000);
});

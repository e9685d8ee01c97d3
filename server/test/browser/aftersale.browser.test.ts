// After-sale in the H5 build in Chromium against the real server: a customer files a ticket with a
// photo; a clerk of that store finds it in the inbox, accepts, replies and resolves; the customer sees
// the reply and the resolution and rates the service.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ticket } from '../../src/aftersale/model';
import type { TestApp } from '../helpers';
import { login } from '../session';
import { openStaff, openTab, SHOTS, shown as onScreen, signInAs as signIn, startH5Harness, type H5Harness } from './h5';

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

async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  await page.waitForTimeout(400); // let the page transition finish
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
}

const signInAs = (page: Page, who: 'customer' | 'clerk') => signIn(page, app.url, who);

/** Waits until every photo <img> inside the selector has really decoded; returns their natural widths. */
async function decodedWidths(page: Page, selector: string): Promise<number[]> {
  await page.locator(`${selector} img`).first().waitFor();
  return page.locator(`${selector} img`).evaluateAll((imgs: HTMLImageElement[]) =>
    Promise.all(
      imgs.map((img) =>
        img.decode().then(
          () => img.naturalWidth,
          () => 0,
        ),
      ),
    ),
  );
}

describe('after-sale in Chromium', () => {
  it('customer files a ticket with a photo; the clerk accepts, replies and resolves; the customer rates it', async () => {
    // A store with demo-clerk as its clerk (the admin part has its own browser test).
    const admin = await login(app, 'demo-admin');
    const clerkId = await login(app, 'demo-clerk');
    const store = await app.request('POST', '/api/v1/admin/stores', {
      token: admin.token,
      body: { name: '静安嘉里店', code: 'SH-AS1', city: '上海' },
    });
    expect(store.status).toBe(201);
    const grant = await app.request('POST', '/api/v1/admin/staff', {
      token: admin.token,
      body: { customerId: clerkId.customerId, role: 'clerk', storeId: store.body.id },
    });
    expect(grant.status, JSON.stringify(grant.body)).toBe(201);

    // Customer: the 售后 tab → its empty state leads to a new request.
    const customer = await newPhone();
    await signInAs(customer.page, 'customer');
    await openTab(customer.page, 'aftersale');
    await onScreen(customer.page, '.tickets-page .empty-tickets').waitFor();
    await shot(customer.page, 'as-01-my-tickets-empty');
    await onScreen(customer.page, '.tickets-page .empty-action').click();
    await customer.page.locator('.new-ticket-page .choice-store').waitFor();
    // The only store is chosen already.
    expect(await customer.page.locator('.choice-store.choice-on').innerText()).toBe('静安嘉里店');
    await customer.page.locator('.choice-type-return_refund').click();
    await customer.page.locator('.field-order input').fill('SO-20261123');
    await customer.page.locator('.field-description textarea').fill('收到的外套袖口有破洞，想退货退款。');

    // A real PNG to upload, drawn by the browser, through the browser's file chooser.
    const photo = Buffer.from(
      await customer.page.evaluate(() => {
        const canvas = document.createElement('canvas');
        canvas.width = 320;
        canvas.height = 240;
        const g = canvas.getContext('2d')!;
        const fill = g.createLinearGradient(0, 0, 320, 240);
        fill.addColorStop(0, '#f59e0b');
        fill.addColorStop(1, '#0f766e');
        g.fillStyle = fill;
        g.fillRect(0, 0, 320, 240);
        g.fillStyle = '#fff';
        g.font = 'bold 40px sans-serif';
        g.fillText('SLEEVE', 80, 135);
        return canvas.toDataURL('image/png').split(',')[1]!;
      }),
      'base64',
    );
    const chooser = customer.page.waitForEvent('filechooser');
    await customer.page.locator('.photo-add').click();
    await (await chooser).setFiles({ name: 'sleeve.png', mimeType: 'image/png', buffer: photo });
    expect(await decodedWidths(customer.page, '.chosen-photo')).toEqual([expect.any(Number)]);
    await shot(customer.page, 'as-02-new-ticket', true);

    await customer.page.locator('.ticket-submit').click();
    await customer.page.locator('.ticket-page-customer .ticket-facts').waitFor();
    expect(await customer.page.locator('.ticket-facts .state-badge').innerText()).toBe('已提交');
    // The photo came back from the server (behind the session) and shows.
    const shown = await decodedWidths(customer.page, '.ticket-photos');
    expect(shown).toHaveLength(1);
    expect(shown[0]).toBeGreaterThan(0);
    expect(await customer.page.locator('.ticket-actions .action-cancel').isVisible()).toBe(true);
    await shot(customer.page, 'as-03-ticket-submitted', true);
    const number = (await customer.page.locator('.ticket-facts .section-title').innerText()).split('#')[1]!.trim();

    // The server has the bytes the customer chose.
    const mine = await app.request('GET', '/api/v1/tickets', { token: (await login(app, 'demo-customer')).token });
    const ticketId = mine.body.items[0].id as string;
    const stored = await fetch(`${app.url}/api/v1/tickets/${ticketId}/photos/1`, { headers: { authorization: `Bearer ${clerkId.token}` } });
    expect(stored.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await stored.arrayBuffer()).equals(photo)).toBe(true);

    // An older complaint of the same store whose first answer is overdue (its clock moved back in the
    // database the server reads): it sorts first and carries the overdue badge.
    const late = await app.request('POST', '/api/v1/tickets', {
      token: (await login(app, 'demo-late-customer')).token,
      body: { storeId: store.body.id, type: 'complaint', description: '店员态度很差' },
    });
    expect(late.status).toBe(201);
    const past = new Date(Date.now() - 3600_000);
    await Ticket.updateOne(
      { _id: late.body.id },
      { $set: { 'sla.firstResponseRiskAt': past, 'sla.firstResponseDue': past, 'sla.nextDueAt': past } },
    );

    // Clerk: inbox → the ticket → accept, reply, start, resolve.
    const clerk = await newPhone();
    await signInAs(clerk.page, 'clerk');
    await openStaff(clerk.page, 'menu-inbox');
    const row = clerk.page.locator(`.inbox-list .ticket-${number}`);
    await row.waitFor();
    expect(await row.locator('.state-badge').innerText()).toBe('已提交');
    expect(await row.locator('.sla-badge').count()).toBe(0);
    const rows = clerk.page.locator('.inbox-list .ticket-row');
    expect(await rows.count()).toBe(2);
    expect(await rows.first().locator('.sla-badge').innerText()).toBe('已超时');
    expect(await rows.first().locator('.ticket-row-title').innerText()).toContain('投诉');
    await shot(clerk.page, 'as-04-clerk-inbox');
    await row.click();
    await clerk.page.locator('.ticket-page-staff .action-accept').waitFor();
    expect(await clerk.page.locator('.ticket-page-staff .ticket-description').innerText()).toContain('袖口有破洞');
    expect(await decodedWidths(clerk.page, '.ticket-page-staff .ticket-photos')).toHaveLength(1);
    // Staff never see the customer's cancel; the customer never sees staff actions.
    expect(await clerk.page.locator('.action-cancel').count()).toBe(0);
    await clerk.page.locator('.action-accept').click();
    await clerk.page.locator('.ticket-page-staff .state-badge', { hasText: '已受理' }).waitFor();
    await clerk.page.locator('.ticket-page-staff .message-input input').fill('您好，请把外套寄回门店，我们收到后为您退款。');
    await clerk.page.locator('.ticket-page-staff .message-send').click();
    await clerk.page.locator('.ticket-page-staff .message-staff').waitFor();
    await clerk.page.locator('.action-start').click();
    await clerk.page.locator('.ticket-page-staff .state-badge', { hasText: '处理中' }).waitFor();
    // Resolving needs a resolution: without one the page says so and nothing changes.
    await clerk.page.locator('.action-resolve').click();
    await clerk.page.locator('.action-error').waitFor();
    expect(await clerk.page.locator('.field-action-note .field-label').innerText()).toContain('处理结果');
    await clerk.page.locator('.field-action-note textarea').fill('已收到退货，退款 399 元已原路退回。');
    await shot(clerk.page, 'as-05-clerk-resolving', true);
    await clerk.page.locator('.action-resolve').click();
    await clerk.page.locator('.ticket-page-staff .state-badge', { hasText: '已解决' }).waitFor();
    await shot(clerk.page, 'as-06-clerk-resolved', true);

    // Customer: the reply and the resolution show; rate five stars.
    await customer.page.reload();
    await customer.page.locator('.ticket-page-customer .message-staff').waitFor();
    expect(await customer.page.locator('.message-staff .bubble-text').innerText()).toBe('您好，请把外套寄回门店，我们收到后为您退款。');
    expect(await customer.page.locator('.ticket-resolution').innerText()).toContain('退款 399 元');
    expect(await customer.page.locator('.ticket-facts .state-badge').innerText()).toBe('已解决');
    expect(await customer.page.locator('.action-close').isVisible()).toBe(true);
    expect(await customer.page.locator('.action-reopen').isVisible()).toBe(true);
    await customer.page.locator('.star-5').click();
    await customer.page.locator('.rating-comment input').fill('处理很快，谢谢！');
    await shot(customer.page, 'as-07-customer-rating', true);
    await customer.page.locator('.rating-submit').click();
    await customer.page.locator('.rating-thanks').waitFor();
    expect(await customer.page.locator('.rated-stars .star-on').count()).toBe(5);
    await shot(customer.page, 'as-08-customer-rated', true);

    const rated = await app.request('GET', `/api/v1/tickets/${ticketId}`, { token: clerkId.token });
    expect(rated.body.rating).toEqual({ stars: 5, comment: '处理很快，谢谢！' });
    expect(rated.body.state).toBe('resolved');

    // The list shows the state badge.
    await customer.page.goto(`${app.url}/#/pages/aftersale/list/index`);
    await customer.page.locator(`.ticket-list .ticket-${number} .state-badge`, { hasText: '已解决' }).waitFor();
    await shot(customer.page, 'as-09-my-tickets');

    for (const who of [customer, clerk]) {
      expect(who.failures).toEqual([]);
      await who.context.close();
    }
  }, 180_000);
});

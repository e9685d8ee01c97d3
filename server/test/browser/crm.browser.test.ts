// The social CRM in the H5 build in Chromium against the real server, database and WeChat simulator:
// an admin creates a tag, builds a segment from conditions (live count and member preview), saves it,
// reaches it with an outreach and watches it go out; a clerk opens Today, follows a waiting follower
// to the customer view and tags them, and the API then has the tag on that customer.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRulesPass } from '../../src/crm';
import type { TestApp } from '../helpers';
import { customerIdOf, eventXml, newOpenid, OA_ENV, pushToOa, textXml } from '../oaPush';
import { login, type SignedIn } from '../session';
import { openAdmin, openStaff, shot, shown, signInAs, startH5Harness, type H5Harness } from './h5';

let h5: H5Harness;
let app: TestApp;

beforeAll(async () => {
  h5 = await startH5Harness({ ...OA_ENV });
  app = h5.app;
}, 900_000);

afterAll(async () => {
  await h5?.close();
});

const api = (who: SignedIn, method: string, path: string, body?: unknown) =>
  app.request(method, `/api/v1${path}`, { token: who.token, ...(body === undefined ? {} : { body }) });

/** A follower from the store's QR code (known to the simulator, then the subscribe push) who asks for a person. */
async function waitingFollower(storeId: string): Promise<string> {
  const openid = newOpenid();
  const seeded = await app.request('POST', '/__wechat/_sim/followers', {
    body: { followers: [{ openid, subscribe: true, scene: 'ADD_SCENE_QR_CODE', qrSceneStr: `store:${storeId}` }] },
  });
  expect(seeded.status).toBe(201);
  expect((await pushToOa(app, eventXml(openid, 'subscribe', { EventKey: `qrscene_store:${storeId}` }), openid)).status).toBe(200);
  expect((await pushToOa(app, textXml(openid, '人工'), openid)).status).toBe(200);
  return (await customerIdOf(openid))!.toString();
}

/** The element the person sees now that matches the selector and holds the text. */
const withText = (page: Page, selector: string, text: string) => page.locator(`${selector}:visible`, { hasText: text }).first();

/** Taps the choice chip of a ChoiceField (`kind-key` class) inside the page shown. */
const choose = (page: Page, root: string, cls: string) => shown(page, `${root} .${cls}`).click();

describe('the social CRM in Chromium', () => {
  it('admin builds a segment, previews it and sends to it; a clerk follows Today to a customer and tags them', async () => {
    const admin = await login(app, 'demo-admin');
    const clerk = await login(app, 'demo-clerk');
    const store = await api(admin, 'POST', '/admin/stores', { name: '南京西路店', code: 'SH-CRM1', city: '上海' });
    expect(store.status).toBe(201);
    const storeId = store.body.id as string;
    const grant = await api(admin, 'POST', '/admin/staff', { customerId: clerk.customerId, role: 'clerk', storeId });
    expect(grant.status, grant.text).toBe(201);
    const fans = [await waitingFollower(storeId), await waitingFollower(storeId), await waitingFollower(storeId)];
    await runRulesPass();

    // ---- Admin: a manual tag, then a segment, then an outreach to it. ----
    const adminPhone = await h5.newPhone();
    const a = adminPhone.page;
    await signInAs(a, app.url, 'admin');
    await openAdmin(a, 'menu-tags');
    await shown(a, '.tags-page .tag-form').waitFor();
    await shown(a, '.tags-page .field-tag-name input').fill('回访关怀');
    await shown(a, '.tags-page .tag-create').click();
    await withText(a, '.tags-page .tag-item', '回访关怀').waitFor();
    await shot(a, 'crm-01-tags');

    await openAdmin(a, 'menu-segments');
    const seg = '.segments-page';
    await shown(a, `${seg} .segment-builder`).waitFor();
    await choose(a, seg, 'condition-store');
    await choose(a, seg, `value-${storeId}`);
    await shown(a, `${seg} .segment-add`).click();
    await choose(a, seg, 'condition-following');
    await choose(a, seg, 'value-yes');
    await shown(a, `${seg} .segment-add`).click();
    expect(await a.locator(`${seg} .segment-condition:visible`).count()).toBe(2);
    // The live count and the preview follow the conditions: the three followers of the store.
    await withText(a, `${seg} .segment-live-count`, '3 人').waitFor();
    expect(await a.locator(`${seg} .segment-preview-member:visible`).count()).toBe(3);
    const preview = await api(admin, 'POST', '/admin/crm/segments/preview', {
      conditions: [
        { kind: 'store', storeId },
        { kind: 'following', value: true },
      ],
    });
    expect(preview.body.count).toBe(3);
    expect(preview.body.preview.map((p: { id: string }) => p.id).sort()).toEqual([...fans].sort());
    await shown(a, `${seg} .field-segment-name input`).fill('南京西路店粉丝');
    await shot(a, 'crm-02-segment-built');
    await shown(a, `${seg} .segment-save`).click();
    const saved = withText(a, `${seg} .segment-item`, '南京西路店粉丝');
    await saved.locator('.segment-count', { hasText: '3 人' }).waitFor();
    await shot(a, 'crm-03-segment-saved');

    // Reach: the outreach page opens with the segment as its audience.
    await saved.locator('.segment-reach').click();
    const out = '.outreach-page';
    await shown(a, `${out} .outreach-form`).waitFor();
    const segments = await api(admin, 'GET', '/admin/crm/segments');
    const segmentId = (segments.body.items as Array<{ id: string; name: string }>).find((s) => s.name === '南京西路店粉丝')!.id;
    expect(await shown(a, `${out} .field-outreach-segment input`).inputValue()).toBe(segmentId);
    await shown(a, `${out} .field-outreach-name input`).fill('新品到店');
    await shown(a, `${out} .field-outreach-text textarea`).fill('新品已到南京西路店，欢迎来试穿。');
    await shown(a, `${out} .outreach-preview`).click();
    await withText(a, `${out} .outreach-preview-result .section-title`, '共 3 人').waitFor();
    // All three spoke to the account just now: inside the 48-hour window, a customer-service message each.
    expect(await shown(a, `${out} .preview-cs`).innerText()).toContain('3');
    await shot(a, 'crm-04-outreach-preview');
    await shown(a, `${out} .outreach-send`).click();
    await shown(a, `${out} .outreach-status-done`).waitFor({ timeout: 60_000 });
    expect(await shown(a, `${out} .outreach-counts`).innerText()).toContain('已发送 3');
    await shot(a, 'crm-05-outreach-done');
    const outreaches = await api(admin, 'GET', '/admin/outreaches');
    const sent = (outreaches.body.items as Array<{ name: string; progress: { sent: number; total: number } }>).find(
      (o) => o.name === '新品到店',
    );
    expect(sent?.progress).toMatchObject({ sent: 3, total: 3 });

    // ---- Clerk: Today → a follower waiting for a person → their customer view → a tag. ----
    const clerkPhone = await h5.newPhone();
    const c = clerkPhone.page;
    await signInAs(c, app.url, 'clerk');
    await openStaff(c, 'menu-today');
    const group = shown(c, '.today-page .today-group-waiting_human');
    await group.waitFor();
    expect(await group.locator('.today-count').innerText()).toBe('3');
    expect(await group.locator('.today-item').count()).toBe(3);
    // The page words the server's facts: the 48-hour window's end, in Chinese.
    expect(await group.locator('.today-detail').first().innerText()).toMatch(/^48 小时回复窗口 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 关闭$/);
    await shot(c, 'crm-06-today');
    const today = await api(clerk, 'GET', `/staff/today?storeId=${storeId}`);
    const first = (today.body.items as Array<{ kind: string; customerId: string }>).find((i) => i.kind === 'waiting_human')!;
    await group.locator('.today-item').first().click();
    const view = '.customer-page';
    await shown(c, `${view} .customer-tags`)
      .waitFor()
      .catch(async (err: unknown) => {
        await shot(c, 'crm-fail');
        throw err;
      });
    await withText(c, `${view} .customer-tag-add`, '回访关怀').click();
    await withText(c, `${view} .customer-tag`, '回访关怀').waitFor();
    await shown(c, `${view} .field-customer-note textarea`).fill('想了解新品尺码，已约周六到店。');
    await shown(c, `${view} .customer-note-add`).click();
    await withText(c, `${view} .timeline-item`, '周六到店').waitFor();
    await shot(c, 'crm-07-customer');

    // The server has the tag on the customer the first item named.
    const customer = await api(clerk, 'GET', `/staff/customers/${first.customerId}?storeId=${storeId}`);
    expect(customer.status, customer.text).toBe(200);
    expect(customer.body.tags.map((t: { name: string }) => t.name)).toContain('回访关怀');
    expect(fans).toContain(first.customerId);

    for (const who of [adminPhone, clerkPhone]) {
      expect(who.failures).toEqual([]);
      await who.context.close();
    }
  }, 400_000);
});

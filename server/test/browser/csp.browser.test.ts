// The security headers against the H5 build in Chromium: the app runs under its Content-Security-
// Policy without a single violation (its inline bootstrap script allowed by hash, and run), and no
// other page can frame it (the staff redeem page included).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startH5Harness, type H5Harness } from './h5';

let h5: H5Harness;

beforeAll(async () => {
  h5 = await startH5Harness();
}, 600_000);

afterAll(async () => {
  await h5?.close();
});

describe('content security policy in the browser', () => {
  it('lets the H5 app sign in and work with no violation', async () => {
    const { page, context, failures } = await h5.newPhone({ consoleErrors: true });
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { cspViolations: string[] }).cspViolations = seen;
      document.addEventListener('securitypolicyviolation', (e) =>
        seen.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`),
      );
    });
    await page.goto(`${h5.app.url}/`);
    await page.locator('.demo-login-customer').click();
    // Signed in: the 会员 tab shows the card (or the invitation to join).
    await page.locator('.home-page .member-card, .home-page .join-invite').first().waitFor();
    // The inline bootstrap script (root font size for rem units) ran: allowed by its hash.
    expect(await page.evaluate(() => document.documentElement.style.fontSize)).toMatch(/px$/);
    expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
    expect(failures.filter((f) => /Content Security Policy/i.test(f))).toEqual([]);
    await context.close();
  });

  it('refuses to be framed by another page', async () => {
    const { page, context } = await h5.newPhone();
    const blocked: string[] = [];
    page.on('console', (msg) => {
      if (/frame-ancestors|X-Frame-Options|Refused to display/i.test(msg.text())) blocked.push(msg.text());
    });
    await page.setContent(`<iframe id="victim" src="${h5.app.url}/#/pages/staff/redeem/index" width="300" height="300"></iframe>`);
    await page.waitForTimeout(1_500);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    // Chromium shows its error page instead of the app: nothing of ours rendered inside.
    const rendered = frame ? await frame.evaluate(() => document.querySelector('#app') !== null).catch(() => false) : false;
    expect(rendered).toBe(false);
    expect(blocked.length).toBeGreaterThan(0);
    await context.close();
  });
});

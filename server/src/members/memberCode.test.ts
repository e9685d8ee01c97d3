import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberCodeResponse, memberSummary } from '@shared/api/members';
import { startTestApp, type TestApp } from '../../test/helpers';
import { login, type SignedIn } from '../../test/session';
import { listTimeline } from '../customers/service';
import { memberCodeSecret, signMemberCode, verifyMemberCode } from './memberCode';
import { ServerSecret } from './model';

let app: TestApp;
let admin: SignedIn;
let clerkA: SignedIn;
let member: SignedIn;
let memberNo: string;
let storeA: string;
let storeB: string;
beforeAll(async () => {
  app = await startTestApp({ ADMIN_OPENIDS: 'admin-c' });
  admin = await login(app, 'admin-c');
  storeA = (await app.request('POST', '/api/v1/admin/stores', { token: admin.token, body: { name: 'A 店', code: 'A1' } })).body.id;
  storeB = (await app.request('POST', '/api/v1/admin/stores', { token: admin.token, body: { name: 'B 店', code: 'B1' } })).body.id;
  clerkA = await login(app, 'clerk-c');
  await app.request('POST', '/api/v1/admin/staff', {
    token: admin.token,
    body: { customerId: clerkA.customerId, role: 'clerk', storeId: storeA },
  });
  member = await login(app, 'member-c');
  await app.request('PATCH', '/api/v1/me/profile', { token: member.token, body: { name: '小林' } });
  const joined = await app.request('POST', '/api/v1/members/join', {
    token: member.token,
    body: { acceptTerms: true, termsVersion: '2026-01', phoneCode: 'test-phone:13912345678' },
  });
  memberNo = joined.body.memberNo;
});
afterAll(async () => {
  await app?.close();
});

const identify = (who: SignedIn, body: unknown) => app.request('POST', '/api/v1/staff/members/identify', { token: who.token, body });

describe('member code', () => {
  it('is short-lived digits that a clerk turns into the member summary, on the timeline', async () => {
    const res = await app.request('GET', '/api/v1/me/member-code', { token: member.token });
    expect(res.status).toBe(200);
    expect(res.body.code).toMatch(/^\d{24}$/);
    const life = new Date(res.body.expiresAt).getTime() - Date.now();
    expect(life).toBeLessThanOrEqual(60_000);
    expect(life).toBeGreaterThan(0);

    // Typed with spaces, as shown in groups of four.
    const typed = res.body.code.replace(/(\d{4})/g, '$1 ').trim();
    const found = await identify(clerkA, { code: typed });
    expect(found.status).toBe(200);
    expect(memberSummary.safeParse(found.body).success).toBe(true);
    expect(memberCodeResponse.safeParse(res.body).success).toBe(true);
    expect(found.body).toEqual({
      customerId: member.customerId,
      memberNo,
      name: '小林',
      tier: { id: 'regular', name: '普通' },
      points: 0,
      phone: '139****5678',
    });
    const [entry] = await listTimeline(new Types.ObjectId(member.customerId), { types: ['member.identified'] });
    expect(entry?.storeId?.toString()).toBe(storeA);
    expect(entry?.staffId?.toString()).toBe(clerkA.customerId);
    expect(entry?.channel).toBe('store');
  });

  it('cannot be read by a customer, nor by a clerk for another store', async () => {
    const { code } = (await app.request('GET', '/api/v1/me/member-code', { token: member.token })).body;
    const asCustomer = await identify(member, { code });
    expect(asCustomer.status).toBe(403);
    const otherStore = await identify(clerkA, { code, storeId: storeB });
    expect(otherStore.status).toBe(403);
    expect((await app.request('POST', '/api/v1/staff/members/identify', { body: { code } })).status).toBe(401);
    // An admin acts for any store.
    expect((await identify(admin, { code, storeId: storeB })).status).toBe(200);
  });

  it('refuses a forged, an expired and another brand’s code', async () => {
    const { code } = (await app.request('GET', '/api/v1/me/member-code', { token: member.token })).body as { code: string };
    const lastDigit = (Number(code.at(-1)) + 1) % 10;
    const forged = await identify(clerkA, { code: code.slice(0, -1) + lastDigit });
    expect(forged.status).toBe(400);
    expect(forged.body.error.code).toBe('INVALID_MEMBER_CODE');
    // Someone else's member number with this code's signature.
    const otherNo = String((Number(memberNo) % 899_999_999) + 100_000_000).padStart(9, '0');
    expect((await identify(clerkA, { code: otherNo + code.slice(9) })).status).toBe(400);

    const secret = await memberCodeSecret(app.config.sessionSecret);
    const stale = signMemberCode(secret, app.config.miniProgram.appId, memberNo, new Date(Date.now() - 61_000));
    const expired = await identify(clerkA, { code: stale.code });
    expect(expired.status).toBe(409);
    expect(expired.body.error.code).toBe('EXPIRED');

    const otherBrand = signMemberCode(secret, 'wx_another_brand', memberNo);
    expect((await identify(clerkA, { code: otherBrand.code })).status).toBe(400);

    const malformed = await identify(clerkA, { code: '12345' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.fields[0].path).toBe('body.code');
  });

  it('keeps one generated secret in the database for every instance when SESSION_SECRET is unset', async () => {
    const stored = await ServerSecret.find({}).lean();
    expect(stored).toHaveLength(1);
    const secret = Buffer.from(stored[0]!.value, 'hex');
    expect(secret.length).toBe(32);
    // A code signed with the stored secret verifies: what another instance issued, this one accepts.
    const { code } = signMemberCode(secret, app.config.miniProgram.appId, memberNo);
    expect(verifyMemberCode(secret, app.config.miniProgram.appId, code)).toBe(memberNo);
    expect(() => verifyMemberCode(Buffer.from('x'.repeat(32)), app.config.miniProgram.appId, code)).toThrow();
  });

  it('verifies codes issued near the wrap of the 5-digit expiry', () => {
    const secret = Buffer.from('s'.repeat(32));
    const issued = new Date(Math.ceil(Date.now() / 100_000_000) * 100_000_000 - 30_000);
    const { code } = signMemberCode(secret, 'wx_app', '123456789', issued);
    expect(verifyMemberCode(secret, 'wx_app', code, new Date(issued.getTime() + 50_000))).toBe('123456789');
    expect(() => verifyMemberCode(secret, 'wx_app', code, new Date(issued.getTime() + 61_000))).toThrow(/expired/);
  });
});

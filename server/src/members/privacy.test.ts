import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportResponse, profile } from '@shared/api/privacy';
import { startTestApp, type TestApp } from '../../test/helpers';
import { login, type SignedIn } from '../../test/session';
import { getCustomer, listIdentities } from '../customers/service';
import { DeletionRequest, LedgerEntry, Member } from './model';
import { finishConfirmedDeletions, sweepDeletionRequests } from './privacy';
import { earnPoints } from './points';

let app: TestApp;
let admin: SignedIn;
let storeId: string;
beforeAll(async () => {
  app = await startTestApp({ ADMIN_OPENIDS: 'admin-p' });
  admin = await login(app, 'admin-p');
  storeId = (await app.request('POST', '/api/v1/admin/stores', { token: admin.token, body: { name: 'P 店', code: 'P1' } })).body.id;
});
afterAll(async () => {
  await app?.close();
});

describe('profile', () => {
  it('reads and updates name, birthday, gender, preferences; null clears', async () => {
    const who = await login(app, 'profile-1');
    expect((await app.request('GET', '/api/v1/me/profile', { token: who.token })).body).toEqual({
      name: null,
      birthday: null,
      gender: null,
      preferences: [],
    });
    const res = await app.request('PATCH', '/api/v1/me/profile', {
      token: who.token,
      body: { name: '阿梅', birthday: '1990-05-20', gender: 'female', preferences: ['茶', '甜品'] },
    });
    expect(res.status).toBe(200);
    expect(profile.safeParse(res.body).success).toBe(true);
    expect(res.body).toEqual({ name: '阿梅', birthday: '1990-05-20', gender: 'female', preferences: ['茶', '甜品'] });
    const cleared = await app.request('PATCH', '/api/v1/me/profile', { token: who.token, body: { gender: null } });
    expect(cleared.body.gender).toBeNull();
    expect(cleared.body.name).toBe('阿梅');
    expect((await app.request('GET', '/api/v1/me', { token: who.token })).body.customer.name).toBe('阿梅');
  });

  it('refuses bad fields with their paths and changes nothing', async () => {
    const who = await login(app, 'profile-2');
    await app.request('PATCH', '/api/v1/me/profile', { token: who.token, body: { name: '原名' } });
    const res = await app.request('PATCH', '/api/v1/me/profile', {
      token: who.token,
      body: { name: '新名', birthday: '1990-02-30', gender: 'robot', isAdmin: true },
    });
    expect(res.status).toBe(400);
    const paths = res.body.error.fields.map((f: { path: string }) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['body.birthday', 'body.gender']));
    expect((await app.request('GET', '/api/v1/me/profile', { token: who.token })).body.name).toBe('原名');
    expect((await app.request('GET', '/api/v1/me/profile')).status).toBe(401);
  });
});

describe('export and deletion', () => {
  it('exports everything held about me and nothing secret', async () => {
    const who = await login(app, 'export-me', 'union-export');
    await app.request('PATCH', '/api/v1/me/profile', { token: who.token, body: { name: '导出' } });
    await app.request('POST', '/api/v1/members/join', {
      token: who.token,
      body: { acceptTerms: true, termsVersion: '2026-01', phoneCode: 'test-phone:13700001111' },
    });
    await earnPoints(new Types.ObjectId(who.customerId), 120, 'purchase', 'export-earn');
    await app.request('POST', '/api/v1/admin/staff', { token: admin.token, body: { customerId: who.customerId, role: 'clerk', storeId } });

    const res = await app.request('GET', '/api/v1/me/export', { token: who.token });
    expect(res.status).toBe(200);
    expect(exportResponse.safeParse(res.body).success).toBe(true);
    expect(res.body.customer).toMatchObject({ id: who.customerId, profile: { name: '导出' } });
    expect(res.body.identities.map((i: { kind: string; value: string }) => `${i.kind}=${i.value}`).sort()).toEqual([
      'mp_openid=export-me',
      'unionid=union-export',
    ]);
    expect(res.body.member).toMatchObject({ points: 120, phone: '13700001111', termsVersion: '2026-01' });
    expect(res.body.ledger).toEqual([expect.objectContaining({ type: 'earn', points: 120, reason: 'purchase' })]);
    expect(res.body.timeline.map((t: { type: string }) => t.type)).toEqual(
      expect.arrayContaining(['member.joined', 'points.earned', 'staff.role_granted']),
    );
    expect(res.body.roles).toEqual([expect.objectContaining({ role: 'clerk', storeId })]);
    expect(res.text).not.toContain(who.token);
    expect(res.text).not.toMatch(/session_?key|tokenHash/i);
  });

  it('deletes the account after a confirmation: data and identities erased, sessions revoked, ledger kept anonymous', async () => {
    const who = await login(app, 'delete-me', 'union-delete');
    const otherDevice = await login(app, 'delete-me', 'union-delete');
    await app.request('PATCH', '/api/v1/me/profile', { token: who.token, body: { name: '将删除', birthday: '1985-01-01' } });
    await app.request('POST', '/api/v1/members/join', {
      token: who.token,
      body: { acceptTerms: true, termsVersion: '2026-01', phoneCode: 'test-phone:13600002222' },
    });
    const id = new Types.ObjectId(who.customerId);
    await earnPoints(id, 80, 'purchase', 'delete-earn');

    const start = await app.request('POST', '/api/v1/me/deletion', { token: who.token });
    expect(start.status).toBe(201);
    expect(new Date(start.body.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(10 * 60_000);

    // Someone else's token does not confirm my deletion, nor does a made-up one.
    const stranger = await login(app, 'stranger');
    const foreign = await app.request('POST', '/api/v1/me/deletion/confirm', { token: stranger.token, body: { token: start.body.token } });
    expect(foreign.status).toBe(400);
    expect((await app.request('GET', '/api/v1/me', { token: stranger.token })).status).toBe(200);
    expect((await app.request('POST', '/api/v1/me/deletion/confirm', { token: who.token, body: { token: 'nope' } })).status).toBe(400);
    expect((await app.request('POST', '/api/v1/me/deletion/confirm', { token: who.token, body: {} })).status).toBe(400);
    expect((await getCustomer(id))?.status).toBe('active');

    const done = await app.request('POST', '/api/v1/me/deletion/confirm', { token: who.token, body: { token: start.body.token } });
    expect(done.status).toBe(204);

    expect((await app.request('GET', '/api/v1/me', { token: who.token })).status).toBe(401);
    expect((await app.request('GET', '/api/v1/me', { token: otherDevice.token })).status).toBe(401);
    const erased = await getCustomer(id);
    expect(erased?.status).toBe('deleted');
    expect(erased?.profile?.name).toBeUndefined();
    expect(erased?.profile?.birthday).toBeUndefined();
    expect(await listIdentities(id)).toEqual([]);
    // Membership and ledger stay (totals for the books), closed, without the phone, and under an id
    // that names nobody: nothing is left under the customer's id.
    expect(await Member.countDocuments({ customerId: id })).toBe(0);
    expect(await LedgerEntry.countDocuments({ customerId: id })).toBe(0);
    const kept = await LedgerEntry.findOne({ refKey: 'delete-earn' }).lean();
    expect(kept?.points).toBe(80);
    const memberDoc = await Member.findOne({ customerId: kept!.customerId }).lean();
    expect(memberDoc?.phone).toBeUndefined();
    expect(memberDoc?.closedAt).toBeInstanceOf(Date);

    // Replaying the confirmation does nothing more.
    expect((await app.request('POST', '/api/v1/me/deletion/confirm', { token: who.token, body: { token: start.body.token } })).status).toBe(
      401,
    );

    // Signing in again with the same WeChat account is a new, empty customer.
    const again = await login(app, 'delete-me', 'union-delete');
    expect(again.customerId).not.toBe(who.customerId);
    const me = await app.request('GET', '/api/v1/me', { token: again.token });
    expect(me.body.member).toBeNull();
    expect(me.body.customer.name).toBeNull();
  });
});

describe('deletion left half-done', () => {
  it('is finished by the deletion job', async () => {
    const who = await login(app, 'crash-delete');
    const id = new Types.ObjectId(who.customerId);
    await app.request('PATCH', '/api/v1/me/profile', { token: who.token, body: { name: '中断' } });
    const { token } = (await app.request('POST', '/api/v1/me/deletion', { token: who.token })).body;
    // As if the process died right after marking the request confirmed.
    await DeletionRequest.updateOne({ customerId: id }, { $set: { confirmedAt: new Date(Date.now() - 120_000) } });
    expect(token).toEqual(expect.any(String));
    expect((await getCustomer(id))?.status).toBe('active');

    expect(await finishConfirmedDeletions()).toBe(1);
    expect((await getCustomer(id))?.status).toBe('deleted');
    expect(await listIdentities(id)).toEqual([]);
    expect((await app.request('GET', '/api/v1/me', { token: who.token })).status).toBe(401);
    expect(await DeletionRequest.countDocuments({ customerId: id })).toBe(0);
    await sweepDeletionRequests(new Date(Date.now() + 3_600_000));
  });
});

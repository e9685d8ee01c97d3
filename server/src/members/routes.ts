import Router from '@koa/router';
import {
  adjustPointsRequest,
  identifyRequest,
  joinRequest,
  MemberErrorCode,
  type LedgerEntry as LedgerEntryOut,
  type MeResponse,
  type MemberCodeResponse,
  type PointsAdjustmentList,
  type PointsAdjustmentRequest,
  type PointsPage,
  subscriptionsRequest,
} from '@shared/api/members';
import { pageQuery } from '@shared/api/common';
import { deletionConfirmRequest, updateProfileRequest, type Profile } from '@shared/api/privacy';
import { customerSummaryOf, requireCustomer, requireRole, requireStaff, storeIdInBody } from '../auth';
import { appendTimeline, getCustomer, updateProfile } from '../customers';
import type { AppDeps } from '../platform/app';
import { badRequest, conflict, notFound, unauthenticated } from '../platform/errors';
import { parseWith } from '../platform/http/middleware';
import { enforceRateLimit } from '../platform/http/rateLimit';
import { WechatApiError } from '../wechat/platform';
import { getStore, rolesOf } from '../staff';
import { recordSubscribeAcceptances } from './birthday';
import type { AdjustmentRequestDoc, LedgerDoc } from './model';
import { approveAdjustment, listPendingAdjustments, rejectAdjustment, requestAdjustment } from './adjustments';
import { memberCodeSecret, signMemberCode, verifyMemberCode } from './memberCode';
import { listLedger, pointsBalance } from './points';
import { confirmDeletion, exportPersonalData, requestDeletion } from './privacy';
import { findMemberByNo, getMember, joinMembership, memberStateOf, memberSummaryOf } from './service';

const ledgerOut = (e: LedgerDoc): LedgerEntryOut => ({
  id: e._id.toString(),
  type: e.type,
  points: e.points,
  reason: e.reason,
  at: e.at.toISOString(),
  expiresAt: e.expiresAt ? e.expiresAt.toISOString() : null,
});

const adjustmentOut = (r: AdjustmentRequestDoc): PointsAdjustmentRequest => ({
  id: r._id,
  customerId: r.customerId.toString(),
  points: r.points,
  reason: r.reason,
  refKey: r._id,
  storeId: r.storeId?.toString() ?? null,
  requestedBy: r.requestedBy.toString(),
  state: r.state,
  decidedBy: r.decidedBy?.toString() ?? null,
  createdAt: r.createdAt.toISOString(),
});

/** Staff identifying members: enough for a busy counter, few enough to make guessing codes hopeless. */
const IDENTIFY_LIMIT = { name: 'member-identify', max: 60, windowMs: 60_000 };

export function memberRoutes(deps: AppDeps): Router {
  const router = new Router();
  const signedIn = requireCustomer();

  router.get('/me', signedIn, async (ctx) => {
    const customerId = ctx.state.customerId;
    const [customer, member, roles] = await Promise.all([getCustomer(customerId), getMember(customerId), rolesOf(customerId)]);
    const body: MeResponse = {
      customer: customerSummaryOf(customer!),
      member: member ? await memberStateOf(member) : null,
      roles: await Promise.all(
        roles.map(async (r) => ({
          role: r.role as 'clerk' | 'manager' | 'admin',
          storeId: r.storeId?.toString() ?? null,
          storeName: r.storeId ? ((await getStore(r.storeId))?.name ?? null) : null,
        })),
      ),
    };
    ctx.body = body;
  });

  router.post('/members/join', signedIn, async (ctx) => {
    const input = parseWith(joinRequest, ctx.request.body);
    if (await getMember(ctx.state.customerId)) throw conflict(MemberErrorCode.ALREADY_MEMBER, 'You are a member already.');
    let phone: string | undefined;
    if (input.phoneCode) {
      try {
        phone = (await deps.wechat.miniProgram.getPhoneNumber(input.phoneCode)).purePhoneNumber;
      } catch (err) {
        if (err instanceof WechatApiError) {
          throw badRequest('The phone number code is invalid or used.', [{ path: 'body.phoneCode', message: 'is invalid or used' }]);
        }
        throw err;
      }
    }
    const member = await joinMembership(ctx.state.customerId, { termsVersion: input.termsVersion, phone });
    ctx.status = 201;
    ctx.body = await memberStateOf(member);
  });

  router.get('/me/points', signedIn, async (ctx) => {
    const query = parseWith(pageQuery, ctx.query, 'query');
    const member = await getMember(ctx.state.customerId);
    if (!member) throw conflict(MemberErrorCode.NOT_A_MEMBER, 'Join the membership first.');
    const page = await listLedger(ctx.state.customerId, query);
    const body: PointsPage = {
      items: page.items.map(ledgerOut),
      nextCursor: page.nextCursor,
      balance: await pointsBalance(ctx.state.customerId),
    };
    ctx.body = body;
  });

  router.get('/me/member-code', signedIn, async (ctx) => {
    const member = await getMember(ctx.state.customerId);
    if (!member) throw conflict(MemberErrorCode.NOT_A_MEMBER, 'Join the membership first.');
    const secret = await memberCodeSecret(deps.config.sessionSecret);
    const { code, expiresAt } = signMemberCode(secret, deps.config.miniProgram.appId, member.memberNo);
    ctx.set('Cache-Control', 'no-store');
    const body: MemberCodeResponse = { code, expiresAt: expiresAt.toISOString() };
    ctx.body = body;
  });

  router.post('/staff/members/identify', signedIn, requireStaff(storeIdInBody), async (ctx) => {
    await enforceRateLimit(IDENTIFY_LIMIT, ctx.state.customerId.toString());
    const { code } = parseWith(identifyRequest, ctx.request.body);
    const secret = await memberCodeSecret(deps.config.sessionSecret);
    const memberNo = verifyMemberCode(secret, deps.config.miniProgram.appId, code);
    const member = await findMemberByNo(memberNo);
    if (!member) throw notFound('No such member.');
    const storeId = ctx.state.storeId;
    const store = storeId ? await getStore(storeId) : null;
    await appendTimeline(member.customerId, {
      type: 'member.identified',
      channel: 'store',
      summary: store ? `Identified at ${store.name}` : 'Identified by staff',
      staffId: ctx.state.customerId,
      ...(store ? { storeId: store._id } : {}),
    });
    ctx.body = await memberSummaryOf(member);
  });

  router.post('/staff/points/adjust', signedIn, requireStaff(storeIdInBody), async (ctx) => {
    const input = parseWith(adjustPointsRequest, ctx.request.body);
    const outcome = await requestAdjustment(ctx.state.actor, input, { storeId: ctx.state.storeId, cap: deps.config.pointsAdjustCap });
    if (outcome.kind === 'pending') {
      // Above the cap: held for an admin.
      ctx.status = 202;
      ctx.body = adjustmentOut(outcome.request);
      return;
    }
    ctx.status = outcome.created ? 201 : 200;
    ctx.body = ledgerOut(outcome.entry);
  });

  router.get('/admin/points/adjustments', signedIn, requireRole('admin'), async (ctx) => {
    const body: PointsAdjustmentList = { items: (await listPendingAdjustments()).map(adjustmentOut) };
    ctx.body = body;
  });

  router.post('/admin/points/adjustments/:id/approve', signedIn, requireRole('admin'), async (ctx) => {
    const { entry, created } = await approveAdjustment(ctx.state.actor, ctx.params.id!);
    ctx.status = created ? 201 : 200;
    ctx.body = ledgerOut(entry);
  });

  router.post('/admin/points/adjustments/:id/reject', signedIn, requireRole('admin'), async (ctx) => {
    ctx.body = adjustmentOut(await rejectAdjustment(ctx.state.actor, ctx.params.id!));
  });

  router.post('/me/subscriptions', signedIn, async (ctx) => {
    const { templates } = parseWith(subscriptionsRequest, ctx.request.body);
    ctx.status = 201;
    ctx.body = { accepted: await recordSubscribeAcceptances(ctx.state.customerId, templates) };
  });

  router.get('/me/profile', signedIn, async (ctx) => {
    ctx.body = profileOut(await getCustomer(ctx.state.customerId));
  });

  router.patch('/me/profile', signedIn, async (ctx) => {
    const change = parseWith(updateProfileRequest, ctx.request.body);
    const updated = await updateProfile(ctx.state.customerId, change);
    if (!updated) throw unauthenticated();
    ctx.body = profileOut(updated);
  });

  router.get('/me/export', signedIn, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Content-Disposition', 'attachment; filename="loopline-my-data.json"');
    ctx.body = await exportPersonalData(ctx.state.customerId);
  });

  router.post('/me/deletion', signedIn, async (ctx) => {
    const { token, expiresAt } = await requestDeletion(ctx.state.customerId);
    ctx.status = 201;
    ctx.body = { token, expiresAt: expiresAt.toISOString() };
  });

  router.post('/me/deletion/confirm', signedIn, async (ctx) => {
    const { token } = parseWith(deletionConfirmRequest, ctx.request.body);
    await confirmDeletion(ctx.state.customerId, token);
    ctx.status = 204;
  });

  return router;
}

function profileOut(customer: Awaited<ReturnType<typeof getCustomer>>): Profile {
  const p = customer?.profile;
  return {
    name: p?.name ?? null,
    birthday: p?.birthday ?? null,
    gender: (p?.gender as Profile['gender']) ?? null,
    preferences: p?.preferences ?? [],
  };
}

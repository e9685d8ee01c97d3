import Router from '@koa/router';
import type { Context } from 'koa';
import { Types } from 'mongoose';
import {
  acceptGiftSchema,
  createCampaignSchema,
  funnelQuerySchema,
  idempotencyKeySchema,
  previewSchema,
  redeemSchema,
  updateCampaignSchema,
  type CampaignListView,
} from '@shared/coupons';
import { DEVICE_HEADER } from '@shared/engagement';
import { requireCustomer, requireRole, requireStaff, storeIdInBody, storeIdInQuery } from '../auth';
import type { AppDeps } from '../platform/app';
import { badRequest } from '../platform/http/errors';
import { parseWith } from '../platform/http/middleware';
import { createCampaign, getCampaign, listCampaigns, listClaimableCampaigns, updateCampaign, withCounts } from './campaigns';
import { claimCoupon, getMyCoupon, listMyCoupons } from './claim';
import { funnelReport } from './funnel';
import { acceptGift, cancelGift, createGift } from './gifts';
import { couponPolicy } from './policies';
import { issueQrToken, useSessionSecret } from './qr';
import { listClerkRedemptionsToday, previewRedemption, redeemCoupon, voidRedemption } from './redeem';
import { splitByTier } from './tierAccess';
import { campaignView, couponView, redemptionView } from './views';

/** The request's client as the engagement review sees it (hashed there, never stored as it is). */
const clientOf = (ctx: Context) => ({ ip: ctx.ip, device: ctx.get(DEVICE_HEADER) || undefined });

/** The store a staff member acts for, as requireStaff settled it. */
function tillStore(ctx: Context): Types.ObjectId {
  const storeId = ctx.state.storeId;
  if (!storeId || !Types.ObjectId.isValid(storeId)) {
    throw badRequest('Say which store this is for.', [{ path: 'body.storeId', message: 'is required' }]);
  }
  return new Types.ObjectId(storeId);
}

export function couponRoutes(deps: AppDeps): Router {
  useSessionSecret(deps.config.sessionSecret);
  const router = new Router();
  const signedIn = requireCustomer();

  // Admin: campaigns and the funnel.
  router.post('/admin/campaigns', signedIn, requireRole('admin'), async (ctx) => {
    const input = parseWith(createCampaignSchema, ctx.request.body);
    ctx.status = 201;
    ctx.body = campaignView(await createCampaign(input, ctx.state.customerId));
  });
  router.get('/admin/campaigns', signedIn, requireRole('admin'), async (ctx) => {
    ctx.body = { items: (await listCampaigns()).map(campaignView) };
  });
  router.get('/admin/campaigns/:id', signedIn, requireRole('admin'), async (ctx) => {
    ctx.body = campaignView((await withCounts([await getCampaign(ctx.params.id!)]))[0]!);
  });
  router.patch('/admin/campaigns/:id', signedIn, requireRole('admin'), async (ctx) => {
    const change = parseWith(updateCampaignSchema, ctx.request.body);
    ctx.body = campaignView(await updateCampaign(ctx.params.id!, change));
  });
  router.get('/admin/reports/funnel', signedIn, requireRole('admin'), async (ctx) => {
    const { campaignId } = parseWith(funnelQuerySchema, ctx.query, 'query');
    ctx.body = await funnelReport(campaignId);
  });

  // Customers: claim, hold, show, give.
  router.get('/campaigns', signedIn, async (ctx) => {
    const { open, locked } = await splitByTier(await listClaimableCampaigns('mini_program'), ctx.state.customerId);
    const body: CampaignListView = {
      items: open.map(campaignView),
      locked: locked.map(({ campaign, requiredTier }) => ({
        ...campaignView(campaign),
        requiredTier: { id: requiredTier.id, name: requiredTier.name },
      })),
    };
    ctx.body = body;
  });
  router.post('/campaigns/:id/claim', signedIn, async (ctx) => {
    const header = ctx.get('idempotency-key');
    const idempotencyKey = header ? parseWith(idempotencyKeySchema, header, 'headers.idempotency-key') : undefined;
    const { coupon } = await claimCoupon(ctx.params.id!, ctx.state.customerId, {
      channel: 'mini_program',
      idempotencyKey,
      client: clientOf(ctx),
    });
    // A claim held for review: accepted, not issued yet (an admin's review decides).
    const underReview = coupon.state === 'held';
    ctx.status = underReview ? 202 : 201;
    ctx.body = { coupon: couponView(coupon), ...(underReview ? { underReview } : {}) };
  });
  router.get('/coupons', signedIn, async (ctx) => {
    const state = typeof ctx.query.state === 'string' ? ctx.query.state : undefined;
    ctx.body = { items: (await listMyCoupons(ctx.state.customerId, state)).map(couponView) };
  });
  router.get('/coupons/:id', signedIn, async (ctx) => {
    ctx.body = { coupon: couponView(await getMyCoupon(ctx.state.customerId, ctx.params.id!)) };
  });
  router.get('/coupons/:id/qr-token', signedIn, async (ctx) => {
    const coupon = await getMyCoupon(ctx.state.customerId, ctx.params.id!);
    const { token, expiresAt } = await issueQrToken(coupon._id);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { token, expiresAt: expiresAt.toISOString() };
  });
  router.post('/coupons/:id/gift', signedIn, async (ctx) => {
    const gift = await createGift(ctx.params.id!, ctx.state.customerId);
    ctx.status = 201;
    ctx.body = { token: gift.token, expiresAt: gift.expiresAt.toISOString(), coupon: couponView(gift.coupon) };
  });
  router.delete('/coupons/:id/gift', signedIn, async (ctx) => {
    ctx.body = { coupon: couponView(await cancelGift(ctx.params.id!, ctx.state.customerId)) };
  });
  router.post('/gifts/accept', signedIn, async (ctx) => {
    const { token } = parseWith(acceptGiftSchema, ctx.request.body);
    ctx.body = { coupon: couponView(await acceptGift(token, ctx.state.customerId, new Date(), clientOf(ctx))) };
  });

  // Store staff: check, redeem, void, today's list.
  const staff = requireStaff(storeIdInBody);
  router.post('/staff/redemptions/preview', signedIn, staff, async (ctx) => {
    const input = parseWith(previewSchema, ctx.request.body);
    ctx.body = await previewRedemption(input, { storeId: tillStore(ctx) });
  });
  router.post('/staff/redemptions', signedIn, staff, async (ctx) => {
    const input = parseWith(redeemSchema, ctx.request.body);
    const { redemption, coupon } = await redeemCoupon(input, { storeId: tillStore(ctx), staffId: ctx.state.customerId });
    ctx.status = 201;
    ctx.body = { redemption: redemptionView(redemption), coupon: couponView(coupon) };
  });
  router.get('/staff/redemptions/today', signedIn, requireStaff(storeIdInQuery), async (ctx) => {
    ctx.body = { items: (await listClerkRedemptionsToday(ctx.state.customerId)).map(redemptionView) };
  });
  router.post('/staff/redemptions/:id/void', signedIn, requireRole('manager'), async (ctx) => {
    const actor = ctx.state.actor;
    const managed = couponPolicy.voidableStores(actor);
    const { redemption, coupon } = await voidRedemption(ctx.params.id!, ctx.state.customerId, new Date(), managed);
    ctx.body = { redemption: redemptionView(redemption), coupon: couponView(coupon) };
  });

  return router;
}

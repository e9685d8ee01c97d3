import Router from '@koa/router';
import { idempotencyKeySchema } from '@shared/coupons';
import type { PointsExchangeOffers, PointsExchangeResult } from '@shared/pointsExchange';
import { requireCustomer } from '../auth';
import { campaignView, couponView } from '../coupons';
import { pointsBalance } from '../members';
import { parseWith } from '../platform/http/middleware';
import { exchangePoints, listExchanges, listOffers } from './service';
import { exchangeView } from './views';

/** `/api/v1/points-exchange`: members spend points on coupons (contract in shared/pointsExchange.ts). */
export function pointsExchangeRoutes(): Router {
  const router = new Router({ prefix: '/points-exchange' });
  router.use(requireCustomer());

  router.get('/', async (ctx) => {
    const { balance, tier, offers } = await listOffers(ctx.state.customerId);
    const body: PointsExchangeOffers = {
      balance,
      tier: { id: tier.id, name: tier.name },
      items: offers.map(({ campaign, affordable, requiredTier }) => ({
        ...campaignView(campaign),
        pointsPrice: campaign.pointsPrice!,
        affordable,
        ...(requiredTier ? { requiredTier } : {}),
      })),
    };
    ctx.body = body;
  });

  router.get('/history', async (ctx) => {
    ctx.body = { items: (await listExchanges(ctx.state.customerId)).map(exchangeView) };
  });

  router.post('/:campaignId', async (ctx) => {
    const header = ctx.get('idempotency-key');
    const idempotencyKey = header ? parseWith(idempotencyKeySchema, header, 'headers.idempotency-key') : undefined;
    const { exchange, coupon, created } = await exchangePoints(ctx.state.customerId, ctx.params.campaignId!, { idempotencyKey });
    const body: PointsExchangeResult = {
      exchange: exchangeView(exchange),
      coupon: couponView(coupon),
      balance: await pointsBalance(ctx.state.customerId),
    };
    ctx.status = created ? 201 : 200;
    ctx.body = body;
  });

  return router;
}

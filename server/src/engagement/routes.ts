import Router from '@koa/router';
import { reviewDecisionSchema, reviewQuerySchema, type ReviewListView } from '@shared/engagement';
import { requireCustomer, requireRole } from '../auth';
import { parseWith } from '../platform/http/middleware';
import { decide, listQueue } from './review';
import { flagView } from './views';

/** The review queue: admins only (a clerk never sees who was flagged, nor any address). */
export function engagementRoutes(): Router {
  const router = new Router();
  const admin = [requireCustomer(), requireRole('admin')] as const;

  router.get('/admin/engagement/review', ...admin, async (ctx) => {
    const q = parseWith(reviewQuerySchema, ctx.query, 'query');
    const { items, counts } = await listQueue(q.status, q.kind, q.limit);
    const body: ReviewListView = { items: items.map(flagView), counts };
    ctx.body = body;
  });
  router.post('/admin/engagement/review/:id/decision', ...admin, async (ctx) => {
    const decision = parseWith(reviewDecisionSchema, ctx.request.body);
    ctx.body = { flag: flagView(await decide(ctx.params.id!, decision, ctx.state.customerId)) };
  });
  return router;
}

import Router from '@koa/router';
import { dashboardQuery } from '@shared/api/analytics';
import { requireCustomer, requireRole } from '../auth';
import { parseWith } from '../platform/http/middleware';
import { dashboardCsv } from './csv';
import { dashboardReport, type FlaggedCountsSource } from './dashboard';
import { analyticsPolicy } from './policies';

export function analyticsRoutes(options: { flaggedCounts: FlaggedCountsSource }): Router {
  const router = new Router();
  const signedIn = requireCustomer();

  const report = async (query: unknown, actor: Parameters<typeof analyticsPolicy.dashboardScope>[0]) => {
    const input = parseWith(dashboardQuery, query, 'query');
    const storeId = analyticsPolicy.dashboardScope(actor, input.storeId);
    return dashboardReport({ from: input.from, to: input.to, storeId }, { flaggedCounts: options.flaggedCounts });
  };

  router.get('/analytics/dashboard', signedIn, requireRole('manager'), async (ctx) => {
    ctx.body = await report(ctx.query, ctx.state.actor);
  });
  router.get('/analytics/dashboard.csv', signedIn, requireRole('manager'), async (ctx) => {
    const r = await report(ctx.query, ctx.state.actor);
    ctx.set('Content-Type', 'text/csv; charset=utf-8');
    ctx.set(
      'Content-Disposition',
      `attachment; filename="loopline-dashboard-${r.range.from}-${r.range.to}${r.storeId ? `-${r.storeId}` : ''}.csv"`,
    );
    ctx.body = dashboardCsv(r);
  });
  return router;
}

import Router from '@koa/router';
import type { Context } from 'koa';
import { Types } from 'mongoose';
import { complaintScoresQuery, labelComplaintRequest } from '@shared/api/complaints';
import { requireCustomer, requireRole, requireStaff } from '../../auth';
import { notFound } from '../../platform/http/errors';
import { parseWith } from '../../platform/http/middleware';
import { rolesOf } from '../../staff';
import { maySeeScore } from './policies';
import { retrainComplaintModel } from './retrain';
import { activeModel } from './scorer';
import { getScore, labelScore, listScores } from './service';
import { modelInfoView, scoredMessageView } from './views';

/** The staff inbox's scored messages and their "was / was not a complaint" labels; the model for admins. */
export function complaintRoutes(): Router {
  const router = new Router();
  const signedIn = requireCustomer();
  const storeOfQuery = (ctx: Context) => (typeof ctx.query.storeId === 'string' ? ctx.query.storeId : undefined);

  router.get('/staff/complaint-scores', signedIn, requireStaff(storeOfQuery), async (ctx) => {
    const query = parseWith(complaintScoresQuery, ctx.query, 'query');
    const storeId = ctx.state.storeId as string | undefined;
    const items = await listScores(storeId ? { storeId: new Types.ObjectId(storeId) } : { all: true }, {
      level: query.level,
      limit: query.limit,
    });
    ctx.body = { items: items.map(({ score, label }) => scoredMessageView(score, label)) };
  });

  router.post('/staff/complaint-scores/:id/label', signedIn, requireRole('clerk', 'manager'), async (ctx) => {
    const input = parseWith(labelComplaintRequest, ctx.request.body);
    const score = await getScore(ctx.params.id!);
    if (!score || !maySeeScore(await rolesOf(ctx.state.customerId), score)) throw notFound('No such scored message.');
    const label = await labelScore(score, input.complaint, ctx.state.customerId);
    ctx.body = scoredMessageView(score, label);
  });

  router.get('/admin/complaint-model', signedIn, requireRole('admin'), async (ctx) => {
    ctx.body = modelInfoView(await activeModel());
  });

  router.post('/admin/complaint-model/retrain', signedIn, requireRole('admin'), async (ctx) => {
    const result = await retrainComplaintModel({ force: true });
    ctx.body = { retrained: result.retrained, version: result.version, staffLabels: result.staffLabels };
  });

  return router;
}

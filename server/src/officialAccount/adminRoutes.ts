import Router from '@koa/router';
import type { KeywordRuleList } from '@shared/officialAccount';
import { requireCustomer, requireRole } from '../auth';
import {
  createKeywordRule,
  deleteKeywordRule,
  listKeywordRules,
  seedDefaultKeywordRules,
  updateKeywordRule,
} from './keywordRules';

/** `/api/v1/admin/keyword-rules`: the operator's keyword rules (admins only; contract in shared/officialAccount.ts). */
export function keywordRuleAdminRoutes(): Router {
  const router = new Router({ prefix: '/admin/keyword-rules' });
  router.use(requireCustomer(), requireRole('admin'));

  router.get('/', async (ctx) => {
    // The defaults appear as soon as anyone looks, not only after the first follower writes.
    await seedDefaultKeywordRules();
    const body: KeywordRuleList = { items: await listKeywordRules() };
    ctx.body = body;
  });

  router.post('/', async (ctx) => {
    await seedDefaultKeywordRules();
    ctx.status = 201;
    ctx.body = await createKeywordRule(ctx.request.body);
  });

  router.patch('/:id', async (ctx) => {
    ctx.body = await updateKeywordRule(ctx.params.id!, ctx.request.body);
  });

  router.delete('/:id', async (ctx) => {
    await deleteKeywordRule(ctx.params.id!);
    ctx.status = 204;
  });

  return router;
}

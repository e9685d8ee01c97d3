import Router from '@koa/router';
import type { KeywordRuleList } from '@shared/officialAccount';
import { requireCustomer, requireRole } from '../auth';
import type { AppDeps } from '../platform/app';
import { deleteLiveMenu, getMenuState, liveMenu, publishMenu, saveMenuDraft } from './customMenu';
import { createKeywordRule, deleteKeywordRule, listKeywordRules, seedDefaultKeywordRules, updateKeywordRule } from './keywordRules';

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

/** `/api/v1/admin/oa-menu`: the official account's custom menu (admins only; contract in shared/officialAccount.ts). */
export function menuAdminRoutes(deps: AppDeps): Router {
  const router = new Router({ prefix: '/admin/oa-menu' });
  router.use(requireCustomer(), requireRole('admin'));

  router.get('/', async (ctx) => {
    ctx.body = await getMenuState();
  });
  router.put('/', async (ctx) => {
    ctx.body = await saveMenuDraft(ctx.request.body, ctx.state.customerId);
  });
  router.post('/publish', async (ctx) => {
    ctx.body = await publishMenu(deps.wechat, ctx.state.customerId);
  });
  router.get('/live', async (ctx) => {
    ctx.body = { menu: await liveMenu(deps.wechat) };
  });
  router.delete('/live', async (ctx) => {
    await deleteLiveMenu(deps.wechat);
    ctx.status = 204;
  });

  return router;
}

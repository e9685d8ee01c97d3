import Router from '@koa/router';
import { recipientsQuery, type OutreachList, type RecipientPage } from '@shared/api/outreach';
import { requireCustomer, requireRole } from '../auth';
import { parseWith } from '../platform/http/middleware';
import type { SegmentResolver } from './audience';
import { createOutreach, getOutreach, listOutreaches, listRecipients, previewOutreach, progressOf, startSending } from './service';
import { outreachView, recipientView } from './views';

export interface OutreachRouteDeps {
  resolveSegment: SegmentResolver;
  weeklyCap: number;
  /** Starts a sending pass now rather than at the job's next interval. */
  kick: () => void;
}

/** `/api/v1/admin/outreaches`: compose, preview, send and follow an outreach (admins; contract in shared/api/outreach.ts). */
export function outreachRoutes(deps: OutreachRouteDeps): Router {
  const router = new Router({ prefix: '/admin/outreaches' });
  router.use(requireCustomer(), requireRole('admin'));

  router.get('/', async (ctx) => {
    const items = await listOutreaches();
    const body: OutreachList = { items: await Promise.all(items.map(async (o) => outreachView(o, await progressOf(o)))) };
    ctx.body = body;
  });

  router.post('/', async (ctx) => {
    const outreach = await createOutreach(ctx.request.body, ctx.state.customerId);
    ctx.status = 201;
    ctx.body = outreachView(outreach, await progressOf(outreach));
  });

  router.get('/:id', async (ctx) => {
    const outreach = await getOutreach(ctx.params.id!);
    ctx.body = outreachView(outreach, await progressOf(outreach));
  });

  router.post('/:id/preview', async (ctx) => {
    ctx.body = await previewOutreach(await getOutreach(ctx.params.id!), deps.resolveSegment, deps.weeklyCap);
  });

  router.post('/:id/send', async (ctx) => {
    const outreach = await startSending(await getOutreach(ctx.params.id!), deps.resolveSegment);
    deps.kick();
    ctx.status = 202;
    ctx.body = outreachView(outreach, await progressOf(outreach));
  });

  router.get('/:id/recipients', async (ctx) => {
    const outreach = await getOutreach(ctx.params.id!);
    const page = await listRecipients(outreach, parseWith(recipientsQuery, ctx.query, 'query'));
    const body: RecipientPage = { items: page.items.map(recipientView), nextCursor: page.nextCursor };
    ctx.body = body;
  });

  return router;
}

import Router from '@koa/router';
import type { Context } from 'koa';
import { Types } from 'mongoose';
import {
  addNoteRequest,
  applyTagRequest,
  createTagRequest,
  customerSearchQuery,
  customerViewQuery,
  previewSegmentRequest,
  segmentDefinition,
  timelineQuery,
  type SegmentCondition,
  type SegmentCount,
} from '@shared/api/crm';
import { requireCustomer, requireRole, requireStaff, storeIdInBody, storeIdInQuery } from '../auth';
import { badRequest, forbidden } from '../platform/errors';
import { parseWith } from '../platform/http/middleware';
import type { Actor } from '../staff';
import { advocateRanking } from './advocates';
import { addNote, customerBrief, customerView, searchCustomers, timelinePage, visibleCustomer } from './customerView';
import { crmPolicy } from './policies';
import { createSegment, deleteSegment, getSegment, listSegments, segmentMembers } from './segments';
import { applyManualTag, createTag, listTags, removeManualTag, tagCount } from './tags';
import { todayFor } from './today';
import { segmentView, tagView, timelineItemView } from './views';

const PREVIEW = 10;
const actorOf = (ctx: Context) => ctx.state.actor as Actor;
const storeOf = (ctx: Context) => (ctx.state.storeId ? new Types.ObjectId(ctx.state.storeId as string) : undefined);

async function countAndPreview(conditions: SegmentCondition[]): Promise<SegmentCount> {
  const started = performance.now();
  const { ids, asOf } = await segmentMembers(conditions);
  const tookMs = Math.round(performance.now() - started);
  const preview = await Promise.all(ids.slice(0, PREVIEW).map((id) => customerBrief(new Types.ObjectId(id))));
  return { count: ids.length, preview: preview.filter((p) => p !== undefined), tookMs, asOf: asOf?.toISOString() ?? null };
}

/** `/api/v1/admin/crm/*` (the admin) and `/api/v1/staff/customers|today|tags` (store staff). */
export function crmRoutes(): Router {
  const router = new Router();
  const admin = [requireCustomer(), requireRole('admin')] as const;
  const assertManage = (ctx: Context) => {
    if (!crmPolicy.manage(actorOf(ctx))) throw forbidden();
  };

  router.get('/admin/crm/tags', ...admin, async (ctx) => {
    assertManage(ctx);
    const tags = await listTags();
    ctx.body = { items: await Promise.all(tags.map(async (t) => tagView(t, await tagCount(t._id)))) };
  });
  router.post('/admin/crm/tags', ...admin, async (ctx) => {
    assertManage(ctx);
    const tag = await createTag(parseWith(createTagRequest, ctx.request.body));
    ctx.status = 201;
    ctx.body = tagView(tag, 0);
  });

  router.get('/admin/crm/segments', ...admin, async (ctx) => {
    assertManage(ctx);
    ctx.body = { items: (await listSegments()).map(segmentView) };
  });
  router.post('/admin/crm/segments', ...admin, async (ctx) => {
    assertManage(ctx);
    const segment = await createSegment(parseWith(segmentDefinition, ctx.request.body), actorOf(ctx).customerId);
    ctx.status = 201;
    ctx.body = segmentView(segment);
  });
  router.post('/admin/crm/segments/preview', ...admin, async (ctx) => {
    assertManage(ctx);
    ctx.body = await countAndPreview(parseWith(previewSegmentRequest, ctx.request.body).conditions);
  });
  router.get('/admin/crm/segments/:id', ...admin, async (ctx) => {
    assertManage(ctx);
    const segment = await getSegment(ctx.params.id!);
    ctx.body = { segment: segmentView(segment), ...(await countAndPreview(segment.conditions as SegmentCondition[])) };
  });
  router.delete('/admin/crm/segments/:id', ...admin, async (ctx) => {
    assertManage(ctx);
    await deleteSegment(ctx.params.id!);
    ctx.status = 204;
  });
  router.get('/admin/crm/advocates', ...admin, async (ctx) => {
    assertManage(ctx);
    ctx.body = { items: await advocateRanking() };
  });

  const staffQ = [requireCustomer(), requireStaff(storeIdInQuery)] as const;
  const staffB = [requireCustomer(), requireStaff(storeIdInBody)] as const;

  router.get('/staff/tags', ...staffQ, async (ctx) => {
    const tags = (await listTags()).filter((t) => t.kind === 'manual');
    ctx.body = { items: tags.map((t) => ({ id: t._id.toString(), name: t.name })) };
  });
  router.get('/staff/today', ...staffQ, async (ctx) => {
    const store = storeOf(ctx);
    if (!store) throw badRequest('Say which store (storeId).', [{ path: 'query.storeId', message: 'required' }]);
    ctx.body = await todayFor(store);
  });
  router.get('/staff/customers', ...staffQ, async (ctx) => {
    const { q } = parseWith(customerSearchQuery, ctx.query, 'query');
    ctx.body = { items: await searchCustomers(actorOf(ctx), storeOf(ctx), q) };
  });
  router.get('/staff/customers/:id', ...staffQ, async (ctx) => {
    parseWith(customerViewQuery, ctx.query, 'query');
    const id = await visibleCustomer(actorOf(ctx), storeOf(ctx), ctx.params.id!);
    ctx.body = await customerView(id);
  });
  router.get('/staff/customers/:id/timeline', ...staffQ, async (ctx) => {
    const { limit, cursor } = parseWith(timelineQuery, ctx.query, 'query');
    const id = await visibleCustomer(actorOf(ctx), storeOf(ctx), ctx.params.id!);
    const page = await timelinePage(id, limit, cursor);
    ctx.body = { items: page.items.map(timelineItemView), nextCursor: page.nextCursor };
  });
  router.post('/staff/customers/:id/notes', ...staffB, async (ctx) => {
    const { text } = parseWith(addNoteRequest, ctx.request.body);
    const id = await visibleCustomer(actorOf(ctx), storeOf(ctx), ctx.params.id!);
    const note = await addNote(id, text, { staffId: actorOf(ctx).customerId, storeId: storeOf(ctx) });
    ctx.status = 201;
    ctx.body = { text, at: note.at.toISOString() };
  });
  router.post('/staff/customers/:id/tags', ...staffB, async (ctx) => {
    const { tagId } = parseWith(applyTagRequest, ctx.request.body);
    const id = await visibleCustomer(actorOf(ctx), storeOf(ctx), ctx.params.id!);
    const { created, tag } = await applyManualTag(id, tagId, { staffId: actorOf(ctx).customerId, storeId: storeOf(ctx) });
    ctx.status = created ? 201 : 200;
    ctx.body = { id: tag._id.toString(), name: tag.name, kind: tag.kind };
  });
  router.delete('/staff/customers/:id/tags/:tagId', ...staffQ, async (ctx) => {
    const id = await visibleCustomer(actorOf(ctx), storeOf(ctx), ctx.params.id!);
    await removeManualTag(id, ctx.params.tagId!, { staffId: actorOf(ctx).customerId, storeId: storeOf(ctx) });
    ctx.status = 204;
  });

  return router;
}

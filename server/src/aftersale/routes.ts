import Router from '@koa/router';
import type { Context } from 'koa';
import { Types } from 'mongoose';
import { ErrorCode } from '@shared/errors';
import {
  FINAL_STATES,
  STATE_LABELS,
  TicketErrorCode,
  canTransition,
  createTicketSchema,
  inboxQuerySchema,
  rateTicketSchema,
  roleOn,
  setPrioritySchema,
  ticketMessageSchema,
  transitionTicketSchema,
  type TicketActor,
  type TicketRuleView,
  type TicketState,
} from '@shared/tickets';
import { requireCustomer, requireStaff } from '../auth';
import { getStore, listStores, rolesOf } from '../staff';
import { AppError, badRequest, conflict, notFound } from '../platform/http/errors';
import { parseWith, readRawBody } from '../platform/http/middleware';
import { addTicketPhoto, extractUploadedFile, getTicketPhoto, listTicketPhotos, MAX_UPLOAD_BODY_BYTES } from './photos';
import type { TicketDoc, TicketMessageDoc } from './model';
import { listNotifications } from './notifications';
import {
  actionsFor,
  createTicket,
  getTicket,
  listCustomerTickets,
  listInbox,
  listMessages,
  postMessage,
  rateTicket,
  setPriority,
  ticketNumber,
  transition,
} from './service';
import { slaBadge } from './sla';
import type { AppDeps } from '../platform/app';

/** Every capacity the signed-in person may act in: as a customer, as staff of each store, as admin. */
async function actorsOf(ctx: Context): Promise<TicketActor[]> {
  const me = String(ctx.state.customerId);
  const actors: TicketActor[] = [{ kind: 'customer', customerId: me }];
  for (const grant of await rolesOf(ctx.state.customerId)) {
    if (grant.role === 'admin') actors.push({ kind: 'admin', adminId: me });
    else if (grant.storeId) actors.push({ kind: 'staff', staffId: me, role: grant.role as 'clerk' | 'manager', storeId: String(grant.storeId) });
  }
  return actors;
}

const view = (t: TicketDoc): TicketRuleView => ({
  state: t.state as TicketState,
  customerId: String(t.customerId),
  storeId: t.storeId ? String(t.storeId) : null,
  resolvedAt: t.resolvedAt ?? null,
});

/** The first capacity that has any business with this ticket, or 404. */
async function actorOn(ctx: Context, ticket: TicketDoc | null): Promise<TicketActor> {
  if (!ticket) throw notFound('No such ticket.');
  const actor = (await actorsOf(ctx)).find((a) => roleOn(view(ticket), a));
  if (!actor) throw notFound('No such ticket.');
  return actor;
}

function ticketOut(t: TicketDoc, actor: TicketActor, now = new Date()) {
  const staffView = actor.kind !== 'customer';
  return {
    id: String(t._id),
    number: ticketNumber(t._id),
    customerId: String(t.customerId),
    storeId: t.storeId ? String(t.storeId) : null,
    type: t.type,
    orderRef: t.orderRef ?? null,
    description: t.description,
    photos: t.photos ?? [],
    contact: { preference: t.contact?.preference ?? 'wechat', ...(t.contact?.phone ? { phone: t.contact.phone } : {}) },
    priority: t.priority,
    state: t.state,
    stateLabel: STATE_LABELS[t.state as TicketState],
    source: t.source,
    sla: {
      firstResponseDue: t.sla?.firstResponseDue ?? null,
      firstRespondedAt: t.sla?.firstRespondedAt ?? null,
      resolutionDue: t.sla?.resolutionDue ?? null,
      badge: slaBadge({ state: t.state as TicketState, sla: t.sla }, now),
    },
    ...(staffView ? { atRisk: t.atRisk, overdue: t.overdue, escalations: t.escalations ?? 0 } : {}),
    resolution: t.resolution ?? null,
    resolvedAt: t.resolvedAt ?? null,
    rating: t.rating?.stars ? { stars: t.rating.stars, comment: t.rating.comment ?? null } : null,
    history: (t.history ?? []).map((h) => ({
      action: h.action,
      from: h.from ?? null,
      to: h.to ?? null,
      at: h.at,
      by: h.actor?.kind,
      reason: h.reason ?? null,
    })),
    allowedActions: actionsFor(t, actor, now),
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}

const messageOut = (m: TicketMessageDoc) => ({
  id: String(m._id),
  from: m.author?.kind === 'customer' ? 'customer' : 'staff',
  text: m.text,
  photos: m.photos ?? [],
  at: m.at,
  ...(m.delivery ? { delivery: m.delivery } : {}),
});

export function aftersaleRoutes(deps?: Pick<AppDeps, 'wechat' | 'log'>): Router {
  const router = new Router();
  const signedIn = requireCustomer();

  router.post('/tickets', signedIn, async (ctx) => {
    const input = parseWith(createTicketSchema, ctx.request.body);
    const store = await getStore(input.storeId);
    if (!store || store.active === false) throw badRequest('No such store.', [{ path: 'body.storeId', message: 'unknown store' }]);
    const ticket = await createTicket(ctx.state.customerId, input);
    ctx.status = 201;
    ctx.body = ticketOut(ticket, { kind: 'customer', customerId: String(ctx.state.customerId) });
  });

  /** The stores a customer may file a ticket with (the new-ticket page's choice). */
  router.get('/aftersale/stores', signedIn, async (ctx) => {
    const stores = (await listStores()).filter((s) => s.active !== false);
    ctx.body = { items: stores.map((s) => ({ id: String(s._id), name: s.name, city: s.city ?? null })) };
  });

  router.get('/tickets', signedIn, async (ctx) => {
    const me: TicketActor = { kind: 'customer', customerId: String(ctx.state.customerId) };
    const tickets = await listCustomerTickets(ctx.state.customerId);
    ctx.body = { items: tickets.map((t) => ticketOut(t, me)) };
  });

  router.get('/tickets/:id', signedIn, async (ctx) => {
    const ticket = await getTicket(ctx.params.id!);
    const actor = await actorOn(ctx, ticket);
    ctx.body = ticketOut(ticket!, actor);
  });

  router.post('/tickets/:id/transitions', signedIn, async (ctx) => {
    const input = parseWith(transitionTicketSchema, ctx.request.body);
    const ticket = await getTicket(ctx.params.id!);
    await actorOn(ctx, ticket);
    const now = new Date();
    const actors = await actorsOf(ctx);
    // Act in the capacity that may take this action; otherwise let the first relevant one explain why not.
    const actor =
      actors.find((a) => canTransition(view(ticket!), input.action, a, input, now).ok) ??
      actors.find((a) => roleOn(view(ticket!), a))!;
    const updated = await transition(ticket!._id, input.action, actor, input, now);
    ctx.body = ticketOut(updated, actor, now);
  });

  router.get('/tickets/:id/messages', signedIn, async (ctx) => {
    const ticket = await getTicket(ctx.params.id!);
    const actor = await actorOn(ctx, ticket);
    ctx.body = { items: (await listMessages(ticket!._id, actor)).map(messageOut) };
  });

  router.post('/tickets/:id/messages', signedIn, async (ctx) => {
    const input = parseWith(ticketMessageSchema, ctx.request.body);
    const ticket = await getTicket(ctx.params.id!);
    const actor = await actorOn(ctx, ticket);
    const posted = await postMessage(ticket!._id, actor, input, new Date(), deps ?? {});
    ctx.status = posted.created ? 201 : 200;
    ctx.body = messageOut(posted.message);
  });

  router.post('/tickets/:id/rating', signedIn, async (ctx) => {
    const input = parseWith(rateTicketSchema, ctx.request.body);
    const me: TicketActor = { kind: 'customer', customerId: String(ctx.state.customerId) };
    const updated = await rateTicket(ctx.params.id!, me, input);
    ctx.body = ticketOut(updated, me);
  });

  const storeOfQuery = (ctx: Context) => (typeof ctx.query.storeId === 'string' ? ctx.query.storeId : undefined);

  router.get('/staff/tickets', signedIn, requireStaff(storeOfQuery), async (ctx) => {
    const query = parseWith(inboxQuerySchema, ctx.query, 'query');
    const storeId = ctx.state.storeId;
    const now = new Date();
    const items = await listInbox(storeId ? { storeId: new Types.ObjectId(storeId) } : { all: true }, { now, limit: query.limit });
    const actors = await actorsOf(ctx);
    ctx.body = {
      items: items.map(({ ticket }) => ticketOut(ticket, actors.find((a) => roleOn(view(ticket), a)) ?? actors[0]!, now)),
    };
  });

  router.get('/staff/notifications', signedIn, requireStaff(storeOfQuery), async (ctx) => {
    const query = parseWith(inboxQuerySchema, ctx.query, 'query');
    const storeId = ctx.state.storeId;
    const items = await listNotifications(storeId ? { storeId: new Types.ObjectId(storeId) } : { admins: true }, { limit: query.limit });
    ctx.body = {
      items: items.map((n) => ({
        id: String(n._id),
        kind: n.kind,
        title: n.title,
        ticketId: String(n.ticketId),
        at: n.at,
        read: !!n.readAt,
      })),
    };
  });

  router.post('/staff/tickets/:id/priority', signedIn, async (ctx) => {
    const input = parseWith(setPrioritySchema, ctx.request.body);
    const ticket = await getTicket(ctx.params.id!);
    const actors = (await actorsOf(ctx)).filter((a) => a.kind !== 'customer');
    const actor = ticket ? actors.find((a) => roleOn(view(ticket), a)) : undefined;
    if (!ticket || !actor) throw notFound('No such ticket.');
    const updated = await setPriority(ticket._id, input.priority, actor);
    ctx.body = ticketOut(updated!, actor);
  });

  return router;
}

/**
 * Ticket photos, mounted beside the JSON API (at /api/v1 as well) because uploads are not JSON: a
 * multipart/form-data body as Taro.uploadFile sends it, or a raw image/* body.
 */
export function aftersalePhotoRoutes(): Router {
  const router = new Router({ prefix: '/api/v1' });
  const signedIn = requireCustomer();

  router.post('/tickets/:id/photos', signedIn, async (ctx) => {
    const ticket = await getTicket(ctx.params.id!);
    const actor = await actorOn(ctx, ticket);
    if (FINAL_STATES.includes(ticket!.state as TicketState)) {
      throw conflict(TicketErrorCode.TICKET_CLOSED, 'This ticket is closed; photos can no longer be added.');
    }
    const type = ctx.get('content-type');
    if (!/^(multipart\/form-data|image\/|application\/octet-stream)/i.test(type)) {
      throw new AppError(415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Send the photo as multipart/form-data or as an image body.');
    }
    const body = await readRawBody(ctx, MAX_UPLOAD_BODY_BYTES);
    const by = actor.kind === 'customer' ? actor.customerId : actor.kind === 'staff' ? actor.staffId : actor.kind === 'admin' ? actor.adminId : undefined;
    const photo = await addTicketPhoto(ticket!._id, { kind: actor.kind, ...(by ? { id: by } : {}) }, extractUploadedFile(type, body));
    ctx.status = 201;
    ctx.body = photoOut(String(ticket!._id), photo);
  });

  router.get('/tickets/:id/photos', signedIn, async (ctx) => {
    const ticket = await getTicket(ctx.params.id!);
    await actorOn(ctx, ticket);
    ctx.body = { items: (await listTicketPhotos(ticket!._id)).map((p) => photoOut(String(ticket!._id), p)) };
  });

  router.get('/tickets/:id/photos/:photoId', signedIn, async (ctx) => {
    const ticket = await getTicket(ctx.params.id!);
    await actorOn(ctx, ticket);
    const photo = await getTicketPhoto(ticket!._id, ctx.params.photoId!);
    ctx.set('Content-Type', photo.contentType);
    // Behind a bearer token: a shared cache must never keep it; the phone itself may.
    ctx.set('Cache-Control', 'private, max-age=3600');
    ctx.set('Vary', 'Authorization');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.body = photo.data;
  });

  return router;
}

const photoOut = (ticketId: string, p: { id: string; contentType: string; size: number; at: Date }) => ({
  id: p.id,
  url: `/api/v1/tickets/${ticketId}/photos/${p.id}`,
  contentType: p.contentType,
  size: p.size,
  at: p.at,
});

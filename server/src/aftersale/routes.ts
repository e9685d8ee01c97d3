import Router from '@koa/router';
import type { Context } from 'koa';
import { Types } from 'mongoose';
import { ErrorCode } from '@shared/errors';
import {
  FINAL_STATES,
  TicketErrorCode,
  createTicketSchema,
  inboxQuerySchema,
  rateTicketSchema,
  setPrioritySchema,
  ticketMessageSchema,
  transitionTicketSchema,
  type TicketActor,
  type TicketState,
} from '@shared/tickets';
import { requireCustomer, requireStaff, storeIdInQuery } from '../auth';
import { getStore, listStores, rolesOf } from '../staff';
import { AppError, badRequest, conflict } from '../platform/http/errors';
import { parseWith, readRawBody } from '../platform/http/middleware';
import { addTicketPhoto, extractUploadedFile, getTicketPhoto, listTicketPhotos, MAX_UPLOAD_BODY_BYTES } from './photos';
import type { TicketDoc } from './model';
import { listNotifications } from './notifications';
import { actorsOf, ticketPolicy } from './policies';
import {
  createTicket,
  getTicket,
  listCustomerTickets,
  listInbox,
  listMessages,
  postMessage,
  rateTicket,
  setPriority,
  transition,
} from './service';
import { aftersaleStoreView, staffNotificationView, ticketMessageView, ticketPhotoView, ticketView } from './views';
import type { AppDeps } from '../platform/app';

/** Every capacity the signed-in person may act in (see policies.ts). */
const actorsOfRequest = async (ctx: Context): Promise<TicketActor[]> => actorsOf(ctx.state.customerId, await rolesOf(ctx.state.customerId));

/** The first capacity that has any business with this ticket, or 404. */
const actorOn = async (ctx: Context, ticket: TicketDoc | null): Promise<TicketActor> =>
  ticketPolicy.requireActorOn(await actorsOfRequest(ctx), ticket);

export function aftersaleRoutes(deps?: Pick<AppDeps, 'wechat' | 'log'>): Router {
  const router = new Router();
  const signedIn = requireCustomer();

  router.post('/tickets', signedIn, async (ctx) => {
    const input = parseWith(createTicketSchema, ctx.request.body);
    const store = await getStore(input.storeId);
    if (!store || store.active === false) throw badRequest('No such store.', [{ path: 'body.storeId', message: 'unknown store' }]);
    const ticket = await createTicket(ctx.state.customerId, input);
    ctx.status = 201;
    ctx.body = ticketView(ticket, { kind: 'customer', customerId: String(ctx.state.customerId) });
  });

  /** The stores a customer may file a ticket with (the new-ticket page's choice). */
  router.get('/aftersale/stores', signedIn, async (ctx) => {
    const stores = (await listStores()).filter((s) => s.active !== false);
    ctx.body = { items: stores.map(aftersaleStoreView) };
  });

  router.get('/tickets', signedIn, async (ctx) => {
    const me: TicketActor = { kind: 'customer', customerId: String(ctx.state.customerId) };
    const tickets = await listCustomerTickets(ctx.state.customerId);
    ctx.body = { items: tickets.map((t) => ticketView(t, me)) };
  });

  router.get('/tickets/:id', signedIn, async (ctx) => {
    const ticket = await getTicket(ctx.params.id!);
    const actor = await actorOn(ctx, ticket);
    ctx.body = ticketView(ticket!, actor);
  });

  router.post('/tickets/:id/transitions', signedIn, async (ctx) => {
    const input = parseWith(transitionTicketSchema, ctx.request.body);
    const ticket = await getTicket(ctx.params.id!);
    const actors = await actorsOfRequest(ctx);
    ticketPolicy.requireActorOn(actors, ticket);
    const now = new Date();
    // Act in the capacity that may take this action; otherwise let the first relevant one explain why not.
    const actor = ticketPolicy.actorFor(actors, ticket!, input.action, input, now);
    const updated = await transition(ticket!._id, input.action, actor, input, now);
    ctx.body = ticketView(updated, actor, now);
  });

  router.get('/tickets/:id/messages', signedIn, async (ctx) => {
    const ticket = await getTicket(ctx.params.id!);
    const actor = await actorOn(ctx, ticket);
    ctx.body = { items: (await listMessages(ticket!._id, actor)).map(ticketMessageView) };
  });

  router.post('/tickets/:id/messages', signedIn, async (ctx) => {
    const input = parseWith(ticketMessageSchema, ctx.request.body);
    const ticket = await getTicket(ctx.params.id!);
    const actor = await actorOn(ctx, ticket);
    const posted = await postMessage(ticket!._id, actor, input, new Date(), deps ?? {});
    ctx.status = posted.created ? 201 : 200;
    ctx.body = ticketMessageView(posted.message);
  });

  router.post('/tickets/:id/rating', signedIn, async (ctx) => {
    const input = parseWith(rateTicketSchema, ctx.request.body);
    const me: TicketActor = { kind: 'customer', customerId: String(ctx.state.customerId) };
    const updated = await rateTicket(ctx.params.id!, me, input);
    ctx.body = ticketView(updated, me);
  });

  router.get('/staff/tickets', signedIn, requireStaff(storeIdInQuery), async (ctx) => {
    const query = parseWith(inboxQuerySchema, ctx.query, 'query');
    const storeId = ctx.state.storeId;
    const now = new Date();
    const items = await listInbox(storeId ? { storeId: new Types.ObjectId(storeId) } : { all: true }, { now, limit: query.limit });
    const actors = await actorsOfRequest(ctx);
    ctx.body = { items: items.map(({ ticket }) => ticketView(ticket, ticketPolicy.actorOn(actors, ticket) ?? actors[0]!, now)) };
  });

  router.get('/staff/notifications', signedIn, requireStaff(storeIdInQuery), async (ctx) => {
    const query = parseWith(inboxQuerySchema, ctx.query, 'query');
    const storeId = ctx.state.storeId;
    const items = await listNotifications(storeId ? { storeId: new Types.ObjectId(storeId) } : { admins: true }, { limit: query.limit });
    ctx.body = { items: items.map(staffNotificationView) };
  });

  router.post('/staff/tickets/:id/priority', signedIn, async (ctx) => {
    const input = parseWith(setPrioritySchema, ctx.request.body);
    const ticket = await getTicket(ctx.params.id!);
    const actor = ticketPolicy.requireStaffOn(await actorsOfRequest(ctx), ticket);
    const updated = await setPriority(ticket!._id, input.priority, actor);
    ctx.body = ticketView(updated!, actor);
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
    const by =
      actor.kind === 'customer'
        ? actor.customerId
        : actor.kind === 'staff'
          ? actor.staffId
          : actor.kind === 'admin'
            ? actor.adminId
            : undefined;
    const photo = await addTicketPhoto(ticket!._id, { kind: actor.kind, ...(by ? { id: by } : {}) }, extractUploadedFile(type, body));
    ctx.status = 201;
    ctx.body = ticketPhotoView(String(ticket!._id), photo);
  });

  router.get('/tickets/:id/photos', signedIn, async (ctx) => {
    const ticket = await getTicket(ctx.params.id!);
    await actorOn(ctx, ticket);
    ctx.body = { items: (await listTicketPhotos(ticket!._id)).map((p) => ticketPhotoView(String(ticket!._id), p)) };
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

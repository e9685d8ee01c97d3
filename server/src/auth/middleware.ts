import type { Context, Middleware } from 'koa';
import type { Types } from 'mongoose';
import { forbidden, unauthenticated } from '../platform/http/errors';
import { rolesOf, type Actor } from '../staff';
import { authenticate } from './service';

declare module 'koa' {
  interface DefaultState {
    /** Set by requireCustomer. */
    customerId: Types.ObjectId;
    /** The bearer token of the request, set by requireCustomer (logout revokes it). */
    token: string;
    /** Set by requireRole / requireStaff. */
    actor: Actor;
    /** The store a staff member acts for, set by requireStaff (undefined: an admin acting brand-wide). */
    storeId: string | undefined;
  }
}

function bearerToken(ctx: Context): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'));
  return match?.[1];
}

/** 401 unless the request carries a live session (erasing a customer revokes theirs). */
export function requireCustomer(): Middleware {
  return async (ctx, next) => {
    const token = bearerToken(ctx);
    // One read: the session names the customer (see authenticate).
    const customerId = token ? await authenticate(token) : undefined;
    if (!token || !customerId) throw unauthenticated();
    ctx.state.customerId = customerId;
    ctx.state.token = token;
    await next();
  };
}

async function loadActor(ctx: Context): Promise<Actor> {
  ctx.state.actor ??= { customerId: ctx.state.customerId, roles: await rolesOf(ctx.state.customerId) };
  return ctx.state.actor;
}

/** 403 unless the customer holds the role (anywhere). Admins pass every role check. */
export function requireRole(...roles: Array<'admin' | 'manager' | 'clerk'>): Middleware {
  return async (ctx, next) => {
    const actor = await loadActor(ctx);
    if (!actor.roles.some((r) => r.role === 'admin' || roles.includes(r.role as never))) throw forbidden();
    await next();
  };
}

/** The store a staff request names in its JSON body (`storeId`), if any. */
export const storeIdInBody = (ctx: Context): string | undefined => {
  const value = (ctx.request.body as { storeId?: unknown } | undefined)?.storeId;
  return typeof value === 'string' ? value : undefined;
};

/** The store a staff request names in its query (`?storeId=`), if any. */
export const storeIdInQuery = (ctx: Context): string | undefined => (typeof ctx.query.storeId === 'string' ? ctx.query.storeId : undefined);

/**
 * 403 unless the customer is staff of the store the request names: a clerk or manager acts only for
 * their store, an admin for every store. A staff member of exactly one store may leave it out.
 */
export function requireStaff(storeIdOf: (ctx: Context) => string | undefined): Middleware {
  return async (ctx, next) => {
    const actor = await loadActor(ctx);
    const admin = actor.roles.some((r) => r.role === 'admin');
    const storeRoles = actor.roles.filter((r) => r.storeId);
    let storeId = storeIdOf(ctx);
    if (!admin && storeRoles.length === 0) throw forbidden('Only store staff can do this.');
    if (storeId === undefined && !admin) {
      if (storeRoles.length > 1) throw forbidden('Say which store you act for (storeId).');
      storeId = storeRoles[0]!.storeId!.toString();
    }
    if (!admin && !storeRoles.some((r) => r.storeId!.toString() === storeId)) {
      throw forbidden('You can only act for your own store.');
    }
    ctx.state.storeId = storeId;
    await next();
  };
}

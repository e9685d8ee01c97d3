import Router from '@koa/router';
import type { Types } from 'mongoose';
import { createStoreRequest, grantStaffRequest, staffListQuery, updateStoreRequest, type StaffGrant, type Store } from '@shared/api/stores';
import { requireCustomer, requireRole } from '../auth';
import { getCustomer } from '../customers';
import { parseWith } from '../platform/http/middleware';
import {
  createStore,
  getStore,
  grantStaffRole,
  listStaff,
  listStores,
  revokeStaffRole,
  updateStore,
  type RoleDoc,
  type StoreDoc,
} from './service';
import { managedStores } from './policies';

export const storeOut = (s: StoreDoc): Store => ({
  id: s._id.toString(),
  name: s.name,
  code: s.code,
  address: s.address ?? '',
  city: s.city ?? '',
  active: s.active ?? true,
  createdAt: (s.createdAt as Date).toISOString(),
});

async function grantOut(g: RoleDoc): Promise<StaffGrant> {
  const [store, customer] = await Promise.all([g.storeId ? getStore(g.storeId) : null, getCustomer(g.customerId as Types.ObjectId)]);
  return {
    id: g._id,
    customerId: g.customerId.toString(),
    role: g.role as StaffGrant['role'],
    storeId: g.storeId?.toString() ?? null,
    storeName: store?.name ?? null,
    customerName: customer?.profile?.name ?? null,
    grantedAt: g.grantedAt.toISOString(),
  };
}

export function staffRoutes(): Router {
  const router = new Router({ prefix: '/admin' });
  router.use(requireCustomer());

  router.post('/stores', requireRole('admin'), async (ctx) => {
    const input = parseWith(createStoreRequest, ctx.request.body);
    ctx.status = 201;
    ctx.body = storeOut(await createStore(input));
  });

  router.patch('/stores/:id', requireRole('admin'), async (ctx) => {
    const change = parseWith(updateStoreRequest, ctx.request.body);
    ctx.body = storeOut(await updateStore(ctx.params.id!, change));
  });

  router.get('/stores', requireRole('manager'), async (ctx) => {
    const actor = ctx.state.actor;
    const stores = await listStores(managedStores(actor));
    ctx.body = { items: stores.map(storeOut) };
  });

  router.post('/staff', requireRole('manager'), async (ctx) => {
    const input = parseWith(grantStaffRequest, ctx.request.body);
    const grant = await grantStaffRole(ctx.state.actor, input);
    ctx.status = 201;
    ctx.body = await grantOut(grant);
  });

  router.get('/staff', requireRole('manager'), async (ctx) => {
    const { storeId } = parseWith(staffListQuery, ctx.query, 'query');
    const grants = await listStaff(ctx.state.actor, storeId);
    ctx.body = { items: await Promise.all(grants.map(grantOut)) };
  });

  router.delete('/staff/:id', requireRole('manager'), async (ctx) => {
    await revokeStaffRole(ctx.state.actor, ctx.params.id!);
    ctx.status = 204;
  });

  return router;
}

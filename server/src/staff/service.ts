import { Types } from 'mongoose';
import type { CreateStoreRequest, StaffRole, UpdateStoreRequest } from '@shared/api/stores';
import { ErrorCode } from '@shared/errors';
import { appendTimeline, findCustomerByOpenid, getCustomer } from '../customers';
import { isDuplicateKey } from '../platform/db/errors';
import { conflict, forbidden, notFound } from '../platform/http/errors';
import { RoleGrant, Store, type RoleDoc, type StoreDoc } from './model';
import { isAdmin, managedStores, staffPolicy, type Actor } from './policies';

export type { RoleDoc, StoreDoc };

export async function createStore(input: CreateStoreRequest): Promise<StoreDoc> {
  try {
    const created = await Store.create({ ...input, code: input.code.toUpperCase() });
    return created.toObject() as StoreDoc;
  } catch (err) {
    if (isDuplicateKey(err)) throw conflict(ErrorCode.CONFLICT, `A store with code ${input.code} exists already.`);
    throw err;
  }
}

export async function updateStore(storeId: string, change: UpdateStoreRequest): Promise<StoreDoc> {
  if (!Types.ObjectId.isValid(storeId)) throw notFound('No such store.');
  const updated = await Store.findByIdAndUpdate(storeId, { $set: change }, { new: true }).lean<StoreDoc>();
  if (!updated) throw notFound('No such store.');
  return updated;
}

export async function listStores(onlyIds?: Types.ObjectId[]): Promise<StoreDoc[]> {
  const filter = onlyIds ? { _id: { $in: onlyIds } } : {};
  return Store.find(filter).sort({ code: 1 }).lean<StoreDoc[]>();
}

export async function getStore(storeId: Types.ObjectId | string): Promise<StoreDoc | null> {
  if (!Types.ObjectId.isValid(storeId)) return null;
  return Store.findById(storeId).lean<StoreDoc>();
}

export async function rolesOf(customerId: Types.ObjectId): Promise<RoleDoc[]> {
  return RoleGrant.find({ customerId }).lean<RoleDoc[]>();
}

export async function grantAdmin(customerId: Types.ObjectId): Promise<void> {
  await RoleGrant.updateOne(
    { _id: `${customerId}:admin` },
    { $setOnInsert: { customerId, role: 'admin', grantedAt: new Date() } },
    { upsert: true },
  ).catch((err) => {
    if (!isDuplicateKey(err)) throw err; // a concurrent login granted it
  });
}

export { isAdmin, managesStore, type Actor } from './policies';

/**
 * Grants a store role. An admin grants any role anywhere; a manager grants only clerks, only for
 * their own store.
 */
export async function grantStaffRole(
  actor: Actor,
  input: { customerId?: string | undefined; openid?: string | undefined; role: StaffRole; storeId: string },
): Promise<RoleDoc> {
  if (!staffPolicy.grantRole(actor, input.role, input.storeId)) throw forbidden('You cannot grant this role for this store.');
  const store = await getStore(input.storeId);
  if (!store) throw notFound('No such store.');
  const customerId = input.customerId
    ? (await getCustomer(input.customerId))?._id
    : await findCustomerByOpenid('mini_program', input.openid!);
  if (!customerId) throw notFound('No such customer; they must sign in to the mini-program once first.');
  const customer = await getCustomer(customerId);
  if (!customer || customer.status !== 'active') throw notFound('No such customer.');

  const grantedAt = new Date();
  const doc = await RoleGrant.findOneAndUpdate(
    { _id: `${customerId}:${store._id}` },
    { $set: { customerId, role: input.role, storeId: store._id, grantedBy: actor.customerId, grantedAt } },
    { upsert: true, new: true },
  ).lean<RoleDoc>();
  await appendTimeline(customerId, {
    type: 'staff.role_granted',
    channel: 'system',
    summary: `Made ${input.role} of ${store.name}`,
    storeId: store._id,
    staffId: actor.customerId,
  });
  return doc!;
}

export async function listStaff(actor: Actor, storeId?: string): Promise<RoleDoc[]> {
  if (isAdmin(actor)) {
    return RoleGrant.find(storeId ? { storeId: new Types.ObjectId(storeId) } : {}).sort({ grantedAt: 1 }).lean<RoleDoc[]>();
  }
  if (storeId && !staffPolicy.seeStaffOf(actor, storeId)) throw forbidden('You can only see the staff of your own store.');
  const stores = storeId ? [new Types.ObjectId(storeId)] : managedStores(actor)!;
  return RoleGrant.find({ storeId: { $in: stores } }).sort({ grantedAt: 1 }).lean<RoleDoc[]>();
}

export async function revokeStaffRole(actor: Actor, grantId: string): Promise<void> {
  const grant = await RoleGrant.findById(grantId).lean<RoleDoc>();
  if (!grant) throw notFound('No such grant.');
  if (!staffPolicy.revokeRole(actor, grant)) throw forbidden('You cannot revoke this grant.');
  await RoleGrant.deleteOne({ _id: grantId });
  await appendTimeline(grant.customerId, {
    type: 'staff.role_revoked',
    channel: 'system',
    summary: `No longer ${grant.role}`,
    ...(grant.storeId ? { storeId: grant.storeId } : {}),
    staffId: actor.customerId,
  });
}

/** Removes every role of a customer (account deletion). */
export async function revokeAllRoles(customerId: Types.ObjectId): Promise<void> {
  await RoleGrant.deleteMany({ customerId });
}

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

/** Ranks of the roles: a manager may touch only grants ranked below their own. */
const ROLE_RANK: Record<string, number> = { clerk: 1, manager: 2, admin: 3 };

/**
 * Grants a store role. An admin grants any role anywhere; a manager grants only clerks, only for
 * their own store, and never over a grant of equal or higher role (a co-manager turned into a clerk
 * could then be revoked) nor their own.
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

  const slot = `${customerId}:${store._id}`;
  const admin = isAdmin(actor);
  if (!admin) {
    if (customerId.equals(actor.customerId)) throw forbidden('You cannot change your own role.');
    const existing = await RoleGrant.findById(slot, { role: 1 }).lean<Pick<RoleDoc, 'role'>>();
    if (existing && ROLE_RANK[existing.role]! >= ROLE_RANK.manager!) throw forbidden('You cannot change the role of a manager.');
  }
  const grantedAt = new Date();
  let doc: RoleDoc | null;
  try {
    // A manager's write is guarded on the slot still holding a clerk (or nothing): a grant raised
    // meanwhile makes the upsert collide on _id instead of overwriting it.
    doc = await RoleGrant.findOneAndUpdate(
      admin ? { _id: slot } : { _id: slot, role: 'clerk' },
      { $set: { customerId, role: input.role, storeId: store._id, grantedBy: actor.customerId, grantedAt } },
      { upsert: true, new: true },
    ).lean<RoleDoc>();
  } catch (err) {
    if (!admin && isDuplicateKey(err)) throw forbidden('You cannot change the role of a manager.');
    throw err;
  }
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
    return RoleGrant.find(storeId ? { storeId: new Types.ObjectId(storeId) } : {})
      .sort({ grantedAt: 1 })
      .lean<RoleDoc[]>();
  }
  if (storeId && !staffPolicy.seeStaffOf(actor, storeId)) throw forbidden('You can only see the staff of your own store.');
  const stores = storeId ? [new Types.ObjectId(storeId)] : managedStores(actor)!;
  return RoleGrant.find({ storeId: { $in: stores } })
    .sort({ grantedAt: 1 })
    .lean<RoleDoc[]>();
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

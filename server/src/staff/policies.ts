// Who may do what with stores and roles, declared once and used by routes and services alike.
import { Types } from 'mongoose';
import type { StaffRole } from '@shared/api/stores';
import type { RoleDoc } from './model';

/** A signed-in person with the roles they hold. */
export interface Actor {
  customerId: Types.ObjectId;
  roles: RoleDoc[];
}

export const isAdmin = (actor: Actor) => actor.roles.some((r) => r.role === 'admin');

export const managesStore = (actor: Actor, storeId: string) =>
  actor.roles.some((r) => r.role === 'manager' && r.storeId?.toString() === storeId);

/** The stores the actor manages; undefined for an admin, who manages every store. */
export const managedStores = (actor: Actor): Types.ObjectId[] | undefined =>
  isAdmin(actor)
    ? undefined
    : actor.roles.filter((r) => r.role === 'manager' && r.storeId).map((r) => new Types.ObjectId(r.storeId!.toString()));

/** "A manager of this store, or an admin": what store-level management (points, staff, voids) takes. */
export const managesStoreOrAdmin = (actor: Actor, storeId: string | undefined) =>
  isAdmin(actor) || (storeId !== undefined && managesStore(actor, storeId));

export const staffPolicy = {
  /** An admin grants any role anywhere; a manager grants only clerks, only for their own store. */
  grantRole: (actor: Actor, role: StaffRole, storeId: string) => isAdmin(actor) || (role === 'clerk' && managesStore(actor, storeId)),
  /** The same rule for taking a role back; nobody but an admin takes back their own grant. */
  revokeRole: (actor: Actor, grant: Pick<RoleDoc, 'role' | 'storeId' | 'customerId'>) =>
    isAdmin(actor) ||
    (grant.role === 'clerk' && managesStoreOrAdmin(actor, grant.storeId?.toString()) && !grant.customerId.equals(actor.customerId)),
  /** Whose staff list the actor may read: every store for an admin, their own stores for a manager. */
  seeStaffOf: (actor: Actor, storeId: string) => managesStoreOrAdmin(actor, storeId),
};

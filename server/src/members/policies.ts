// Who may do what with memberships and points, declared once for routes and services.
import { managesStoreOrAdmin, type Actor } from '../staff';

export const memberPolicy = {
  /** A manual correction of points: a manager of that store, or an admin. */
  adjustPoints: (actor: Actor, storeId: string | undefined) => managesStoreOrAdmin(actor, storeId),
};

// Who may see which part of the dashboard, declared once.
import { forbidden } from '../platform/errors';
import { isAdmin, managedStores, type Actor } from '../staff';

export const analyticsPolicy = {
  /**
   * The store the actor's dashboard covers: an admin any store or all (undefined); a manager their
   * own store only (named, or the one they manage); anyone else nothing.
   */
  dashboardScope(actor: Actor, requested: string | undefined): string | undefined {
    if (isAdmin(actor)) return requested;
    const managed = (managedStores(actor) ?? []).map(String);
    if (!managed.length) throw forbidden('Only admins and store managers can see the dashboard.');
    if (requested !== undefined) {
      if (!managed.includes(requested)) throw forbidden('You can only see the dashboard of your own store.');
      return requested;
    }
    if (managed.length > 1) throw forbidden('Say which of your stores to show (storeId).');
    return managed[0];
  },
};

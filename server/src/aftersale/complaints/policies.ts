import type { Types } from 'mongoose';

interface Grant {
  role: string;
  storeId?: Types.ObjectId | null;
}

/**
 * Who may see and label a scored message: admins every one; a clerk or manager those of their
 * store (the store of the ticket it opened or raised). Messages without a store are for admins.
 */
export function maySeeScore(grants: Grant[], score: { storeId?: Types.ObjectId | null }): boolean {
  if (grants.some((g) => g.role === 'admin')) return true;
  if (!score.storeId) return false;
  return grants.some((g) => (g.role === 'clerk' || g.role === 'manager') && g.storeId && String(g.storeId) === String(score.storeId));
}

import type { Types } from 'mongoose';
import { isDuplicateKey } from '../platform/db/errors';
import { Notification, type NotificationDoc } from './model';

export interface NotificationInput {
  dedupeKey: string;
  storeId?: Types.ObjectId | null | undefined;
  customerId: Types.ObjectId;
  ticketId: Types.ObjectId;
  kind: NotificationDoc['kind'];
  title: string;
  data?: Record<string, unknown>;
  at: Date;
}

/** Records an alert for the ticket's store managers (admins when it has no store). Once per dedupeKey. */
export async function recordNotification(input: NotificationInput): Promise<boolean> {
  try {
    await Notification.create({
      ...input,
      storeId: input.storeId ?? undefined,
      audience: input.storeId ? 'store_managers' : 'admins',
    });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/** A staff inbox's alerts: a store's managers see their store's, admins see the unassigned ones. */
export async function listNotifications(
  audience: { storeId: Types.ObjectId } | { admins: true },
  options: { unreadOnly?: boolean; limit?: number } = {},
): Promise<NotificationDoc[]> {
  const filter: Record<string, unknown> =
    'storeId' in audience ? { audience: 'store_managers', storeId: audience.storeId } : { audience: 'admins' };
  if (options.unreadOnly) filter.readAt = null;
  return Notification.find(filter)
    .sort({ at: -1, _id: -1 })
    .limit(Math.min(options.limit ?? 50, 200))
    .lean<NotificationDoc[]>();
}

export async function markNotificationRead(notificationId: Types.ObjectId, at = new Date()): Promise<void> {
  await Notification.updateOne({ _id: notificationId, readAt: null }, { $set: { readAt: at } });
}

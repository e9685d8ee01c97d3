// Today, per store: what the staff should handle, each with where it is handled.
import { Types } from 'mongoose';
import { TODAY_KINDS, type TodayItem, type TodayKind, type TodayView } from '@shared/api/crm';
import { storeWorklist } from '../aftersale';
import { customerNames } from '../customers';
import { CustomerKey } from './model';
import { idsWithKeyDirect } from './segments';

export const ticketLink = (ticketId: string) => `/pages/staff/ticket/index?id=${ticketId}`;
export const customerLink = (customerId: string, storeId: string) => `/pages/staff/customer/index?id=${customerId}&storeId=${storeId}`;

/** Customers of the store carrying a time-bound key that still holds, with when it stops. */
async function storeCustomersWith(storeId: Types.ObjectId, key: string, now: Date): Promise<Array<{ customerId: string; until: Date }>> {
  const ofStore = await idsWithKeyDirect(`store:${storeId.toString()}`, now);
  const docs = await CustomerKey.find({ key }, { _id: 0, customerId: 1, until: 1 }).batchSize(100_000).lean();
  return docs
    .filter((d) => d.until && d.until > now && ofStore.has(d.customerId.toString()))
    .map((d) => ({ customerId: d.customerId.toString(), until: d.until! }));
}

export async function todayFor(storeId: Types.ObjectId, now = new Date()): Promise<TodayView> {
  const store = storeId.toString();
  const [work, waiting, expiring] = await Promise.all([
    storeWorklist(storeId, now),
    storeCustomersWith(storeId, 'waiting_human', now),
    storeCustomersWith(storeId, 'points_expiring', now),
  ]);
  const none = { customerName: null, ticketId: null, ticketType: null, ticketState: null, escalations: null, stars: null };
  const items: TodayItem[] = [
    ...work.map((w) => ({
      ...none,
      kind: w.kind,
      customerId: w.customerId.toString(),
      ticketId: w.ticketId.toString(),
      ticketType: w.ticketType,
      ticketState: w.ticketState,
      escalations: w.escalations ?? null,
      stars: w.stars ?? null,
      at: w.at.toISOString(),
      link: ticketLink(w.ticketId.toString()),
    })),
    ...waiting.map((w) => ({
      ...none,
      kind: 'waiting_human' as const,
      customerId: w.customerId,
      at: w.until.toISOString(),
      link: customerLink(w.customerId, store),
    })),
    ...expiring.map((w) => ({
      ...none,
      kind: 'points_expiring' as const,
      customerId: w.customerId,
      at: w.until.toISOString(),
      link: customerLink(w.customerId, store),
    })),
  ];
  // The most urgent first: kinds in their order, then the soonest.
  const rank = (k: TodayKind) => TODAY_KINDS.indexOf(k);
  items.sort((a, b) => rank(a.kind) - rank(b.kind) || a.at.localeCompare(b.at));
  const counts = Object.fromEntries(TODAY_KINDS.map((k) => [k, items.filter((i) => i.kind === k).length])) as Record<TodayKind, number>;
  const shown = items.slice(0, 200);
  const names = await customerNames([...new Set(shown.map((i) => i.customerId))].map((id) => new Types.ObjectId(id)));
  for (const item of shown) item.customerName = names.get(item.customerId) ?? null;
  return { storeId: store, counts, items: shown };
}

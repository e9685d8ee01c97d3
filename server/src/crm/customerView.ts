// The staff's view of one customer: profile, tags, tier and points, coupons, tickets, timeline, notes.
import { Types } from 'mongoose';
import type { CustomerBrief, CustomerView } from '@shared/api/crm';
import { ticketsOfCustomer } from '../aftersale';
import { couponsHeldBy } from '../coupons';
import { appendTimeline, getCustomer, listTimeline, type TimelineDoc } from '../customers';
import { getMember, pointsBalance } from '../members';
import type { Actor } from '../staff';
import { customerNotFound } from './errors';
import { normalizedName, refreshCustomer } from './facts';
import { CustomerKey } from './model';
import { crmPolicy } from './policies';
import { tagsOfCustomer } from './tags';

/** The customer, if the actor may see them (acting for `storeId`); NotFound otherwise, so as not to tell who exists. */
export async function visibleCustomer(actor: Actor, storeId: Types.ObjectId | undefined, customerId: string): Promise<Types.ObjectId> {
  if (!/^[0-9a-f]{24}$/.test(customerId)) throw customerNotFound();
  const id = new Types.ObjectId(customerId);
  const customer = await getCustomer(id);
  if (!customer || customer.status !== 'active' || !(await crmPolicy.seeCustomer(actor, storeId, id))) throw customerNotFound();
  return id;
}

export async function customerBrief(customerId: Types.ObjectId): Promise<CustomerBrief | undefined> {
  const [customer, member] = await Promise.all([getCustomer(customerId), getMember(customerId)]);
  if (!customer) return undefined;
  return {
    id: customerId.toString(),
    name: customer.profile?.name ?? null,
    tier: member?.tier ?? null,
    points: member ? await pointsBalance(customerId) : null,
    following: Boolean(customer.officialAccount?.following),
  };
}

export async function customerView(customerId: Types.ObjectId, now = new Date()): Promise<CustomerView> {
  // The automatic tags as they hold right now (the rules pass may not have come by yet).
  await refreshCustomer(customerId, now);
  const [customer, member, tags, coupons, tickets] = await Promise.all([
    getCustomer(customerId),
    getMember(customerId),
    tagsOfCustomer(customerId),
    couponsHeldBy(customerId),
    ticketsOfCustomer(customerId),
  ]);
  if (!customer) throw customerNotFound();
  const points = member ? await pointsBalance(customerId) : null;
  const phone = member?.phone?.replace(/\D/g, '');
  return {
    customer: {
      id: customerId.toString(),
      name: customer.profile?.name ?? null,
      tier: member?.tier ?? null,
      points,
      following: Boolean(customer.officialAccount?.following),
      birthday: customer.profile?.birthday ?? null,
      followChannel: customer.officialAccount?.followChannel ?? null,
      memberNo: member?.memberNo ?? null,
      phoneTail: phone && phone.length >= 4 ? phone.slice(-4) : null,
    },
    tags: tags.map((t) => ({ id: t._id.toString(), name: t.name, kind: t.kind as 'manual' | 'auto' })),
    coupons: coupons.map((c) => ({ ...c, expiresAt: c.expiresAt.toISOString() })),
    tickets: tickets.map((t) => ({ id: t.id, type: t.type, state: t.state, createdAt: t.createdAt.toISOString(), rating: t.rating })),
  };
}

/**
 * Customers found by the last four digits of their phone or by their name (exact, any case), among
 * those the actor may see. Both are indexed equality lookups on search keys the rules pass keeps.
 */
export async function searchCustomers(actor: Actor, storeId: Types.ObjectId | undefined, q: string): Promise<CustomerBrief[]> {
  const key = /^\d{4}$/.test(q) ? `phone4:${q}` : `name:${normalizedName(q)}`;
  const hits = await CustomerKey.find({ key }, { customerId: 1 }).limit(200).lean();
  const found: CustomerBrief[] = [];
  for (const hit of hits) {
    if (found.length >= 20) break;
    if (!(await crmPolicy.seeCustomer(actor, storeId, hit.customerId))) continue;
    const brief = await customerBrief(hit.customerId);
    if (brief) found.push(brief);
  }
  return found;
}

const CURSOR = /^(\d{1,15})_([0-9a-f]{24})$/;

/** One page of the customer's timeline, newest first; pass `nextCursor` back for the next page. */
export async function timelinePage(
  customerId: Types.ObjectId,
  limit: number,
  cursor?: string,
): Promise<{ items: TimelineDoc[]; nextCursor: string | null }> {
  const match = cursor ? CURSOR.exec(cursor) : null;
  let items: TimelineDoc[];
  if (match) {
    // Entries at the cursor's instant come again (ties): skip up to and including the cursor's entry.
    const at = Number(match[1]);
    const around = await listTimeline(customerId, { before: new Date(at + 1), limit: Math.min(limit + 50, 200) });
    const index = around.findIndex((e) => e._id.toString() === match[2]);
    const after = index >= 0 ? around.slice(index + 1) : around.filter((e) => e.at.getTime() < at);
    items = after.slice(0, limit + 1);
  } else {
    items = await listTimeline(customerId, { limit: limit + 1 });
  }
  const page = items.slice(0, limit);
  const last = page.at(-1);
  return { items: page, nextCursor: items.length > limit && last ? `${last.at.getTime()}_${last._id.toString()}` : null };
}

export async function addNote(
  customerId: Types.ObjectId,
  text: string,
  by: { staffId: Types.ObjectId; storeId?: Types.ObjectId | undefined },
  now = new Date(),
) {
  const id = new Types.ObjectId();
  await appendTimeline(customerId, {
    type: 'crm.note',
    channel: 'store',
    summary: text.slice(0, 80),
    data: { text },
    staffId: by.staffId,
    ...(by.storeId ? { storeId: by.storeId } : {}),
    at: now,
    sourceKey: `crm.note:${id.toString()}`,
  });
  return { at: now };
}

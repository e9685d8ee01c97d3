// Customers for outreach tests and the benchmark, written straight to the database with insertMany:
// a mix of open 48-hour windows, subscribe consents, opt-outs, unfollowers and full frequency caps.
import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { Customer, CustomerIdentity, TimelineEntry } from '../src/customers/model';
import { SubscribeAcceptance } from '../src/members/model';
import { weekOf } from '../src/outreach/frequency';
import { MarketingPreference, MarketingSlot } from '../src/outreach/model';

export type Expected =
  | { status: 'sent'; channel: 'customer_service' | 'subscribe' }
  | { status: 'skipped'; reason: 'opted_out' | 'frequency_cap' | 'no_window_no_subscription' | 'not_following' };

export interface SeededCustomer {
  id: string;
  oaOpenid?: string;
  mpOpenid?: string;
  lastInteractionAt?: Date;
  following: boolean;
  expected: Expected;
}

/** The kind of customer number i is (ten kinds, in turn). */
function kindOf(i: number): Expected {
  switch (i % 10) {
    case 0:
      return { status: 'skipped', reason: 'opted_out' };
    case 1:
      return { status: 'skipped', reason: 'not_following' };
    case 2:
    case 3:
    case 4:
      return { status: 'sent', channel: 'customer_service' };
    case 5:
    case 6:
      return { status: 'sent', channel: 'subscribe' };
    case 8:
      return { status: 'skipped', reason: 'frequency_cap' };
    default:
      return { status: 'skipped', reason: 'no_window_no_subscription' };
  }
}

/** Seeds `count` customers; `cap` is the weekly cap the server runs with (case 8 has it used up). */
export async function seedOutreachCustomers(
  count: number,
  options: { cap: number; now?: Date; batch?: number } = { cap: 2 },
): Promise<SeededCustomer[]> {
  const now = options.now ?? new Date();
  const tag = randomBytes(4).toString('hex');
  const recent = new Date(now.getTime() - 3600_000);
  const old = new Date(now.getTime() - 72 * 3600_000);
  const seeded: SeededCustomer[] = [];
  const batch = options.batch ?? 1000;
  for (let start = 0; start < count; start += batch) {
    const customers = [];
    const identities = [];
    const timeline = [];
    const acceptances = [];
    const preferences = [];
    const slots = [];
    for (let i = start; i < Math.min(count, start + batch); i++) {
      const id = new Types.ObjectId();
      const expected = kindOf(i);
      const kind = i % 10;
      const hasOa = kind !== 9;
      const following = kind !== 1;
      const windowOpen = [0, 1, 2, 3, 4, 8].includes(kind);
      const hasMp = kind === 5 || kind === 6 || kind === 9;
      const s: SeededCustomer = { id: String(id), following, expected };
      customers.push({ _id: id, status: 'active', officialAccount: { following: hasOa && following } });
      if (hasOa) {
        s.oaOpenid = `oa_${tag}_${i}`;
        s.lastInteractionAt = windowOpen ? recent : old;
        identities.push({ _id: `oa_openid:${s.oaOpenid}`, kind: 'oa_openid', value: s.oaOpenid, customerId: id });
        timeline.push({
          customerId: id,
          at: s.lastInteractionAt,
          type: 'oa.message',
          channel: 'official_account',
          summary: 'hi',
          data: {},
        });
      }
      if (hasMp) {
        s.mpOpenid = `mp_${tag}_${i}`;
        identities.push({ _id: `mp_openid:${s.mpOpenid}`, kind: 'mp_openid', value: s.mpOpenid, customerId: id });
        acceptances.push({ customerId: id, template: kind === 9 ? 'birthday_gift' : 'brand_news', at: old });
      }
      if (kind === 0) preferences.push({ _id: id, optedOut: true, at: old });
      if (kind === 8) {
        for (let k = 0; k < options.cap; k++)
          slots.push({ _id: `${String(id)}:${weekOf(now)}:${k}`, customerId: id, outreachId: new Types.ObjectId(), at: old });
      }
      seeded.push(s);
    }
    await Customer.insertMany(customers, { lean: true });
    await CustomerIdentity.insertMany(identities, { lean: true });
    await TimelineEntry.insertMany(timeline, { lean: true });
    if (acceptances.length) await SubscribeAcceptance.insertMany(acceptances, { lean: true });
    if (preferences.length) await MarketingPreference.insertMany(preferences, { lean: true });
    if (slots.length) await MarketingSlot.insertMany(slots, { lean: true });
  }
  return seeded;
}

/** The simulator's followers for the seeded customers (so it enforces the window and follow rules on them). */
export function simFollowersOf(seeded: SeededCustomer[]) {
  return seeded
    .filter((s) => s.oaOpenid)
    .map((s) => ({ openid: s.oaOpenid!, subscribe: s.following, lastInteractionAt: s.lastInteractionAt!.toISOString() }));
}

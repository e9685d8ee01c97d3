// The per-customer frequency cap for marketing messages: `cap` places per week (weeks start Monday
// 00:00 Asia/Shanghai). A send takes a place by inserting `<customerId>:<week>:<k>`: the unique _id
// keeps concurrent outreaches (on any instance) from going over the cap.
import type { Types } from 'mongoose';
import { isDuplicateKey } from '../platform/db/errors';
import { MarketingSlot } from './model';

const WEEK_MS = 7 * 24 * 3600_000;
/** 1970-01-05 00:00 in Asia/Shanghai was a Monday: weeks are counted from there. */
const FIRST_MONDAY_MS = Date.UTC(1970, 0, 5) - 8 * 3600_000;

export const weekOf = (at: Date) => Math.floor((at.getTime() - FIRST_MONDAY_MS) / WEEK_MS);
const placeId = (customerId: Types.ObjectId, week: number, k: number) => `${String(customerId)}:${week}:${k}`;

/** Places taken this week by each of many customers (one query on `cap` ids each). */
export async function placesTakenOf(customerIds: Types.ObjectId[], cap: number, now: Date): Promise<Map<string, number>> {
  const week = weekOf(now);
  const ids = customerIds.flatMap((c) => Array.from({ length: cap }, (_, k) => placeId(c, week, k)));
  const taken = new Map<string, number>();
  if (!ids.length) return taken;
  for (const place of await MarketingSlot.find({ _id: { $in: ids } }, { customerId: 1 }).lean()) {
    const id = String(place.customerId);
    taken.set(id, (taken.get(id) ?? 0) + 1);
  }
  return taken;
}

/** Takes a free place this week; the place's id, or undefined when the cap is reached. */
export async function takePlace(
  customerId: Types.ObjectId,
  outreachId: Types.ObjectId,
  cap: number,
  now: Date,
): Promise<string | undefined> {
  const week = weekOf(now);
  for (let k = 0; k < cap; k++) {
    const _id = placeId(customerId, week, k);
    try {
      await MarketingSlot.create({ _id, customerId, outreachId, at: now });
      return _id;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
  return undefined;
}

/** Gives a place back (the send failed: it did not reach the customer). */
export async function releasePlace(id: string): Promise<void> {
  await MarketingSlot.deleteOne({ _id: id });
}

// Subscribe-message consents: each template a member accepted in wx.requestSubscribeMessage allows
// exactly one send; spending one inserts its use, keyed by the acceptance, so it is spent once.
import type { Types } from 'mongoose';
import { isDuplicateKey } from '../platform/db/errors';
import { SubscribeAcceptance, SubscribeUse } from './model';

/** The member's acceptances of a template not spent yet, oldest first. */
export async function unusedAcceptances(customerId: Types.ObjectId, template: string): Promise<Types.ObjectId[]> {
  const acceptances = await SubscribeAcceptance.find({ customerId, template }, { _id: 1 }).sort({ at: 1 }).limit(20).lean();
  if (!acceptances.length) return [];
  const used = new Set((await SubscribeUse.find({ customerId }, { _id: 1 }).limit(200).lean()).map((u) => String(u._id)));
  return acceptances.map((a) => a._id).filter((id) => !used.has(String(id)));
}

/** Spends one of the given acceptances; false when all were spent meanwhile. */
export async function spendAcceptance(customerId: Types.ObjectId, ids: Types.ObjectId[], at = new Date()): Promise<boolean> {
  for (const id of ids) {
    try {
      await SubscribeUse.create({ _id: id, customerId, at });
      return true;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
  return false;
}

/** Unused acceptances of a template for many members at once (for background jobs). */
export async function unusedAcceptancesOf(customerIds: Types.ObjectId[], template: string): Promise<Map<string, Types.ObjectId[]>> {
  const [acceptances, uses] = await Promise.all([
    SubscribeAcceptance.find({ customerId: { $in: customerIds }, template }, { _id: 1, customerId: 1, at: 1 })
      .sort({ at: 1 })
      .lean(),
    SubscribeUse.find({ customerId: { $in: customerIds } }, { _id: 1 }).lean(),
  ]);
  const used = new Set(uses.map((u) => String(u._id)));
  const result = new Map<string, Types.ObjectId[]>();
  for (const a of acceptances) {
    if (used.has(String(a._id))) continue;
    const list = result.get(String(a.customerId)) ?? [];
    list.push(a._id);
    result.set(String(a.customerId), list);
  }
  return result;
}

import { Types } from 'mongoose';
import { MemberErrorCode } from '@shared/api/members';
import { addMonths, POINTS_VALIDITY_MONTHS, TIER_WINDOW_MONTHS, tierFor } from '@shared/tiers';
import { appendTimeline } from '../customers/service';
import { isDuplicateKey } from '../platform/db/errors';
import { AppError, conflict, notFound } from '../platform/http/errors';
import { LedgerEntry, Member, type LedgerDoc } from './model';

/*
 * How the balance stays equal to the ledger without transactions
 * --------------------------------------------------------------
 * A points movement touches two documents: a ledger entry and the member's balance. It is posted in
 * steps, each a single-document atomic write:
 *   1. insert the entry as `pending`. Its refKey is unique, so a retried request finds the entry of
 *      its first attempt instead of posting twice (idempotency).
 *   2. move the balance with one guarded findOneAndUpdate: `$inc balance` and `$push pendingEntryIds`
 *      together, filtered on `pendingEntryIds != entry` (never applied twice) and, for debits,
 *      `balance >= n` (never negative, however many debits race).
 *   3. mark the entry `applied`; 4. `$pull` it from pendingEntryIds.
 * If step 2's guard refuses (not enough points), the entry is deleted: the compensation for step 1.
 * If the process dies between steps, recoverPendingEntries (a periodic job) settles entries left
 * pending for longer than any request can run: listed in pendingEntryIds → the balance moved, finish
 * steps 3-4; not listed → it never moved, delete the entry.
 * Invariant: balance == sum(points of applied entries) + sum(points of pending entries listed in
 * pendingEntryIds), which is sum(applied) whenever no post is in flight.
 */

/** Pending entries older than this are settled by the recovery job (requests time out long before). */
export const PENDING_GRACE_MS = 5 * 60_000;

export interface PostInput {
  type: LedgerDoc['type'];
  points: number;
  reason: string;
  refKey: string;
  at?: Date;
  storeId?: Types.ObjectId | undefined;
  staffId?: Types.ObjectId | undefined;
}

export interface PostResult {
  entry: LedgerDoc;
  /** False when the refKey had been posted before: the earlier entry is returned. */
  created: boolean;
}

const notAMember = () => conflict(MemberErrorCode.NOT_A_MEMBER, 'Join the membership first.');
const insufficient = () => conflict(MemberErrorCode.INSUFFICIENT_POINTS, 'Not enough points.');

async function postEntry(customerId: Types.ObjectId, input: PostInput): Promise<PostResult> {
  const member = await Member.findOne({ customerId, closedAt: { $exists: false } }, { _id: 1 }).lean();
  if (!member) throw notAMember();
  const at = input.at ?? new Date();
  const isCredit = input.points > 0 && (input.type === 'earn' || input.type === 'adjust');
  let entry: LedgerDoc;
  try {
    entry = (
      await LedgerEntry.create({
        customerId,
        type: input.type,
        points: input.points,
        reason: input.reason,
        refKey: input.refKey,
        state: 'pending',
        at,
        ...(isCredit ? { expiresAt: addMonths(at, POINTS_VALIDITY_MONTHS) } : {}),
        ...(input.storeId ? { storeId: input.storeId } : {}),
        ...(input.staffId ? { staffId: input.staffId } : {}),
      })
    ).toObject() as LedgerDoc;
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const earlier = await LedgerEntry.findOne({ refKey: input.refKey }).lean<LedgerDoc>();
    if (!earlier) throw new AppError(409, 'CONFLICT', 'This operation is being posted; try again.');
    if (!earlier.customerId.equals(customerId)) throw conflict('CONFLICT', 'This reference belongs to another member.');
    return { entry: earlier, created: false };
  }

  const guard: Record<string, unknown> = { _id: member._id, pendingEntryIds: { $ne: entry._id } };
  if (input.points < 0) guard.balance = { $gte: -input.points };
  const moved = await Member.findOneAndUpdate(guard, {
    $inc: { balance: input.points },
    $push: { pendingEntryIds: entry._id },
  }).lean();
  if (!moved) {
    await LedgerEntry.deleteOne({ _id: entry._id, state: 'pending' });
    throw insufficient();
  }
  await settle(member._id, entry._id);
  return { entry: { ...entry, state: 'applied' }, created: true };
}

async function settle(memberId: Types.ObjectId, entryId: Types.ObjectId): Promise<void> {
  await LedgerEntry.updateOne({ _id: entryId, state: 'pending' }, { $set: { state: 'applied' } });
  await Member.updateOne({ _id: memberId }, { $pull: { pendingEntryIds: entryId } });
}

/** Settles entries a crashed process left pending (see the comment at the top). */
export async function recoverPendingEntries(now = new Date()): Promise<number> {
  const stale = await LedgerEntry.find({ state: 'pending', at: { $lt: new Date(now.getTime() - PENDING_GRACE_MS) } })
    .limit(500)
    .lean<LedgerDoc[]>();
  for (const entry of stale) {
    const member = await Member.findOne({ customerId: entry.customerId }, { _id: 1, pendingEntryIds: 1 }).lean();
    if (member && member.pendingEntryIds.some((id) => id.equals(entry._id))) await settle(member._id, entry._id);
    else await LedgerEntry.deleteOne({ _id: entry._id, state: 'pending' });
  }
  return stale.length;
}

/**
 * Posts a debit of up to `points`, taking no more than the balance holds (reversals and expiry never
 * drive a balance negative). Retries when a concurrent debit changed the balance in between.
 */
async function postCappedDebit(customerId: Types.ObjectId, points: number, input: Omit<PostInput, 'points'>): Promise<PostResult> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const member = await Member.findOne({ customerId }, { balance: 1 }).lean();
    if (!member) throw notAMember();
    const amount = Math.min(points, Math.max(0, member.balance));
    try {
      return await postEntry(customerId, { ...input, points: -amount });
    } catch (err) {
      if ((err as AppError).code !== MemberErrorCode.INSUFFICIENT_POINTS) throw err;
    }
  }
  throw new AppError(503, 'SERVICE_UNAVAILABLE', 'The points balance is busy; try again.');
}

/** Points earned (minus reversed) in the rolling window ending at `now`: what the tier follows. */
export async function earnedInWindow(customerId: Types.ObjectId, now = new Date()): Promise<number> {
  const since = addMonths(now, -TIER_WINDOW_MONTHS);
  const rows = await LedgerEntry.aggregate<{ _id: null; total: number }>([
    { $match: { customerId, state: 'applied', type: { $in: ['earn', 'reverse'] }, at: { $gt: since, $lte: now } } },
    { $group: { _id: null, total: { $sum: '$points' } } },
  ]);
  return Math.max(0, rows[0]?.total ?? 0);
}

/** Upgrades at once when the earned points reach a higher tier; never downgrades (the job does). */
async function upgradeTier(customerId: Types.ObjectId, now: Date): Promise<void> {
  const target = tierFor(await earnedInWindow(customerId, now));
  const upgraded = await Member.findOneAndUpdate(
    { customerId, tierRank: { $lt: target.rank } },
    { $set: { tier: target.id, tierRank: target.rank } },
  ).lean();
  if (upgraded) {
    await appendTimeline(customerId, {
      type: 'member.tier_changed',
      channel: 'system',
      summary: `Upgraded to ${target.name}`,
      data: { from: upgraded.tier, to: target.id, direction: 'up' },
      at: now,
    });
  }
}

export interface PointsContext {
  at?: Date;
  storeId?: Types.ObjectId | undefined;
  staffId?: Types.ObjectId | undefined;
}

/** Credits earned points (e.g. for a redemption). Idempotent on refKey. */
export async function earnPoints(
  customerId: Types.ObjectId,
  points: number,
  reason: string,
  refKey: string,
  context: PointsContext = {},
): Promise<PostResult> {
  if (!Number.isInteger(points) || points <= 0) throw new AppError(400, 'VALIDATION_FAILED', 'Earned points must be a positive whole number.');
  const result = await postEntry(customerId, { type: 'earn', points, reason, refKey, ...context });
  if (result.created) {
    const at = context.at ?? new Date();
    await appendTimeline(customerId, {
      type: 'points.earned',
      channel: context.storeId ? 'store' : 'system',
      summary: `+${points} points: ${reason}`,
      data: { points, refKey },
      at,
      ...(context.storeId ? { storeId: context.storeId } : {}),
      ...(context.staffId ? { staffId: context.staffId } : {}),
    });
    await upgradeTier(customerId, at);
  }
  return result;
}

/** Spends points; 409 INSUFFICIENT_POINTS when the balance is short. Idempotent on refKey. */
export async function spendPoints(
  customerId: Types.ObjectId,
  points: number,
  reason: string,
  refKey: string,
  context: PointsContext = {},
): Promise<PostResult> {
  if (!Number.isInteger(points) || points <= 0) throw new AppError(400, 'VALIDATION_FAILED', 'Spent points must be a positive whole number.');
  const result = await postEntry(customerId, { type: 'spend', points: -points, reason, refKey, ...context });
  if (result.created) {
    await appendTimeline(customerId, {
      type: 'points.spent',
      channel: context.storeId ? 'store' : 'system',
      summary: `-${points} points: ${reason}`,
      data: { points, refKey },
      ...(context.at ? { at: context.at } : {}),
    });
  }
  return result;
}

/**
 * Takes back the points an earlier earn (by its refKey) gave, e.g. for a voided redemption. Takes at
 * most what the balance still holds. Idempotent: the reversal's own key is `reverse:<refKey>`.
 */
export async function reversePoints(
  customerId: Types.ObjectId,
  earnedRefKey: string,
  reason: string,
  context: PointsContext = {},
): Promise<PostResult> {
  const earned = await LedgerEntry.findOne({ refKey: earnedRefKey, customerId, type: 'earn', state: 'applied' }).lean<LedgerDoc>();
  if (!earned) throw notFound('No such earned points to reverse.');
  const result = await postCappedDebit(customerId, earned.points, {
    type: 'reverse',
    reason,
    refKey: `reverse:${earnedRefKey}`,
    ...context,
  });
  if (result.created) {
    await appendTimeline(customerId, {
      type: 'points.reversed',
      channel: 'system',
      summary: `${result.entry.points} points: ${reason}`,
      data: { points: result.entry.points, refKey: earnedRefKey },
    });
  }
  return result;
}

/** A manual correction by staff, up or down (down never below zero: 409). Idempotent on refKey. */
export async function adjustPoints(
  customerId: Types.ObjectId,
  points: number,
  reason: string,
  refKey: string,
  context: PointsContext,
): Promise<PostResult> {
  const result = await postEntry(customerId, { type: 'adjust', points, reason, refKey: `adjust:${refKey}`, ...context });
  if (result.created) {
    await appendTimeline(customerId, {
      type: 'points.adjusted',
      channel: context.storeId ? 'store' : 'system',
      summary: `${points > 0 ? '+' : ''}${points} points: ${reason}`,
      data: { points },
      ...(context.storeId ? { storeId: context.storeId } : {}),
      ...(context.staffId ? { staffId: context.staffId } : {}),
    });
  }
  return result;
}

export async function listLedger(
  customerId: Types.ObjectId,
  options: { limit: number; cursor?: string | undefined },
): Promise<{ items: LedgerDoc[]; nextCursor: string | null }> {
  const filter: Record<string, unknown> = { customerId, state: 'applied' };
  if (options.cursor) {
    if (!Types.ObjectId.isValid(options.cursor)) throw new AppError(400, 'VALIDATION_FAILED', 'Invalid cursor.', [{ path: 'query.cursor', message: 'is not a valid cursor' }]);
    filter._id = { $lt: new Types.ObjectId(options.cursor) };
  }
  const items = await LedgerEntry.find(filter).sort({ _id: -1 }).limit(options.limit + 1).lean<LedgerDoc[]>();
  const more = items.length > options.limit;
  const page = items.slice(0, options.limit);
  return { items: page, nextCursor: more ? page[page.length - 1]!._id.toString() : null };
}

export async function allLedgerEntries(customerId: Types.ObjectId): Promise<LedgerDoc[]> {
  return LedgerEntry.find({ customerId, state: 'applied' }).sort({ at: 1, _id: 1 }).lean<LedgerDoc[]>();
}

export { postCappedDebit };

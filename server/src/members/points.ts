import { setTimeout as sleep } from 'node:timers/promises';
import { Types } from 'mongoose';
import { ErrorCode, MemberErrorCode } from '@shared/errors';
import { addMonths, POINTS_VALIDITY_MONTHS, TIER_WINDOW_MONTHS, tierFor } from '@shared/tiers';
import { appendTimeline } from '../customers';
import { isDuplicateKey } from '../platform/db/errors';
import { badRequest, busy, conflict, notFound } from '../platform/errors';
import { LedgerEntry, Member, type LedgerDoc } from './model';

/*
 * How the balance stays equal to the ledger without transactions
 * --------------------------------------------------------------
 * The balance is not a counter somewhere else: it is written on the ledger itself. Each customer's
 * entries form a chain numbered 1, 2, 3 …, and each entry records `balanceAfter` = the previous
 * entry's balanceAfter + its own points. To post, a writer reads the head of the chain, checks the
 * new balance (a debit must leave it >= 0), and inserts entry head+1. The unique index on
 * (customerId, seq) lets exactly one of several racing writers extend a given head; the others get a
 * duplicate-key error, re-read the new head and try again (re-checking the balance, so concurrent
 * spends can never overdraw). A single insert is atomic on every engine, so there is no second step
 * to fail, nothing to compensate, and the invariant holds at every instant:
 *     head.balanceAfter == sum(points of the chain) >= 0.
 * (Counters with guarded $inc would need the engine to apply the guard and the increment as one
 * step; the embedded engine does not under concurrency, a unique index it does honour.)
 * Idempotency: refKey is unique too, so the same operation posted twice (a retried request, two
 * racing deliveries) is one entry; the second call gets the first entry back.
 */

export interface PostInput {
  type: LedgerDoc['type'];
  /** Signed points, or a function of the current balance (capped debits such as expiry). */
  points: number | ((balance: number) => number);
  reason: string;
  refKey: string;
  at?: Date | undefined;
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
const MAX_ATTEMPTS = 200;

async function earlierPost(customerId: Types.ObjectId, refKey: string): Promise<PostResult | undefined> {
  const earlier = await LedgerEntry.findOne({ refKey }).lean<LedgerDoc>();
  if (!earlier) return undefined;
  if (!earlier.customerId.equals(customerId)) throw conflict(ErrorCode.CONFLICT, 'This reference belongs to another member.');
  return { entry: earlier, created: false };
}

/** The head of the customer's chain: its seq and the balance. */
export async function ledgerHead(customerId: Types.ObjectId): Promise<{ seq: number; balance: number }> {
  const head = await LedgerEntry.findOne({ customerId }, { seq: 1, balanceAfter: 1 }).sort({ seq: -1 }).lean();
  return { seq: head?.seq ?? 0, balance: head?.balanceAfter ?? 0 };
}

export async function pointsBalance(customerId: Types.ObjectId): Promise<number> {
  return (await ledgerHead(customerId)).balance;
}

async function postEntry(customerId: Types.ObjectId, input: PostInput, options: { memberOnly?: boolean } = {}): Promise<PostResult> {
  if (options.memberOnly !== false) {
    const member = await Member.exists({ customerId, closedAt: { $exists: false } });
    if (!member) throw notAMember();
  }
  const known = await earlierPost(customerId, input.refKey);
  if (known) return known;
  const at = input.at ?? new Date();

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const head = await ledgerHead(customerId);
    const points = typeof input.points === 'function' ? input.points(head.balance) : input.points;
    if (head.balance + points < 0) throw insufficient();
    const isCredit = points > 0 && (input.type === 'earn' || input.type === 'adjust' || input.type === 'refund');
    try {
      const created = await LedgerEntry.create({
        customerId,
        seq: head.seq + 1,
        balanceAfter: head.balance + points,
        type: input.type,
        points,
        reason: input.reason,
        refKey: input.refKey,
        at,
        ...(isCredit ? { expiresAt: addMonths(at, POINTS_VALIDITY_MONTHS) } : {}),
        ...(input.storeId ? { storeId: input.storeId } : {}),
        ...(input.staffId ? { staffId: input.staffId } : {}),
      });
      return { entry: created.toObject() as LedgerDoc, created: true };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // Either the same refKey was posted meanwhile (idempotent answer) or another entry took this
      // seq (re-read the head and try again, after a short random pause to spread the racers).
      const raced = await earlierPost(customerId, input.refKey);
      if (raced) return raced;
      await sleep(Math.random() * Math.min(20, 1 + attempt));
    }
  }
  throw busy('The points balance is busy; try again.');
}

/**
 * Moves points between the chains of two records of one person (a merge): signed, idempotent on
 * refKey, posted whether or not the record is still an open membership.
 */
export async function postTransfer(customerId: Types.ObjectId, points: number, refKey: string, at: Date): Promise<PostResult> {
  return postEntry(customerId, { type: 'adjust', points, reason: 'Points of a merged record', refKey, at }, { memberOnly: false });
}

/** A debit of up to `points`, taking no more than the balance holds (reversal, expiry). */
export async function postCappedDebit(customerId: Types.ObjectId, points: number, input: Omit<PostInput, 'points'>): Promise<PostResult> {
  return postEntry(customerId, { ...input, points: (balance) => -Math.min(points, Math.max(0, balance)) || 0 });
}

/** Points earned (minus reversed) in the rolling window ending at `now`: what the tier follows. */
export async function earnedInWindow(customerId: Types.ObjectId, now = new Date()): Promise<number> {
  const since = addMonths(now, -TIER_WINDOW_MONTHS);
  const rows = await LedgerEntry.aggregate<{ _id: null; total: number }>([
    { $match: { customerId, type: { $in: ['earn', 'reverse'] }, at: { $gt: since, $lte: now } } },
    { $group: { _id: null, total: { $sum: '$points' } } },
  ]);
  return Math.max(0, rows[0]?.total ?? 0);
}

/** Upgrades at once when the earned points reach a higher tier; never downgrades (the job does). */
async function upgradeTier(customerId: Types.ObjectId, now: Date): Promise<void> {
  const target = tierFor(await earnedInWindow(customerId, now));
  // Not relied on for correctness: the tier shown is never below what the window's earnings give
  // (effectiveTier), so an upgrade lost to a race is made good at the next read and earn.
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
  /** For an adjustment above a manager's cap: the admin who approved it. */
  approvedBy?: Types.ObjectId | undefined;
}

/** Posts a whole positive number of points earned or spent, and puts it on the timeline once. */
async function postMovement(
  direction: 'earn' | 'spend',
  customerId: Types.ObjectId,
  points: number,
  reason: string,
  refKey: string,
  context: PointsContext,
): Promise<PostResult> {
  const word = direction === 'earn' ? 'Earned' : 'Spent';
  if (!Number.isInteger(points) || points <= 0) throw badRequest(`${word} points must be a positive whole number.`);
  const signed = direction === 'earn' ? points : -points;
  const result = await postEntry(customerId, { type: direction, points: signed, reason, refKey, ...context });
  if (result.created) {
    await appendTimeline(customerId, {
      type: direction === 'earn' ? 'points.earned' : 'points.spent',
      channel: context.storeId ? 'store' : 'system',
      summary: `${direction === 'earn' ? '+' : '-'}${points} points: ${reason}`,
      data: { points, refKey },
      ...(context.at ? { at: context.at } : {}),
      ...(context.storeId ? { storeId: context.storeId } : {}),
      ...(context.staffId ? { staffId: context.staffId } : {}),
    });
  }
  return result;
}

/** Credits earned points (e.g. for a redemption). Idempotent on refKey. */
export async function earnPoints(
  customerId: Types.ObjectId,
  points: number,
  reason: string,
  refKey: string,
  context: PointsContext = {},
): Promise<PostResult> {
  const at = context.at ?? new Date();
  const result = await postMovement('earn', customerId, points, reason, refKey, { ...context, at });
  if (result.created) await upgradeTier(customerId, at);
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
  return postMovement('spend', customerId, points, reason, refKey, context);
}

/** The ledger entry posted under a refKey, if any. */
export async function findLedgerEntry(refKey: string): Promise<LedgerDoc | null> {
  return LedgerEntry.findOne({ refKey }).lean<LedgerDoc>();
}

/**
 * Gives back what an earlier spend (by its refKey) took, e.g. when what the points paid for could
 * not be delivered. Idempotent: the refund's own key is `refund:<refKey>`; nothing to do when no
 * such spend was posted (returns undefined).
 */
export async function refundPoints(
  customerId: Types.ObjectId,
  spentRefKey: string,
  reason: string,
  context: PointsContext = {},
): Promise<PostResult | undefined> {
  const spent = await LedgerEntry.findOne({ refKey: spentRefKey, customerId, type: 'spend' }).lean<LedgerDoc>();
  if (!spent) return undefined;
  const result = await postEntry(customerId, {
    type: 'refund',
    points: -spent.points,
    reason,
    refKey: `refund:${spentRefKey}`,
    ...context,
  });
  if (result.created) {
    await appendTimeline(customerId, {
      type: 'points.refunded',
      channel: 'system',
      summary: `+${result.entry.points} points: ${reason}`,
      data: { points: result.entry.points, refKey: spentRefKey },
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
  const earned = await LedgerEntry.findOne({ refKey: earnedRefKey, customerId, type: 'earn' }).lean<LedgerDoc>();
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
  const { approvedBy, ...posting } = context;
  const result = await postEntry(customerId, { type: 'adjust', points, reason, refKey: `adjust:${refKey}`, ...posting });
  // The audit trail, told from the ledger entry: who adjusted, why, under which key, and who approved
  // it when it needed that. Keyed by the entry, so a retry writes it if a crash cut it off, never twice.
  const { entry } = result;
  await appendTimeline(customerId, {
    sourceKey: `ledger:${entry.refKey}`,
    type: 'points.adjusted',
    channel: entry.storeId ? 'store' : 'system',
    summary: `${entry.points > 0 ? '+' : ''}${entry.points} points: ${entry.reason}`,
    data: {
      points: entry.points,
      reason: entry.reason,
      refKey,
      ...(entry.staffId ? { actorId: String(entry.staffId) } : {}),
      ...(approvedBy ? { approvedBy: String(approvedBy) } : {}),
    },
    at: entry.at,
    ...(entry.storeId ? { storeId: entry.storeId } : {}),
    ...(entry.staffId ? { staffId: entry.staffId } : {}),
  });
  return result;
}

export async function listLedger(
  customerId: Types.ObjectId,
  options: { limit: number; cursor?: string | undefined },
): Promise<{ items: LedgerDoc[]; nextCursor: string | null }> {
  const filter: Record<string, unknown> = { customerId };
  if (options.cursor) {
    if (!Types.ObjectId.isValid(options.cursor))
      throw badRequest('Invalid cursor.', [{ path: 'query.cursor', message: 'is not a valid cursor' }]);
    filter._id = { $lt: new Types.ObjectId(options.cursor) };
  }
  const items = await LedgerEntry.find(filter)
    .sort({ _id: -1 })
    .limit(options.limit + 1)
    .lean<LedgerDoc[]>();
  const more = items.length > options.limit;
  const page = items.slice(0, options.limit);
  return { items: page, nextCursor: more ? page[page.length - 1]!._id.toString() : null };
}

export async function allLedgerEntries(customerId: Types.ObjectId): Promise<LedgerDoc[]> {
  return LedgerEntry.find({ customerId }).sort({ at: 1, seq: 1 }).lean<LedgerDoc[]>();
}

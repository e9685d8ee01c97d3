import { type Types } from 'mongoose';
import { ErrorCode } from '@shared/errors';
import type { FlagKind, ReviewDecision, ReviewStatus } from '@shared/engagement';
import { issueHeldCoupon, refuseHeldCoupon, voidIssuedCoupon } from '../coupons';
import { isDuplicateKey } from '../platform/db/errors';
import { conflict, notFound } from '../platform/errors';
import { EngagementFlag, EngagementReview, type FlagDoc, type ReviewDoc } from './model';

// The review queue: flags without a decision. A decision is one insert under the flag's id, so
// two admins (or a double tap) cannot both decide; the same decision sent again finishes what it
// started (issuing or refusing a held claim, voiding a coupon), a different one is refused.

/** The most recent flags the queue looks through. */
const QUEUE_WINDOW = 2_000;

export interface QueueItem {
  flag: FlagDoc;
  review?: ReviewDoc;
}

export async function listQueue(
  status: ReviewStatus,
  kind: FlagKind | undefined,
  limit: number,
): Promise<{ items: QueueItem[]; counts: Record<ReviewStatus, number> }> {
  const filter = kind ? { kind } : {};
  const flags = await EngagementFlag.find(filter).sort({ flaggedAt: -1 }).limit(QUEUE_WINDOW).batchSize(QUEUE_WINDOW).lean<FlagDoc[]>();
  const reviews = new Map(
    (
      await EngagementReview.find({ _id: { $in: flags.map((f) => f._id) } })
        .batchSize(QUEUE_WINDOW)
        .lean<ReviewDoc[]>()
    ).map((r) => [String(r._id), r]),
  );
  const statusOf = (f: FlagDoc): ReviewStatus => {
    const r = reviews.get(f._id);
    return !r ? 'open' : r.action === 'confirm' ? 'confirmed' : 'cleared';
  };
  const counts: Record<ReviewStatus, number> = { open: 0, confirmed: 0, cleared: 0 };
  for (const f of flags) counts[statusOf(f)]++;
  const items = flags
    .filter((f) => statusOf(f) === status)
    // Held claims first: a customer is waiting for them.
    .sort((a, b) => Number(b.held) - Number(a.held) || b.score - a.score || b.flaggedAt.getTime() - a.flaggedAt.getTime())
    .slice(0, limit)
    .map((flag) => ({ flag, ...(reviews.get(flag._id) ? { review: reviews.get(flag._id)! } : {}) }));
  return { items, counts };
}

/** What the decision does to the coupon the flag is about. */
async function carryOut(flag: FlagDoc, decision: ReviewDecision, now: Date): Promise<string> {
  if (!flag.couponId) return 'kept';
  if (flag.held) {
    const coupon = decision.action === 'confirm' ? await refuseHeldCoupon(flag.couponId, now) : await issueHeldCoupon(flag.couponId, now);
    return coupon.review?.outcome ?? 'kept';
  }
  if (decision.action === 'confirm' && decision.voidCoupon) {
    return (await voidIssuedCoupon(flag.couponId, 'confirmed as fake engagement at review')) ? 'voided' : 'not_voidable';
  }
  return 'kept';
}

export async function decide(flagId: string, decision: ReviewDecision, by: Types.ObjectId, now = new Date()): Promise<QueueItem> {
  const flag = await EngagementFlag.findById(flagId).lean<FlagDoc>();
  if (!flag) throw notFound('No such flag.');
  try {
    await EngagementReview.create({
      _id: flag._id,
      action: decision.action,
      voidCoupon: decision.voidCoupon,
      ...(decision.note ? { note: decision.note } : {}),
      by,
      outcome: 'pending',
      at: now,
    });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const earlier = await EngagementReview.findById(flag._id).lean<ReviewDoc>();
    if (!earlier || earlier.action !== decision.action || earlier.voidCoupon !== decision.voidCoupon) {
      throw conflict(ErrorCode.CONFLICT, 'This flag has been decided already.');
    }
  }
  const stored = (await EngagementReview.findById(flag._id).lean<ReviewDoc>())!;
  const outcome = await carryOut(flag, { ...decision, voidCoupon: stored.voidCoupon }, now);
  if (stored.outcome !== outcome) await EngagementReview.updateOne({ _id: flag._id }, { $set: { outcome } });
  return { flag, review: { ...stored, outcome } };
}

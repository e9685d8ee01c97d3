import { EngagementFlag, EngagementReview } from './model';

/**
 * Flagged claims, gifts and follows that happened in [from, to) (optionally of one store), not
 * cleared at review: what the dashboard shows beside the real numbers. A range read: for reports.
 */
export async function flaggedCounts(
  range: { from: Date; to: Date },
  storeId?: string,
): Promise<{ claims: number; gifts: number; follows: number }> {
  const flags = await EngagementFlag.find({ at: { $gte: range.from, $lt: range.to }, ...(storeId ? { storeId } : {}) }, { kind: 1 })
    .batchSize(10_000)
    .lean();
  const relevant = flags.filter((f) => f.kind !== 'redemption');
  const cleared = new Set(
    (
      await EngagementReview.find({ _id: { $in: relevant.map((f) => f._id) }, action: 'clear' }, { _id: 1 })
        .batchSize(10_000)
        .lean()
    ).map((r) => String(r._id)),
  );
  const counts = { claims: 0, gifts: 0, follows: 0 };
  for (const f of relevant) {
    if (cleared.has(String(f._id))) continue;
    if (f.kind === 'claim') counts.claims++;
    else if (f.kind === 'gift') counts.gifts++;
    else if (f.kind === 'follow') counts.follows++;
  }
  return counts;
}

import type { FlagView, SignalCode } from '@shared/engagement';
import type { QueueItem } from './review';

/** A hash shown shortened: enough to tell two addresses apart, nothing to recover one from. */
const tag = (hash: string | null | undefined) => (hash ? hash.slice(0, 8) : undefined);

export function flagView({ flag, review }: QueueItem): FlagView {
  const opt = <K extends string>(key: K, value: { toString(): string } | null | undefined) =>
    (value ? { [key]: value.toString() } : {}) as Partial<Record<K, string>>;
  return {
    id: flag._id,
    kind: flag.kind,
    status: !review ? 'open' : review.action === 'confirm' ? 'confirmed' : 'cleared',
    score: flag.score,
    signals: (flag.signals ?? []).map((s) => ({
      code: s.code as SignalCode,
      weight: s.weight,
      detail: (s.detail ?? {}) as Record<string, number | string>,
    })),
    at: flag.at.toISOString(),
    flaggedAt: flag.flaggedAt.toISOString(),
    ...opt('customerId', flag.customerId),
    ...opt('campaignId', flag.campaignId),
    ...opt('couponId', flag.couponId),
    ...opt('storeId', flag.storeId),
    ...opt('staffId', flag.staffId),
    held: flag.held ?? false,
    ...opt('addressTag', tag(flag.ipHash)),
    ...opt('deviceTag', tag(flag.deviceHash)),
    ...(review
      ? {
          decidedAt: review.at.toISOString(),
          decision: {
            action: review.action,
            voidCoupon: review.voidCoupon ?? false,
            ...(review.note ? { note: review.note } : {}),
            outcome: review.outcome,
          },
        }
      : {}),
  };
}

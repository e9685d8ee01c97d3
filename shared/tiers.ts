// Member tiers. A member's tier follows the points EARNED over the last 12 months (not the balance):
// reaching a threshold upgrades at once; falling below one is noticed by the periodic tier check.

export const TIER_IDS = ['regular', 'silver', 'gold', 'black_gold'] as const;
export type TierId = (typeof TIER_IDS)[number];

export interface Tier {
  id: TierId;
  /** Shown to customers and staff. */
  name: string;
  /** Points earned over the rolling window needed to hold this tier. */
  minEarnedPoints: number;
  rank: number;
}

export const TIERS: readonly Tier[] = [
  { id: 'regular', name: '普通', minEarnedPoints: 0, rank: 0 },
  { id: 'silver', name: '银卡', minEarnedPoints: 1_000, rank: 1 },
  { id: 'gold', name: '金卡', minEarnedPoints: 5_000, rank: 2 },
  { id: 'black_gold', name: '黑金', minEarnedPoints: 20_000, rank: 3 },
];

/** The window over which earned points count towards the tier, and after which earned points expire. */
export const TIER_WINDOW_MONTHS = 12;
export const POINTS_VALIDITY_MONTHS = 12;
/** How long before expiry the member is reminded. */
export const EXPIRY_REMINDER_DAYS = 7;

export function tierFor(earnedPoints: number): Tier {
  let best = TIERS[0]!;
  for (const tier of TIERS) if (earnedPoints >= tier.minEarnedPoints) best = tier;
  return best;
}

export function tierById(id: TierId): Tier {
  return TIERS.find((t) => t.id === id) ?? TIERS[0]!;
}

/** The next tier up and how many more earned points reach it, or undefined at the top. */
export function nextTier(earnedPoints: number): { tier: Tier; pointsNeeded: number } | undefined {
  const current = tierFor(earnedPoints);
  const next = TIERS.find((t) => t.rank === current.rank + 1);
  return next ? { tier: next, pointsNeeded: next.minEarnedPoints - earnedPoints } : undefined;
}

/** Adds calendar months in UTC (Jan 31 + 1 month = Mar 3, as Date does; good enough for windows). */
export function addMonths(at: Date, months: number): Date {
  const d = new Date(at.getTime());
  d.setUTCMonth(d.getUTCMonth() + months);
  return d;
}

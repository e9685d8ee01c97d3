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
  /** Earning multiplier at redemption (points for an order × this, rounded down). */
  pointsMultiplier: number;
  /** What the tier gives, as the member card lists it. */
  benefits: readonly string[];
}

export const TIERS: readonly Tier[] = [
  {
    id: 'regular',
    name: '普通',
    minEarnedPoints: 0,
    rank: 0,
    pointsMultiplier: 1,
    benefits: ['消费每满1元积1分', '积分兑换优惠券', '生日月礼券'],
  },
  {
    id: 'silver',
    name: '银卡',
    minEarnedPoints: 1_000,
    rank: 1,
    pointsMultiplier: 1.2,
    benefits: ['消费积分1.2倍', '积分兑换优惠券', '生日月礼券', '银卡专享优惠'],
  },
  {
    id: 'gold',
    name: '金卡',
    minEarnedPoints: 5_000,
    rank: 2,
    pointsMultiplier: 1.5,
    benefits: ['消费积分1.5倍', '积分兑换优惠券', '生日月礼券', '金卡及以上专享优惠'],
  },
  {
    id: 'black_gold',
    name: '黑金',
    minEarnedPoints: 20_000,
    rank: 3,
    pointsMultiplier: 2,
    benefits: ['消费积分2倍', '积分兑换优惠券', '生日月礼券', '黑金专享优惠'],
  },
];

/** Points a tier earns for a base amount: base × the tier's multiplier, rounded down. */
export function multipliedPoints(basePoints: number, tier: Tier): number {
  return Math.floor(basePoints * tier.pointsMultiplier + 1e-9);
}

/** The lowest of the given tiers (what unlocks a tier-limited campaign), or undefined for none. */
export function lowestTier(ids: readonly TierId[]): Tier | undefined {
  return TIERS.filter((t) => ids.includes(t.id)).sort((a, b) => a.rank - b.rank)[0];
}

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

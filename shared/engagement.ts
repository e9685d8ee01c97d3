// Engagement review: claims, gifts, follows and clerks scored for machine or coupon-farming
// behaviour, and the admin's review queue. The API contract shared by server and mini-program.
import { z } from 'zod';

/** The header the mini-program sends with a random id it keeps in storage (a device fingerprint). */
export const DEVICE_HEADER = 'x-loopline-device';
export const deviceIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,128}$/);

export const FLAG_KINDS = ['claim', 'gift', 'follow', 'redemption'] as const;
export type FlagKind = (typeof FLAG_KINDS)[number];

/** Why something was flagged; each signal adds its weight to the score (see server/src/engagement/signals.ts). */
export const SIGNAL_CODES = [
  'fresh_account',
  'address_crowd',
  'device_crowd',
  'fresh_burst',
  'gift_funnel',
  'follow_burst',
  'no_touch',
  'clerk_rate',
] as const;
export type SignalCode = (typeof SIGNAL_CODES)[number];

export const REVIEW_STATUSES = ['open', 'confirmed', 'cleared'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

export const reviewQuerySchema = z.object({
  status: z.enum(REVIEW_STATUSES).default('open'),
  kind: z.enum(FLAG_KINDS).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ReviewQuery = z.output<typeof reviewQuerySchema>;

export const reviewDecisionSchema = z.object({
  /** confirm: it is fake (a held claim is refused, its stock place returns); clear: it is real (a held claim is issued). */
  action: z.enum(['confirm', 'clear']),
  /** On confirm: also void the coupon it concerns when it is still unused. */
  voidCoupon: z.boolean().default(false),
  note: z.string().trim().max(200).optional(),
});
export type ReviewDecision = z.output<typeof reviewDecisionSchema>;

export interface SignalView {
  code: SignalCode;
  weight: number;
  /** Figures behind it, e.g. { customers: 100 } behind one address. */
  detail: Record<string, number | string>;
}

export interface FlagView {
  id: string;
  kind: FlagKind;
  status: ReviewStatus;
  score: number;
  signals: SignalView[];
  /** When the flagged activity happened, and when it was flagged. */
  at: string;
  flaggedAt: string;
  customerId?: string;
  campaignId?: string;
  couponId?: string;
  storeId?: string;
  staffId?: string;
  /** A claim held for review instead of issued (the campaign holds suspicious claims). */
  held: boolean;
  /** The client address and device, shortened hashes only: never the address itself. */
  addressTag?: string;
  deviceTag?: string;
  decidedAt?: string;
  decision?: { action: 'confirm' | 'clear'; voidCoupon: boolean; note?: string; outcome: string };
}

export interface ReviewListView {
  items: FlagView[];
  counts: Record<ReviewStatus, number>;
}

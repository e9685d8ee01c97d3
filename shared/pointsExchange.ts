// Points exchange: members spend points on coupons of campaigns offered through the `points` channel.
import type { CampaignView, CouponView } from './coupons';

// HTTP API (signed-in customers; 409 NOT_A_MEMBER before joining):
//   GET  /api/v1/points-exchange                    → 200 PointsExchangeOffers
//   POST /api/v1/points-exchange/:campaignId        (header Idempotency-Key, 8–128 of [A-Za-z0-9._:-])
//        → 201 PointsExchangeResult (200 when the same key was exchanged before)
//        → 409 INSUFFICIENT_POINTS | OUT_OF_STOCK | LIMIT_REACHED | TIER_REQUIRED | NOT_CLAIMABLE | ENDED …
//   GET  /api/v1/points-exchange/history            → 200 { items: PointsExchangeView[] } (newest first)

export const EXCHANGE_STATES = ['pending', 'issued', 'refused', 'refunded'] as const;
export type ExchangeState = (typeof EXCHANGE_STATES)[number];

export interface PointsExchangeOffer extends CampaignView {
  pointsPrice: number;
  /** Whether the balance covers the price now. */
  affordable: boolean;
  /** Set when the member's tier does not unlock it yet: the lowest tier that does. */
  requiredTier?: { id: string; name: string };
}

export interface PointsExchangeOffers {
  balance: number;
  tier: { id: string; name: string };
  items: PointsExchangeOffer[];
}

export interface PointsExchangeView {
  id: string;
  campaignId: string;
  name: string;
  points: number;
  state: ExchangeState;
  couponId?: string;
  /** Why it did not go through, when refused or refunded. */
  error?: { code: string; message: string };
  at: string;
}

export interface PointsExchangeResult {
  exchange: PointsExchangeView;
  coupon: CouponView;
  balance: number;
}

// Campaigns, coupons, gifts and redemptions: the API contract shared by server and mini-program.
import { z } from 'zod';
import { TIER_IDS, type TierId } from './tiers';

export const CAMPAIGN_TYPES = ['cash', 'discount', 'gift'] as const;
export type CampaignType = (typeof CAMPAIGN_TYPES)[number];

export const CAMPAIGN_STATUSES = ['draft', 'active', 'paused', 'ended'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** Where a coupon can be claimed from. */
export const CLAIM_CHANNELS = ['mini_program', 'oa_follow', 'oa_keyword', 'service_recovery', 'points', 'birthday'] as const;
export type ClaimChannel = (typeof CLAIM_CHANNELS)[number];

/** `held`: a claim kept for review (the campaign holds suspicious claims); it takes its stock place until decided. */
export const COUPON_STATES = ['available', 'gifting', 'redeemed', 'expired', 'voided', 'held'] as const;
export type CouponState = (typeof COUPON_STATES)[number];

/** Coupon-specific 409 codes: in errors.ts with every other code. */
export { CouponErrorCode } from './errors';

/** How long a redemption can be voided by a manager. */
export const VOID_WINDOW_MS = 10 * 60 * 1000;
/** How long an unaccepted gift stays open before the coupon returns to the giver. */
export const GIFT_OPEN_MS = 24 * 60 * 60 * 1000;
/** Lifetime of the dynamic QR token shown on screen. */
export const QR_TOKEN_TTL_MS = 60 * 1000;

const fen = z.number().int().min(0).max(100_000_000);
const isoDate = z.union([z.iso.datetime({ offset: true }), z.iso.date()]).transform((s) => new Date(s));
const objectId = z.string().regex(/^[0-9a-fA-F]{24}$/, 'must be an id');

export const validitySchema = z.discriminatedUnion('kind', [
  z
    .object({ kind: z.literal('range'), start: isoDate, end: isoDate })
    .refine((v) => v.end > v.start, { message: 'must be after start', path: ['end'] }),
  z.object({ kind: z.literal('days'), days: z.number().int().min(1).max(3650) }),
]);
export type Validity = z.input<typeof validitySchema>;

export const createCampaignSchema = z
  .object({
    name: z.string().trim().min(1).max(80),
    type: z.enum(CAMPAIGN_TYPES),
    valueFen: fen.min(1).optional(),
    thresholdFen: fen.optional(),
    percentOff: z.number().int().min(1).max(99).optional(),
    maxDiscountFen: fen.min(1).optional(),
    giftName: z.string().trim().min(1).max(80).optional(),
    stock: z.number().int().min(0).max(10_000_000),
    perUserLimit: z.number().int().min(1).max(100),
    validity: validitySchema,
    status: z.enum(['active', 'draft']).default('active'),
    /** When claiming opens and closes; absent means from now and for as long as the coupons are valid. */
    claimWindow: z
      .object({ start: isoDate.optional(), end: isoDate.optional() })
      .refine((w) => !w.start || !w.end || w.end > w.start, { message: 'must be after start', path: ['end'] })
      .optional(),
    /** Stores where the coupon can be used; empty means every store. */
    storeIds: z.array(objectId).max(500).default([]),
    channels: z.array(z.enum(CLAIM_CHANNELS)).min(1).default(['mini_program']),
    description: z.string().max(500).optional(),
    /** Price in points when offered through the `points` channel (points exchange). */
    pointsPrice: z.number().int().min(1).max(10_000_000).optional(),
    /** Member tiers that may claim; empty means everyone. */
    tiers: z.array(z.enum(TIER_IDS)).max(TIER_IDS.length).default([]),
    /** Hold claims that look like coupon farming for an admin's review instead of issuing them. */
    holdSuspicious: z.boolean().default(false),
  })
  .superRefine((c, ctx) => {
    if (c.channels.includes('points') && c.pointsPrice === undefined) {
      ctx.addIssue({ code: 'custom', path: ['pointsPrice'], message: 'is required when offered for points' });
    }
    if (c.pointsPrice !== undefined && !c.channels.includes('points')) {
      ctx.addIssue({ code: 'custom', path: ['channels'], message: 'must include points when a points price is set' });
    }
    if (c.type === 'cash' && c.valueFen === undefined) {
      ctx.addIssue({ code: 'custom', path: ['valueFen'], message: 'is required for a cash coupon' });
    }
    if (c.type === 'discount' && c.percentOff === undefined) {
      ctx.addIssue({ code: 'custom', path: ['percentOff'], message: 'is required for a discount coupon' });
    }
    if (c.type === 'gift' && !c.giftName) {
      ctx.addIssue({ code: 'custom', path: ['giftName'], message: 'is required for a gift coupon' });
    }
  });
export type CreateCampaignInput = z.input<typeof createCampaignSchema>;
export type CreateCampaign = z.output<typeof createCampaignSchema>;

export const updateCampaignSchema = z
  .object({
    status: z.enum(CAMPAIGN_STATUSES).optional(),
    /** Can be raised while running, never below what has been issued. */
    stock: z.number().int().min(0).max(10_000_000).optional(),
    holdSuspicious: z.boolean().optional(),
  })
  .refine((u) => u.status !== undefined || u.stock !== undefined || u.holdSuspicious !== undefined, { message: 'nothing to change' });
export type UpdateCampaign = z.output<typeof updateCampaignSchema>;

export const claimCouponSchema = z.object({ channel: z.enum(CLAIM_CHANNELS).default('mini_program') }).default({
  channel: 'mini_program',
});

export const idempotencyKeySchema = z.string().regex(/^[A-Za-z0-9._:-]{8,128}$/, 'must be 8 to 128 letters, digits or ._:-');

export const redeemSchema = z
  .object({
    code: z.string().trim().min(1).max(64).optional(),
    qrToken: z.string().trim().min(1).max(256).optional(),
    orderAmountFen: fen.optional(),
    /** The store the clerk acts for; may be left out by staff of exactly one store. */
    storeId: objectId.optional(),
  })
  .refine((r) => r.code || r.qrToken, { message: 'give the code or the scanned token', path: ['code'] });
export type RedeemInput = z.output<typeof redeemSchema>;

/** A preview checks exactly what a redemption would be given, without redeeming. */
export const previewSchema = redeemSchema;
export type PreviewInput = RedeemInput;

export const funnelQuerySchema = z.object({ campaignId: objectId });

export const acceptGiftSchema = z.object({ token: z.string().trim().min(16).max(128) });

export interface CampaignView {
  id: string;
  name: string;
  type: CampaignType;
  valueFen?: number;
  thresholdFen?: number;
  percentOff?: number;
  maxDiscountFen?: number;
  giftName?: string;
  stock: number;
  issued: number;
  remaining: number;
  perUserLimit: number;
  validity: { kind: 'range'; start: string; end: string } | { kind: 'days'; days: number };
  claimWindow?: { start?: string; end?: string };
  storeIds: string[];
  channels: ClaimChannel[];
  status: CampaignStatus;
  pointsPrice?: number;
  /** Tiers that may claim; empty means everyone. */
  tiers: TierId[];
  /** Suspicious claims wait for an admin's review instead of being issued. */
  holdSuspicious?: boolean;
}

/** A campaign the member's tier does not unlock yet, as the coupon centre shows it. */
export interface LockedCampaignView extends CampaignView {
  /** The lowest tier that unlocks it. */
  requiredTier: { id: TierId; name: string };
}

/** GET /api/v1/campaigns: what the caller can claim, and what a higher tier would unlock. */
export interface CampaignListView {
  items: CampaignView[];
  locked: LockedCampaignView[];
}

export interface CouponView {
  id: string;
  campaignId: string;
  /** Grouped for reading: XXXX-XXXX-XXXX-XXXX. */
  code: string;
  state: CouponState;
  name: string;
  type: CampaignType;
  valueFen?: number;
  thresholdFen?: number;
  percentOff?: number;
  maxDiscountFen?: number;
  giftName?: string;
  storeIds: string[];
  channel: ClaimChannel;
  claimedAt: string;
  validFrom: string;
  expiresAt: string;
  redeemedAt?: string;
}

export interface RedemptionPreview {
  coupon: CouponView;
  usable: boolean;
  /** Why not, as an error code, when not usable. */
  reason?: string;
  message?: string;
  discountFen?: number;
}

export interface RedemptionView {
  id: string;
  couponId: string;
  code: string;
  customerId: string;
  storeId: string;
  staffId: string;
  orderAmountFen?: number;
  discountFen: number;
  at: string;
  status: 'done' | 'voided';
  voidedAt?: string;
}

export interface FunnelRow {
  key: string;
  claimed: number;
  gifted: number;
  redeemed: number;
  voided: number;
  /** redeemed / claimed for channels; share of redemptions otherwise. */
  redemptionRate: number;
}

export interface FunnelReport {
  campaignId: string;
  stock: number;
  issued: number;
  claimed: number;
  gifted: number;
  redeemed: number;
  redemptionRate: number;
  byChannel: FunnelRow[];
  byStore: FunnelRow[];
  byClerk: Array<FunnelRow & { storeId: string; staffId: string; flagged: boolean; storeAverage: number }>;
}

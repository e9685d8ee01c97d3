import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';
import { CAMPAIGN_STATUSES, CAMPAIGN_TYPES, CLAIM_CHANNELS, COUPON_STATES } from '@shared/coupons';
import { TIER_IDS } from '@shared/tiers';

/** The terms a coupon carries; copied onto each coupon so redemption never needs the campaign. */
const terms = {
  name: { type: String, required: true },
  type: { type: String, enum: CAMPAIGN_TYPES, required: true },
  valueFen: Number,
  thresholdFen: Number,
  percentOff: Number,
  maxDiscountFen: Number,
  giftName: String,
  storeIds: { type: [Schema.Types.ObjectId], default: [] },
};

const campaignSchema = new Schema(
  {
    ...terms,
    description: String,
    stock: { type: Number, required: true },
    /** Set when a stock place is given back (a refused held claim), so no instance keeps it sold out. */
    placesReopenedAt: Date,
    perUserLimit: { type: Number, required: true },
    validity: {
      kind: { type: String, enum: ['range', 'days'], required: true },
      start: Date,
      end: Date,
      days: Number,
    },
    claimStart: Date,
    claimEnd: Date,
    channels: { type: [String], enum: CLAIM_CHANNELS, default: ['mini_program'] },
    status: { type: String, enum: CAMPAIGN_STATUSES, required: true },
    /** Price in points through the `points` channel. */
    pointsPrice: Number,
    /** Member tiers that may claim; empty: everyone. */
    tiers: { type: [String], enum: TIER_IDS, default: [] },
    /** Claims that look like coupon farming are held for review instead of issued. */
    holdSuspicious: { type: Boolean, default: false },
    /** Set once the campaign has held claims at any time: refused claims then count out of the issued figure. */
    heldEver: { type: Boolean, default: false },
    createdBy: Schema.Types.ObjectId,
  },
  { timestamps: true },
);
campaignSchema.index({ status: 1, claimStart: 1 });

const couponSchema = new Schema(
  {
    ...terms,
    campaignId: { type: Schema.Types.ObjectId, required: true },
    /** The current holder (changes when the coupon is given to a friend). */
    customerId: { type: Schema.Types.ObjectId, required: true },
    /** Who claimed it; never changes. */
    claimantId: { type: Schema.Types.ObjectId, required: true },
    /** Which of the campaign's stock places this coupon occupies: 0 .. stock-1, unique per campaign. */
    stockSlot: { type: Number, required: true },
    /** Which of the claimant's per-user places it occupies: 0 .. perUserLimit-1, unique per (campaign, claimant). */
    userSlot: { type: Number, required: true },
    /** Bumped by every state change; see transitions.ts. */
    version: { type: Number, required: true, default: 0 },
    /** Canonical form: 16 symbols, no hyphens. */
    code: { type: String, required: true },
    state: { type: String, enum: COUPON_STATES, required: true },
    /** The claim's idempotency key (a random one when the client sent none): unique per claimant. */
    claimKey: { type: String, required: true },
    channel: { type: String, enum: CLAIM_CHANNELS, required: true },
    claimedAt: { type: Date, required: true },
    validFrom: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    giftingSince: Date,
    /** The open gift while in `gifting`. */
    giftId: Schema.Types.ObjectId,
    /** Set while it belongs to a friend who received it. */
    receivedFrom: Schema.Types.ObjectId,
    /** A claim held for review: when it was held, and how the review ended (`issued` or `refused`). */
    review: { heldAt: Date, decidedAt: Date, outcome: String, place: Number },
    redemption: {
      id: Schema.Types.ObjectId,
      storeId: Schema.Types.ObjectId,
      staffId: Schema.Types.ObjectId,
      orderAmountFen: Number,
      discountFen: Number,
      at: Date,
    },
  },
  { timestamps: true },
);
couponSchema.index({ code: 1 }, { unique: true });
// One insert holds stock, per-user limit and idempotency at once: any collision refuses the whole claim.
couponSchema.index({ campaignId: 1, stockSlot: 1 }, { unique: true });
couponSchema.index({ campaignId: 1, claimantId: 1, userSlot: 1 }, { unique: true });
couponSchema.index({ claimantId: 1, claimKey: 1 }, { unique: true });
couponSchema.index({ customerId: 1, state: 1, expiresAt: 1 });
couponSchema.index({ state: 1, expiresAt: 1 });
couponSchema.index({ campaignId: 1, state: 1 });

/** A one-time link that passes a coupon to a friend. */
const giftSchema = new Schema(
  {
    token: { type: String, required: true },
    couponId: { type: Schema.Types.ObjectId, required: true },
    campaignId: { type: Schema.Types.ObjectId, required: true },
    /** The giver (sharding key). */
    customerId: { type: Schema.Types.ObjectId, required: true },
    status: { type: String, enum: ['open', 'accepted', 'returned', 'cancelled'], required: true },
    expiresAt: { type: Date, required: true },
    toCustomerId: Schema.Types.ObjectId,
    acceptedAt: Date,
  },
  { timestamps: true },
);
giftSchema.index({ token: 1 }, { unique: true });
giftSchema.index({ status: 1, expiresAt: 1 });
giftSchema.index({ customerId: 1, createdAt: -1 });
giftSchema.index({ couponId: 1 });

/** Each use of a coupon at a till, kept after a void for the audit trail. */
const redemptionSchema = new Schema(
  {
    couponId: { type: Schema.Types.ObjectId, required: true },
    campaignId: { type: Schema.Types.ObjectId, required: true },
    customerId: { type: Schema.Types.ObjectId, required: true },
    code: { type: String, required: true },
    channel: { type: String, required: true },
    storeId: { type: Schema.Types.ObjectId, required: true },
    staffId: { type: Schema.Types.ObjectId, required: true },
    orderAmountFen: Number,
    discountFen: { type: Number, required: true },
    at: { type: Date, required: true },
    status: { type: String, enum: ['done', 'voided'], required: true },
    voidedAt: Date,
    voidedBy: Schema.Types.ObjectId,
    pointsEarned: Number,
  },
  { versionKey: false },
);
redemptionSchema.index({ staffId: 1, at: -1 });
redemptionSchema.index({ customerId: 1, at: -1 });
redemptionSchema.index({ couponId: 1 });

/**
 * One funnel event: a claim, a gift, a redemption or a void, with its +/- counts. The _id names the
 * thing it counts (e.g. `redeem:<redemptionId>`), so recording it twice counts it once. Reports sum
 * them with $group per (channel, store, staff).
 */
const funnelEventSchema = new Schema(
  {
    _id: { type: String },
    campaignId: { type: Schema.Types.ObjectId, required: true },
    channel: { type: String, required: true },
    storeId: { type: String, required: true },
    staffId: { type: String, required: true },
    claimed: { type: Number, default: 0 },
    gifted: { type: Number, default: 0 },
    redeemed: { type: Number, default: 0 },
    voided: { type: Number, default: 0 },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
funnelEventSchema.index({ campaignId: 1, at: 1 });

/**
 * The lock that makes a coupon's state change exclusive: inserting `<couponId>:<version>` succeeds
 * for exactly one writer; that writer then applies `set`/`unset` and bumps the version. It also
 * records the change, so a change cut short by a crash can be rolled forward.
 */
const transitionSchema = new Schema(
  {
    _id: { type: String },
    couponId: { type: Schema.Types.ObjectId, required: true },
    customerId: { type: Schema.Types.ObjectId, required: true },
    kind: { type: String, required: true },
    fromVersion: { type: Number, required: true },
    set: { type: Schema.Types.Mixed, default: {} },
    unset: { type: [String], default: [] },
    at: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
transitionSchema.index({ couponId: 1 });
transitionSchema.index({ customerId: 1, at: -1 });

/** Marks that the day-before reminder went out for a coupon; the _id is the coupon's. */
const reminderSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId },
    customerId: { type: Schema.Types.ObjectId, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
reminderSchema.index({ customerId: 1 });

/** An instance's lease on one segment of a campaign's stock places: `<campaignId>:<segment>:<generation>`. */
const stockLeaseSchema = new Schema(
  {
    _id: { type: String },
    campaignId: { type: Schema.Types.ObjectId, required: true },
    segment: { type: Number, required: true },
    generation: { type: Number, required: true },
    holder: { type: String, required: true },
    /** Renewed by the holder while it claims; the sweep returns the segment once this has passed. */
    leasedUntil: { type: Date, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
stockLeaseSchema.index({ campaignId: 1 });
stockLeaseSchema.index({ leasedUntil: 1 });

/** A segment lease given back (same _id as the lease): its unissued places are free for the next generation. */
const stockReturnSchema = new Schema(
  {
    _id: { type: String },
    campaignId: { type: Schema.Types.ObjectId, required: true },
    segment: { type: Number, required: true },
    generation: { type: Number, required: true },
    /** Every place of the segment was issued: nothing to lease again. */
    empty: { type: Boolean, required: true },
    /** The holder that gave it back, or `sweep`. */
    by: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
stockReturnSchema.index({ campaignId: 1 });

/** Coupon signing secrets generated once and shared by every instance. */
const secretSchema = new Schema({ _id: { type: String }, value: { type: String, required: true } }, { versionKey: false });

export type CampaignDoc = InferSchemaType<typeof campaignSchema> & { _id: Types.ObjectId };
export type CouponDoc = InferSchemaType<typeof couponSchema> & { _id: Types.ObjectId };
export type GiftDoc = InferSchemaType<typeof giftSchema> & { _id: Types.ObjectId };
export type RedemptionDoc = InferSchemaType<typeof redemptionSchema> & { _id: Types.ObjectId };
export type FunnelEventDoc = InferSchemaType<typeof funnelEventSchema> & { _id: string };
export type TransitionDoc = InferSchemaType<typeof transitionSchema> & { _id: string };

export const Campaign = mongoose.model('Campaign', campaignSchema, 'campaigns');
export const Coupon = mongoose.model('Coupon', couponSchema, 'coupons');
export const CouponGift = mongoose.model('CouponGift', giftSchema, 'coupon_gifts');
export const Redemption = mongoose.model('Redemption', redemptionSchema, 'coupon_redemptions');
export const FunnelEvent = mongoose.model('FunnelEvent', funnelEventSchema, 'coupon_funnel_events');
export const CouponTransition = mongoose.model('CouponTransition', transitionSchema, 'coupon_transitions');
export const CouponReminder = mongoose.model('CouponReminder', reminderSchema, 'coupon_reminders');
export const StockLease = mongoose.model('CouponStockLease', stockLeaseSchema, 'coupon_stock_leases');
export const StockReturn = mongoose.model('CouponStockReturn', stockReturnSchema, 'coupon_stock_returns');
export const CouponSecret = mongoose.model('CouponSecret', secretSchema, 'coupon_secrets');

export const couponModels = [
  Campaign,
  Coupon,
  CouponGift,
  Redemption,
  FunnelEvent,
  CouponTransition,
  CouponReminder,
  CouponSecret,
  StockLease,
  StockReturn,
];

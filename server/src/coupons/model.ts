import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';
import { CAMPAIGN_STATUSES, CAMPAIGN_TYPES, CLAIM_CHANNELS, COUPON_STATES } from '@shared/coupons';

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
    /** Coupons handed out so far; never above stock. */
    issued: { type: Number, required: true, default: 0 },
    /** stock - issued, kept beside it so a claim can guard on it in one filter. */
    remaining: { type: Number, required: true },
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
    createdBy: Schema.Types.ObjectId,
  },
  { timestamps: true },
);
campaignSchema.index({ status: 1, claimStart: 1 });

/** How many coupons of one campaign one customer holds; the per-user limit guards on it. */
const claimCounterSchema = new Schema(
  {
    _id: { type: String },
    campaignId: { type: Schema.Types.ObjectId, required: true },
    customerId: { type: Schema.Types.ObjectId, required: true },
    count: { type: Number, required: true, default: 0 },
  },
  { versionKey: false },
);
claimCounterSchema.index({ customerId: 1 });

/** One claim attempt under an Idempotency-Key: who is working on it and how it ended. */
const claimRequestSchema = new Schema(
  {
    _id: { type: String },
    customerId: { type: Schema.Types.ObjectId, required: true },
    campaignId: { type: Schema.Types.ObjectId, required: true },
    state: { type: String, enum: ['pending', 'done', 'failed'], required: true },
    owner: { type: String, required: true },
    startedAt: { type: Date, required: true },
    couponId: Schema.Types.ObjectId,
    errorCode: String,
    errorMessage: String,
  },
  { versionKey: false },
);
claimRequestSchema.index({ customerId: 1 });

const couponSchema = new Schema(
  {
    ...terms,
    campaignId: { type: Schema.Types.ObjectId, required: true },
    customerId: { type: Schema.Types.ObjectId, required: true },
    /** Canonical form: 16 symbols, no hyphens. */
    code: { type: String, required: true },
    state: { type: String, enum: COUPON_STATES, required: true },
    /** The claim's idempotency key (a random one when the client sent none): unique per customer. */
    claimKey: { type: String, required: true },
    channel: { type: String, enum: CLAIM_CHANNELS, required: true },
    claimedAt: { type: Date, required: true },
    validFrom: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    reminderSentAt: Date,
    giftingSince: Date,
    /** Set while it belongs to a friend who received it. */
    receivedFrom: Schema.Types.ObjectId,
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
couponSchema.index({ customerId: 1, claimKey: 1 }, { unique: true });
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
    /** Set once the coupon has moved to the friend (a later pass finishes it otherwise). */
    transferredAt: Date,
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
 * Pre-aggregated funnel counts per (campaign, channel, store, staff); "-" stands for none.
 * Updated with $inc as things happen, so reports never need joins.
 */
const funnelCounterSchema = new Schema(
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
  },
  { versionKey: false },
);
funnelCounterSchema.index({ campaignId: 1 });

/** Server-wide secrets generated once and shared by every instance. */
const secretSchema = new Schema({ _id: { type: String }, value: { type: String, required: true } }, { versionKey: false });

export type CampaignDoc = InferSchemaType<typeof campaignSchema> & { _id: Types.ObjectId };
export type CouponDoc = InferSchemaType<typeof couponSchema> & { _id: Types.ObjectId };
export type GiftDoc = InferSchemaType<typeof giftSchema> & { _id: Types.ObjectId };
export type RedemptionDoc = InferSchemaType<typeof redemptionSchema> & { _id: Types.ObjectId };
export type FunnelCounterDoc = InferSchemaType<typeof funnelCounterSchema> & { _id: string };

export const Campaign = mongoose.model('Campaign', campaignSchema, 'campaigns');
export const ClaimCounter = mongoose.model('ClaimCounter', claimCounterSchema, 'coupon_claim_counters');
export const ClaimRequest = mongoose.model('ClaimRequest', claimRequestSchema, 'coupon_claim_requests');
export const Coupon = mongoose.model('Coupon', couponSchema, 'coupons');
export const CouponGift = mongoose.model('CouponGift', giftSchema, 'coupon_gifts');
export const Redemption = mongoose.model('Redemption', redemptionSchema, 'coupon_redemptions');
export const FunnelCounter = mongoose.model('FunnelCounter', funnelCounterSchema, 'coupon_funnel_counters');
export const ServerSecret = mongoose.model('ServerSecret', secretSchema, 'server_secrets');

export const couponModels = [Campaign, ClaimCounter, ClaimRequest, Coupon, CouponGift, Redemption, FunnelCounter, ServerSecret];

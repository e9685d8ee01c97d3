import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';
import { FLAG_KINDS, SIGNAL_CODES } from '@shared/engagement';

/**
 * One claim, gift or follow as the review sees it, written once (`<kind>:<ref>`): who, which
 * campaign, the client address and device as keyed hashes (never the address itself), and
 * whether the account was fresh. For a gift, customerId is the friend who received it.
 */
const eventSchema = new Schema(
  {
    _id: { type: String },
    kind: { type: String, enum: ['claim', 'gift', 'follow'], required: true },
    customerId: { type: Schema.Types.ObjectId, required: true },
    campaignId: Schema.Types.ObjectId,
    couponId: Schema.Types.ObjectId,
    giverId: Schema.Types.ObjectId,
    storeId: Schema.Types.ObjectId,
    scene: String,
    ipHash: String,
    deviceHash: String,
    /** The account (the giver's, for a gift) was created shortly before. */
    fresh: { type: Boolean, required: true },
    /** A claim held for review instead of issued. */
    held: { type: Boolean, default: false },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
eventSchema.index({ at: 1 });
eventSchema.index({ customerId: 1 });

/**
 * Distinct-member counters written insert-only: `<key>|<member>` is inserted once per member, so
 * the count of documents with a key (one indexed equality count) is how many distinct customers
 * (or givers) were seen under it: behind one address in ten minutes, on one device in a day, among
 * a campaign's fresh claimants in one minute. Concurrent writers on any instance cannot lose one.
 */
const markSchema = new Schema(
  {
    _id: { type: String },
    key: { type: String, required: true },
    customerId: { type: Schema.Types.ObjectId, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
markSchema.index({ key: 1 });
markSchema.index({ customerId: 1 });
markSchema.index({ at: 1 });

/** The delayed check of a claim or follow: did the customer do anything at all afterwards? `_id` is the event's. */
const quietCheckSchema = new Schema(
  {
    _id: { type: String },
    customerId: { type: Schema.Types.ObjectId, required: true },
    quiet: { type: Boolean, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
quietCheckSchema.index({ customerId: 1 });

const signalSchema = new Schema(
  { code: { type: String, enum: SIGNAL_CODES, required: true }, weight: { type: Number, required: true }, detail: Schema.Types.Mixed },
  { _id: false, minimize: false },
);

/**
 * Flagged activity, one per event (`_id` is the event's, or `clerk:<store>:<staff>:<day>` for a
 * clerk far above their store's rate). Written by the scoring job (one lease holder) and, for a held
 * claim, by the claim itself.
 */
const flagSchema = new Schema(
  {
    _id: { type: String },
    kind: { type: String, enum: FLAG_KINDS, required: true },
    customerId: Schema.Types.ObjectId,
    campaignId: Schema.Types.ObjectId,
    couponId: Schema.Types.ObjectId,
    storeId: Schema.Types.ObjectId,
    staffId: Schema.Types.ObjectId,
    ipHash: String,
    deviceHash: String,
    held: { type: Boolean, default: false },
    score: { type: Number, required: true },
    signals: { type: [signalSchema], default: [] },
    at: { type: Date, required: true },
    flaggedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
flagSchema.index({ at: 1 });
flagSchema.index({ flaggedAt: -1 });
flagSchema.index({ customerId: 1 });

/** An admin's decision on a flag (`_id` is the flag's): the first one inserted stands. */
const reviewSchema = new Schema(
  {
    _id: { type: String },
    action: { type: String, enum: ['confirm', 'clear'], required: true },
    voidCoupon: { type: Boolean, default: false },
    note: String,
    by: { type: Schema.Types.ObjectId, required: true },
    /** What the decision did: refused / issued (a held claim), voided, kept, not_voidable, pending. */
    outcome: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
reviewSchema.index({ at: -1 });

/** The key that hashes client addresses and device ids, made once and shared by every instance. */
const secretSchema = new Schema({ _id: { type: String }, value: { type: String, required: true } }, { versionKey: false });

export type EngagementEventDoc = InferSchemaType<typeof eventSchema> & { _id: string };
export type FlagDoc = InferSchemaType<typeof flagSchema> & { _id: string };
export type ReviewDoc = InferSchemaType<typeof reviewSchema> & { _id: string };
export type { Types };

export const EngagementEvent = mongoose.model('EngagementEvent', eventSchema, 'engagement_events');
export const EngagementMark = mongoose.model('EngagementMark', markSchema, 'engagement_marks');
export const QuietCheck = mongoose.model('EngagementQuietCheck', quietCheckSchema, 'engagement_quiet_checks');
export const EngagementFlag = mongoose.model('EngagementFlag', flagSchema, 'engagement_flags');
export const EngagementReview = mongoose.model('EngagementReview', reviewSchema, 'engagement_reviews');
export const EngagementSecret = mongoose.model('EngagementSecret', secretSchema, 'engagement_secrets');

import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

const memberSchema = new Schema(
  {
    customerId: { type: Schema.Types.ObjectId, required: true },
    /** 9 random digits, unique: what a member code names. */
    memberNo: { type: String, required: true },
    tier: { type: String, required: true, default: 'regular' },
    tierRank: { type: Number, required: true, default: 0 },
    joinedAt: { type: Date, required: true },
    termsVersion: { type: String, required: true },
    termsAcceptedAt: { type: Date, required: true },
    phone: { type: String, personal: true },
    /** Set when the person deleted their account: the member stays only as anonymous ledger totals. */
    closedAt: { type: Date },
  },
  { timestamps: true },
);
memberSchema.index({ customerId: 1 }, { unique: true });
memberSchema.index({ memberNo: 1 }, { unique: true });
memberSchema.index({ tierRank: 1 });

/**
 * Append-only points ledger, one chain per customer: entry `seq` n+1 carries the balance after it
 * (`balanceAfter`), and the unique (customerId, seq) index lets exactly one writer extend the chain
 * from a given head (see points.ts). Entries are never edited except the expiry bookkeeping flags.
 */
const ledgerSchema = new Schema(
  {
    customerId: { type: Schema.Types.ObjectId, required: true },
    type: { type: String, enum: ['earn', 'spend', 'expire', 'adjust', 'reverse', 'refund'], required: true },
    /** Signed. */
    points: { type: Number, required: true },
    reason: { type: String, required: true },
    /** Idempotency key: one entry per key, ever. */
    refKey: { type: String, required: true },
    /** Position in the customer's chain, from 1. */
    seq: { type: Number, required: true },
    /** The balance once this entry is counted: the previous entry's balanceAfter + points. */
    balanceAfter: { type: Number, required: true },
    at: { type: Date, required: true },
    /** Credits (earn, positive adjust) expire; debits do not. */
    expiresAt: { type: Date },
    expiryHandled: { type: Boolean, default: false },
    reminderSent: { type: Boolean, default: false },
    storeId: { type: Schema.Types.ObjectId },
    staffId: { type: Schema.Types.ObjectId },
  },
  { versionKey: false },
);
ledgerSchema.index({ refKey: 1 }, { unique: true });
ledgerSchema.index({ customerId: 1, seq: 1 }, { unique: true });
ledgerSchema.index({ customerId: 1, type: 1, at: -1 });
ledgerSchema.index({ expiryHandled: 1, expiresAt: 1 });

/**
 * A points adjustment above a manager's cap, waiting for an admin. The _id is the adjustment's refKey,
 * so a retried request is the same request; the ledger's unique refKey makes an approval post once.
 */
const adjustmentRequestSchema = new Schema(
  {
    _id: { type: String },
    customerId: { type: Schema.Types.ObjectId, required: true },
    points: { type: Number, required: true },
    reason: { type: String, required: true },
    storeId: { type: Schema.Types.ObjectId },
    requestedBy: { type: Schema.Types.ObjectId, required: true },
    state: { type: String, enum: ['pending', 'approved', 'rejected'], required: true },
    decidedBy: { type: Schema.Types.ObjectId },
    decidedAt: { type: Date },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
adjustmentRequestSchema.index({ state: 1, createdAt: 1 });
adjustmentRequestSchema.index({ customerId: 1 });

/** Secrets generated once and shared by every instance (when not given in the environment). */
const secretSchema = new Schema({ _id: { type: String }, value: { type: String, required: true } }, { versionKey: false });

/** Step one of an account deletion: a short-lived confirmation token (hash only). */
const deletionRequestSchema = new Schema(
  {
    tokenHash: { type: String, required: true },
    customerId: { type: Schema.Types.ObjectId, required: true },
    expiresAt: { type: Date, required: true },
    /** Set when confirmed; the request is removed once the erasure is complete. */
    confirmedAt: { type: Date },
  },
  { versionKey: false },
);
deletionRequestSchema.index({ tokenHash: 1 }, { unique: true });
deletionRequestSchema.index({ customerId: 1 });
deletionRequestSchema.index({ expiresAt: 1 });

export type MemberDoc = InferSchemaType<typeof memberSchema> & { _id: Types.ObjectId };
export type LedgerDoc = InferSchemaType<typeof ledgerSchema> & { _id: Types.ObjectId };
export const Member = mongoose.model('Member', memberSchema, 'members');
export const LedgerEntry = mongoose.model('LedgerEntry', ledgerSchema, 'points_ledger');
export const ServerSecret = mongoose.model('ServerSecret', secretSchema, 'server_secrets');
export const DeletionRequest = mongoose.model('DeletionRequest', deletionRequestSchema, 'deletion_requests');

export type AdjustmentRequestDoc = InferSchemaType<typeof adjustmentRequestSchema> & { _id: string };
export const AdjustmentRequest = mongoose.model('PointsAdjustmentRequest', adjustmentRequestSchema, 'points_adjustment_requests');
/**
 * A member's birthday gift for one year: `_id` = `<customerId>:<year>`, so a member gets at most one
 * a year however often (and on however many instances) the job runs. The campaign is fixed when the
 * record is made, and the coupon is claimed under the key `birthday-<year>`, so a pass cut short is
 * finished by the next with the same coupon.
 */
const birthdayGiftSchema = new Schema(
  {
    _id: { type: String },
    customerId: { type: Schema.Types.ObjectId, required: true },
    year: { type: Number, required: true },
    campaignId: { type: Schema.Types.ObjectId, required: true },
    state: { type: String, enum: ['issuing', 'issued', 'unavailable'], required: true },
    couponId: Schema.Types.ObjectId,
    /** Why the coupon could not be issued (sold out, campaign ended). */
    errorCode: String,
    /** How the member was told: official_account (customer-service message), subscribe, or mini_program only. */
    message: {
      channel: String,
      status: String,
      errcode: Number,
      at: Date,
    },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
birthdayGiftSchema.index({ customerId: 1 });

/** Who announces a year's gift: inserted once per gift (same _id), by the one pass that sends the message. */
const birthdayNoticeSchema = new Schema(
  { _id: { type: String }, customerId: { type: Schema.Types.ObjectId, required: true }, at: { type: Date, required: true } },
  { versionKey: false },
);
birthdayNoticeSchema.index({ customerId: 1 });

/** One acceptance of a subscribe-message template in the mini-program: allows exactly one send. */
const subscribeAcceptanceSchema = new Schema(
  {
    customerId: { type: Schema.Types.ObjectId, required: true },
    template: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
subscribeAcceptanceSchema.index({ customerId: 1, template: 1 });

/** Marks an acceptance as spent; the acceptance's _id makes the use happen once. */
const subscribeUseSchema = new Schema(
  { _id: { type: Schema.Types.ObjectId }, customerId: { type: Schema.Types.ObjectId, required: true }, at: { type: Date, required: true } },
  { versionKey: false },
);
subscribeUseSchema.index({ customerId: 1 });

export type BirthdayGiftDoc = InferSchemaType<typeof birthdayGiftSchema> & { _id: string };
export const BirthdayGift = mongoose.model('BirthdayGift', birthdayGiftSchema, 'birthday_gifts');
export const BirthdayNotice = mongoose.model('BirthdayNotice', birthdayNoticeSchema, 'birthday_notices');
export const SubscribeAcceptance = mongoose.model('SubscribeAcceptance', subscribeAcceptanceSchema, 'subscribe_acceptances');
export const SubscribeUse = mongoose.model('SubscribeUse', subscribeUseSchema, 'subscribe_uses');

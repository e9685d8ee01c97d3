import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';
import { OUTREACH_CHANNELS, OUTREACH_STATUSES, SKIP_REASONS } from '@shared/api/outreach';

/** An admin's message to an audience. Status moves draft → sending → done, written by one writer at a time. */
const outreachSchema = new Schema(
  {
    name: { type: String, required: true },
    text: { type: String, required: true },
    audience: {
      kind: { type: String, enum: ['segment', 'customers'], required: true },
      segmentId: String,
      customerIds: { type: [String], default: undefined },
    },
    status: { type: String, enum: OUTREACH_STATUSES, default: 'draft', required: true },
    createdBy: { type: Schema.Types.ObjectId, required: true },
    startedAt: Date,
    finishedAt: Date,
    /** Recipients in the audience, once resolved into chunks (then `chunks` is set too). */
    total: Number,
    chunks: Number,
    /** The first chunk not yet finished: where a restarted sender picks up. Written by the lease holder only. */
    nextChunk: { type: Number, default: 0 },
  },
  { timestamps: true },
);
outreachSchema.index({ status: 1 });
export type OutreachDoc = Omit<InferSchemaType<typeof outreachSchema>, 'audience'> & {
  _id: Types.ObjectId;
  createdAt: Date;
  audience: { kind: 'segment' | 'customers'; segmentId?: string | null; customerIds?: string[] | null };
};
export const Outreach = mongoose.model('Outreach', outreachSchema, 'outreaches');

/**
 * The audience, frozen when sending starts, in chunks read by _id (`<outreachId>:<n>`): a restarted
 * sender reads the same recipients in the same order.
 */
const outreachChunkSchema = new Schema(
  {
    _id: { type: String },
    outreachId: { type: Schema.Types.ObjectId, required: true },
    n: { type: Number, required: true },
    customerIds: { type: [String], required: true },
  },
  { versionKey: false, minimize: false },
);
outreachChunkSchema.index({ outreachId: 1 });
export type OutreachChunkDoc = InferSchemaType<typeof outreachChunkSchema> & { _id: string };
export const OutreachChunk = mongoose.model('OutreachChunk', outreachChunkSchema, 'outreach_chunks');

/** A finished chunk's counts (`<outreachId>:<n>`): progress is their sum. */
const outreachTallySchema = new Schema(
  {
    _id: { type: String },
    outreachId: { type: Schema.Types.ObjectId, required: true },
    n: { type: Number, required: true },
    sent: { type: Number, required: true },
    failed: { type: Number, required: true },
    skipped: { type: Number, required: true },
    skippedBy: { type: Schema.Types.Mixed, default: {} },
  },
  { versionKey: false, minimize: false },
);
outreachTallySchema.index({ outreachId: 1 });
export type OutreachTallyDoc = InferSchemaType<typeof outreachTallySchema> & { _id: string };
export const OutreachTally = mongoose.model('OutreachTally', outreachTallySchema, 'outreach_tallies');

/**
 * One recipient's attempt and result, inserted BEFORE the platform is called: the unique
 * (outreachId, customerId) index makes the send happen at most once, whatever crashes or races.
 * `sending` left behind by a crash becomes `failed` with reason `interrupted` (never sent again).
 */
const outreachDeliverySchema = new Schema(
  {
    outreachId: { type: Schema.Types.ObjectId, required: true },
    customerId: { type: Schema.Types.ObjectId, required: true },
    status: { type: String, enum: ['sending', 'sent', 'failed', 'skipped'], required: true },
    channel: { type: String, enum: [...OUTREACH_CHANNELS, null] },
    reason: String,
    errcode: Number,
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
outreachDeliverySchema.index({ outreachId: 1, customerId: 1 }, { unique: true });
outreachDeliverySchema.index({ customerId: 1 });
export type OutreachDeliveryDoc = InferSchemaType<typeof outreachDeliverySchema> & { _id: Types.ObjectId };
export const OutreachDelivery = mongoose.model('OutreachDelivery', outreachDeliverySchema, 'outreach_deliveries');

/** A customer's choice about marketing messages (退订/TD stops them, 恢复 brings them back); last word wins. */
const marketingPreferenceSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId }, // the customer
    optedOut: { type: Boolean, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
export const MarketingPreference = mongoose.model('MarketingPreference', marketingPreferenceSchema, 'marketing_preferences');

/**
 * The frequency cap as places: a customer has `cap` places per period (`<customerId>:<period>:<k>`);
 * a marketing send takes one by inserting it, so concurrent outreaches can never exceed the cap.
 */
const marketingSlotSchema = new Schema(
  {
    _id: { type: String },
    customerId: { type: Schema.Types.ObjectId, required: true },
    outreachId: { type: Schema.Types.ObjectId, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
marketingSlotSchema.index({ customerId: 1 });
export const MarketingSlot = mongoose.model('MarketingSlot', marketingSlotSchema, 'marketing_slots');

export { SKIP_REASONS };

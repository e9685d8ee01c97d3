import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

const customerSchema = new Schema(
  {
    status: { type: String, enum: ['active', 'merged', 'deleted'], default: 'active', required: true },
    /** Set when this record turned out to be the same person as another (joined on unionid). */
    mergedInto: { type: Schema.Types.ObjectId },
    profile: {
      name: { type: String, personal: true },
      birthday: { type: String, personal: true },
      gender: { type: String, enum: ['female', 'male', 'other', 'undisclosed'] },
      preferences: [String],
    },
    officialAccount: {
      following: { type: Boolean, default: false },
      followedAt: Date,
      unfollowedAt: Date,
      /** Where the follow came from, e.g. a store's QR scene. */
      followChannel: String,
      tags: [Number],
      syncedAt: Date,
    },
    deletedAt: Date,
  },
  { timestamps: true },
);
customerSchema.index({ mergedInto: 1 });

/**
 * The ways we know a person: an official-account openid, a mini-program openid, a unionid.
 * Kept apart from the customer so that uniqueness covers only identities that exist (the embedded
 * engine has no sparse or partial indexes). The _id is the identity itself (`kind:value`, see
 * identityKey): it is looked up on every message and login, and the embedded engine serves
 * lookups by _id from its primary key while other filters scan the collection.
 */
const identitySchema = new Schema(
  {
    _id: { type: String, required: true },
    kind: { type: String, enum: ['oa_openid', 'mp_openid', 'unionid'], required: true },
    value: { type: String, required: true },
    customerId: { type: Schema.Types.ObjectId, required: true },
  },
  { timestamps: true },
);
identitySchema.index({ customerId: 1 });

export const identityKey = (kind: IdentityKind, value: string) => `${kind}:${value}`;

/** Everything a person did or was sent, one entry per touch, newest read first. */
const timelineSchema = new Schema({
  customerId: { type: Schema.Types.ObjectId, required: true },
  at: { type: Date, required: true, default: () => new Date() },
  /** Dotted kind, e.g. `oa.message`, `oa.reply`, `member.joined`, `coupon.redeemed`. */
  type: { type: String, required: true },
  /** Where it happened: official_account, mini_program, store, system. */
  channel: { type: String, required: true },
  summary: { type: String, default: '' },
  data: { type: Schema.Types.Mixed, default: {} },
  storeId: { type: Schema.Types.ObjectId },
  staffId: { type: Schema.Types.ObjectId },
  /** For entries written once per source record; the _id is derived from it (see appendTimeline). */
  sourceKey: { type: String },
  /**
   * The entry's day in Asia/Shanghai (`YYYY-MM-DD`): reports read one day's entries by equality,
   * which the embedded engine serves from an index (a range on `at` scans the whole collection).
   */
  day: { type: String },
  /** The entry's hour in Asia/Shanghai (`YYYY-MM-DDTHH`): today's figures read the last hour or two by equality. */
  hour: { type: String },
});
timelineSchema.index({ customerId: 1, at: -1 });
timelineSchema.index({ type: 1, at: -1 });
timelineSchema.index({ day: 1 });
timelineSchema.index({ hour: 1 });

export type CustomerDoc = InferSchemaType<typeof customerSchema> & { _id: Types.ObjectId };
export type IdentityKind = 'oa_openid' | 'mp_openid' | 'unionid';
export type TimelineDoc = InferSchemaType<typeof timelineSchema> & { _id: Types.ObjectId };

export const Customer = mongoose.model('Customer', customerSchema, 'customers');
export const CustomerIdentity = mongoose.model('CustomerIdentity', identitySchema, 'customer_identities');
export const TimelineEntry = mongoose.model('TimelineEntry', timelineSchema, 'timeline');

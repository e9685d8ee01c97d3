import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

/**
 * A tag the brand defined: manual (set by staff) or automatic (kept by its rule). `oaTagId` is the
 * official account's tag once created there (for tags synced to the platform).
 */
const tagSchema = new Schema(
  {
    name: { type: String, required: true },
    kind: { type: String, enum: ['manual', 'auto'], required: true },
    rule: { type: Schema.Types.Mixed },
    syncToOfficialAccount: { type: Boolean, default: false },
    oaTagId: { type: Number },
    syncError: { type: String },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
tagSchema.index({ name: 1 }, { unique: true });
tagSchema.index({ kind: 1 });

/**
 * What we know about a customer, one document per (key, customer), `_id` = `<key>|<customerId>`:
 * a brand tag (`t:<tagId>`) or a fact the segments filter on (`tier:gold`, `pts:500`, `store:<id>`,
 * `following`, `active:30`, `b:coupon_redeemed`, `advocate`, `all`, search keys `phone4:1234` and
 * `name:<name>`). A segment reads each of its conditions by equality on `key` (index-backed on the
 * embedded engine too: a GIN index on the top-level field), never by a range or a dotted path.
 * `source`: `manual` (set by staff, removed by staff), `auto` (kept by the rules pass).
 */
const customerKeySchema = new Schema(
  {
    _id: { type: String },
    key: { type: String, required: true },
    customerId: { type: Schema.Types.ObjectId, required: true },
    source: { type: String, enum: ['manual', 'auto'], required: true },
    at: { type: Date, required: true },
    /** For time-bound facts (waiting for a human, points expiring): when it stops holding. */
    until: { type: Date },
    by: { type: Schema.Types.ObjectId },
  },
  { versionKey: false },
);
customerKeySchema.index({ key: 1 });
customerKeySchema.index({ customerId: 1 });

/** A saved filter over customer keys; `builtIn` marks the segments the product defines (advocates). */
const segmentSchema = new Schema(
  {
    name: { type: String, required: true },
    builtIn: { type: String },
    conditions: { type: [Schema.Types.Mixed], required: true },
    createdBy: { type: Schema.Types.ObjectId },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
segmentSchema.index({ builtIn: 1 });

/**
 * A change owed to the official account's user tags: `_id` = `<tagId>|<customerId>`, the last wish
 * wins (`op` tag or untag). The sync job sends them in batches and removes each once done.
 */
const oaTagOpSchema = new Schema(
  {
    _id: { type: String },
    tagId: { type: Schema.Types.ObjectId, required: true },
    customerId: { type: Schema.Types.ObjectId, required: true },
    op: { type: String, enum: ['tag', 'untag'], required: true },
    at: { type: Date, required: true },
    attempts: { type: Number, default: 0 },
    lastError: { type: String },
    notBefore: { type: Date, required: true },
  },
  { versionKey: false },
);
oaTagOpSchema.index({ tagId: 1 });
oaTagOpSchema.index({ customerId: 1 });

/** Advocates ranking: per giver, their accepted gifts and how many were redeemed (rules pass). */
const advocateSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId }, // the giver (customer id)
    customerId: { type: Schema.Types.ObjectId, required: true },
    accepted: { type: Number, required: true },
    redeemed: { type: Number, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
advocateSchema.index({ customerId: 1 });

/** Where the rules pass stands (written by the lease holder only). */
const stateSchema = new Schema({ _id: { type: String }, at: { type: Date }, cursor: { type: String } }, { versionKey: false });

export type TagDoc = InferSchemaType<typeof tagSchema> & { _id: Types.ObjectId };
export type CustomerKeyDoc = InferSchemaType<typeof customerKeySchema> & { _id: string };
export type SegmentDoc = InferSchemaType<typeof segmentSchema> & { _id: Types.ObjectId };
export type OaTagOpDoc = InferSchemaType<typeof oaTagOpSchema> & { _id: string };

export const CrmTag = mongoose.model('CrmTag', tagSchema, 'crm_tags');
export const CustomerKey = mongoose.model('CrmCustomerKey', customerKeySchema, 'crm_customer_keys');
export const Segment = mongoose.model('CrmSegment', segmentSchema, 'crm_segments');
export const OaTagOp = mongoose.model('CrmOaTagOp', oaTagOpSchema, 'crm_oa_tag_ops');
export const Advocate = mongoose.model('CrmAdvocate', advocateSchema, 'crm_advocates');
export const CrmState = mongoose.model('CrmState', stateSchema, 'crm_state');

export const keyId = (key: string, customerId: Types.ObjectId | string) => `${key}|${customerId.toString()}`;

/**
 * The segment index: for each key, its customers' ids in chunks of up to 5,000, built by the rules
 * pass's lease holder (one writer) as generation `gen`. A segment count reads a key's pointer and its
 * chunks by _id: a handful of documents instead of one per customer (the embedded engine reads a
 * document in tens of microseconds, so 60,000 of them take seconds; 12 chunks take milliseconds).
 */
const keyChunkSchema = new Schema(
  {
    _id: { type: String }, // `<key>|<gen>|<n>`
    key: { type: String, required: true },
    gen: { type: String, required: true },
    ids: { type: [String], required: true },
  },
  { versionKey: false },
);
keyChunkSchema.index({ key: 1 });

/** The generation of a key's chunks that readers use; replaced last, once the chunks are written. */
const keyIndexSchema = new Schema(
  {
    _id: { type: String }, // the key
    gen: { type: String, required: true },
    chunks: { type: Number, required: true },
    count: { type: Number, required: true },
    builtAt: { type: Date, required: true },
  },
  { versionKey: false },
);

export const KeyChunk = mongoose.model('CrmKeyChunk', keyChunkSchema, 'crm_key_chunks');
export const KeyIndex = mongoose.model('CrmKeyIndex', keyIndexSchema, 'crm_key_index');

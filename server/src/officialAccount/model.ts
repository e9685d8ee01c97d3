import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

/** A keyword rule: when a follower's text matches, the bot answers with the stored passive reply. */
const keywordRuleSchema = new Schema(
  {
    name: { type: String, required: true },
    match: { type: String, enum: ['exact', 'contains', 'regex'], required: true },
    pattern: { type: String, required: true },
    priority: { type: Number, required: true, default: 0 },
    /** A PassiveReply (shared/officialAccount.ts), validated before it is stored. */
    reply: { type: Schema.Types.Mixed, required: true },
    enabled: { type: Boolean, required: true, default: true },
  },
  { timestamps: true, minimize: false },
);
keywordRuleSchema.index({ name: 1 }, { unique: true });
keywordRuleSchema.index({ enabled: 1, priority: -1 });

/**
 * One delivery of a push, keyed as the platform's retries repeat it (MsgId, or openid + CreateTime +
 * Event). Inserting the unique _id lets exactly one attempt, on any instance, run the handlers.
 * Written once, never updated: the outcome goes into a DeliveryAnswer under the same _id.
 */
const deliverySchema = new Schema(
  {
    _id: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
deliverySchema.index({ createdAt: 1 });

/** How a claimed delivery ended, and the reply retries get: inserted once, never updated. */
const deliveryAnswerSchema = new Schema(
  {
    _id: { type: String, required: true },
    customerId: { type: Schema.Types.ObjectId },
    /** done (answered in time) | late (answered through customer service) | failed. */
    state: { type: String, enum: ['done', 'late', 'failed'], required: true },
    reply: { type: Schema.Types.Mixed, default: null },
    createdAt: { type: Date, required: true },
  },
  { minimize: false, versionKey: false },
);
deliveryAnswerSchema.index({ createdAt: 1 });

/**
 * A version token per piece of bot configuration (`keyword-rules`): every admin change writes a new
 * token, and every instance compares it with the one its cached copy was built from.
 */
const configVersionSchema = new Schema(
  { _id: { type: String, required: true }, token: { type: String, required: true }, at: { type: Date, required: true } },
  { versionKey: false },
);

/**
 * A push's timestamp + nonce, kept for as long as that timestamp is accepted: the same pair with a
 * different body is a replay of a captured query string and is refused. `fingerprint` is the SHA-256
 * of the body, so the platform's retry of the identical request still passes.
 */
const pushNonceSchema = new Schema(
  {
    _id: { type: String, required: true },
    fingerprint: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);
pushNonceSchema.index({ expiresAt: 1 });

/** Marks one-time set-up steps (seeded default rules) as done, shared by all instances. */
const setupMarkSchema = new Schema({ _id: { type: String, required: true }, at: { type: Date, required: true } }, { versionKey: false });

export type KeywordRuleDoc = InferSchemaType<typeof keywordRuleSchema> & { _id: Types.ObjectId; createdAt: Date; updatedAt: Date };
export type DeliveryDoc = InferSchemaType<typeof deliverySchema>;

export const KeywordRule = mongoose.model('OaKeywordRule', keywordRuleSchema, 'oa_keyword_rules');
export const Delivery = mongoose.model('OaDelivery', deliverySchema, 'oa_deliveries');
export const PushNonce = mongoose.model('OaPushNonce', pushNonceSchema, 'oa_push_nonces');
export const DeliveryAnswer = mongoose.model('OaDeliveryAnswer', deliveryAnswerSchema, 'oa_delivery_answers');
export const ConfigVersion = mongoose.model('OaConfigVersion', configVersionSchema, 'oa_config_versions');
export const SetupMark = mongoose.model('OaSetupMark', setupMarkSchema, 'oa_setup_marks');

/**
 * The account's custom menu as admins edit it: one document (`_id` "menu"). `draft` is what the
 * editor saved; `published` is what the platform accepted last (its CLICK bindings answer clicks).
 */
const menuSchema = new Schema(
  {
    _id: { type: String },
    draft: { type: Schema.Types.Mixed, default: null },
    updatedAt: Date,
    updatedBy: Schema.Types.ObjectId,
    published: { type: Schema.Types.Mixed, default: null },
    publishedAt: Date,
    lastPublish: {
      ok: Boolean,
      errcode: Number,
      errmsg: String,
      at: Date,
      by: Schema.Types.ObjectId,
    },
  },
  { versionKey: false, minimize: false },
);
export type MenuDoc = InferSchemaType<typeof menuSchema> & { _id: string };
export const OaMenu = mongoose.model('OaMenu', menuSchema, 'oa_menu');

import mongoose, { Schema } from 'mongoose';

// The simulator's own state: in the database, so that every server instance sees one platform.

const simTokenSchema = new Schema(
  {
    _id: { type: String }, // the token
    appid: { type: String, required: true },
    issuedAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    /** Cleared by the invalidate hook: calls with it answer 40001. */
    valid: { type: Boolean, default: true },
  },
  { versionKey: false },
);
simTokenSchema.index({ appid: 1, issuedAt: -1 });
export const SimToken = mongoose.model('SimToken', simTokenSchema, 'sim_access_tokens');

/** One document per token request (stable_token or token), whatever it answered: the platform's own count of fetches. */
const simTokenCallSchema = new Schema(
  { appid: { type: String, required: true }, endpoint: { type: String, required: true }, at: { type: Date, required: true } },
  { versionKey: false },
);
simTokenCallSchema.index({ appid: 1 });
export const SimTokenCall = mongoose.model('SimTokenCall', simTokenCallSchema, 'sim_token_calls');

const simCounterSchema = new Schema({ _id: { type: String }, value: { type: Number, default: 0 } }, { versionKey: false });
/** `fetch:<appid>` counts token fetches; `tag` numbers tags. */
export const SimCounter = mongoose.model('SimCounter', simCounterSchema, 'sim_counters');

const simFollowerSchema = new Schema(
  {
    _id: { type: String }, // the openid
    unionid: String,
    subscribe: { type: Boolean, default: true },
    subscribeTime: { type: Date, default: () => new Date() },
    scene: { type: String, default: 'ADD_SCENE_SEARCH' },
    qrScene: { type: Number, default: 0 },
    qrSceneStr: { type: String, default: '' },
    tagIds: { type: [Number], default: [] },
    remark: { type: String, default: '' },
    /** Set by tools that push the follower's interactions: enables the 48-hour window and follow checks. */
    lastInteractionAt: Date,
  },
  { versionKey: false },
);
export const SimFollower = mongoose.model('SimFollower', simFollowerSchema, 'sim_followers');

const simTagSchema = new Schema({ _id: { type: Number }, name: { type: String, required: true } }, { versionKey: false });
simTagSchema.index({ name: 1 }, { unique: true });
export const SimTag = mongoose.model('SimTag', simTagSchema, 'sim_tags');

/** Every message the platform was asked to deliver: custom (customer-service), template, subscribe. */
const simMessageSchema = new Schema(
  {
    kind: { type: String, enum: ['custom', 'template', 'subscribe'], required: true },
    appid: { type: String, required: true },
    touser: { type: String, required: true },
    msgtype: String,
    body: { type: Schema.Types.Mixed, required: true },
    at: { type: Date, required: true, default: () => new Date() },
  },
  { versionKey: false },
);
simMessageSchema.index({ kind: 1, touser: 1, at: 1 });
export const SimMessage = mongoose.model('SimMessage', simMessageSchema, 'sim_messages');

const simQrCodeSchema = new Schema(
  {
    _id: { type: String }, // the ticket
    actionName: { type: String, required: true },
    sceneId: Number,
    sceneStr: String,
    expiresAt: Date,
  },
  { versionKey: false },
);
export const SimQrCode = mongoose.model('SimQrCode', simQrCodeSchema, 'sim_qrcodes');

/** A fault to play on the next `remaining` calls of one path: a delay, an errcode, or both. */
const simFaultSchema = new Schema(
  {
    _id: { type: String }, // the platform path, e.g. /cgi-bin/user/info
    remaining: { type: Number, required: true },
    errcode: Number,
    delayMs: Number,
  },
  { versionKey: false },
);
export const SimFault = mongoose.model('SimFault', simFaultSchema, 'sim_faults');

/** The official account's custom menu as the platform stores it (menu/create, menu/get, menu/delete). */
const simMenuSchema = new Schema(
  {
    _id: { type: String }, // the appid
    button: { type: Schema.Types.Mixed, required: true },
    menuid: { type: Number, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
export const SimMenu = mongoose.model('SimMenu', simMenuSchema, 'sim_menus');

/**
 * One call of a quota-limited platform API (tag membership), by minute: the per-minute quota counts
 * these (inserted, never incremented, so concurrent calls are all counted).
 */
const simApiCallSchema = new Schema(
  { api: { type: String, required: true }, minute: { type: String, required: true }, at: { type: Date, required: true } },
  { versionKey: false },
);
simApiCallSchema.index({ minute: 1 });
export const SimApiCall = mongoose.model('SimApiCall', simApiCallSchema, 'sim_api_calls');

import mongoose, { Schema } from 'mongoose';

/**
 * One closed day's counters, written once by the rollup job's lease holder and never changed: the
 * _id is the day, so a second write of the same day (a pass repeated after a crash, another
 * instance) is refused by the primary key and the first one stands. Counters are `[k, v]` pairs as
 * JSON text, k = `metric|store|dimension` (see facts.ts): a few hundred keys a day, which the engine
 * reads back far faster as one string than as as many small subdocuments (90 days: 3 s at 100k
 * customers as subdocuments).
 */
const dailyRollupSchema = new Schema(
  {
    _id: { type: String, required: true },
    counters: { type: String, required: true },
    /** Bumped when what a rollup counts changes; older rollups are then written again. */
    version: { type: Number, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

/**
 * A follower's first official-account touch (their acquisition channel), as the rollup job found
 * it; read by the live part of the dashboard for today's unfollowers. Insert-only, one per person.
 */
const acquisitionSchema = new Schema(
  {
    _id: { type: String, required: true },
    customerId: { type: Schema.Types.ObjectId, required: true },
    channel: { type: String, required: true },
    store: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
acquisitionSchema.index({ customerId: 1 });

/**
 * One closed hour of a day that has no day rollup yet (today): the same counters as a day's, for
 * that hour's entries, written once by the rollup job's lease holder. Read by `day` (indexed).
 */
const hourlyRollupSchema = new Schema(
  {
    _id: { type: String, required: true },
    day: { type: String, required: true },
    hour: { type: String, required: true },
    counters: { type: String, required: true },
    version: { type: Number, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
hourlyRollupSchema.index({ day: 1 });

export const HourlyRollup = mongoose.model('AnalyticsHourlyRollup', hourlyRollupSchema, 'analytics_hourly_rollups');
export const DailyRollup = mongoose.model('AnalyticsDailyRollup', dailyRollupSchema, 'analytics_daily_rollups');
export const AcquisitionRecord = mongoose.model('AnalyticsAcquisition', acquisitionSchema, 'analytics_acquisitions');

/**
 * What the daily snapshots need of every person the timeline has seen (joined, tier, last touch,
 * months active, standing redemptions, first touch), as of the end of one day: saved by a rollup
 * pass so that the next one reads only the days it rolls up, not the whole timeline. Insert-only:
 * a pass writes its rows in chunks under its own pass id, then the state document (the day is the
 * _id, so one state per day stands); chunks without a state are a pass that died, and are removed.
 */
const rollupStateSchema = new Schema(
  {
    _id: { type: String, required: true },
    day: { type: String, required: true },
    pass: { type: String, required: true },
    chunks: { type: Number, required: true },
    people: { type: Number, required: true },
    /** When the pass that wrote it began: an erasure after that makes it unusable. */
    startedAt: { type: Date, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

const rollupStateChunkSchema = new Schema(
  {
    _id: { type: String, required: true },
    pass: { type: String, required: true },
    /**
     * The rows (one per person, see rollupState.ts) as JSON text: the engine stores no arrays of
     * arrays, and one string is far cheaper for it to read back than thousands of small values.
     */
    rows: { type: String, required: true },
  },
  { versionKey: false },
);
rollupStateChunkSchema.index({ pass: 1 });

/** A customer's data was erased or merged at `at`: saved states from passes begun before are not used. */
const rollupStateVoidSchema = new Schema(
  { _id: { type: String, required: true }, at: { type: Date, required: true } },
  { versionKey: false },
);

export const RollupState = mongoose.model('AnalyticsRollupState', rollupStateSchema, 'analytics_rollup_states');
export const RollupStateChunk = mongoose.model('AnalyticsRollupStateChunk', rollupStateChunkSchema, 'analytics_rollup_state_chunks');
export const RollupStateVoid = mongoose.model('AnalyticsRollupStateVoid', rollupStateVoidSchema, 'analytics_rollup_state_voids');

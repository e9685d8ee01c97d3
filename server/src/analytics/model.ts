import mongoose, { Schema } from 'mongoose';

/**
 * One closed day's counters, written once by the rollup job's lease holder and never changed: the
 * _id is the day, so a second write of the same day (a pass repeated after a crash, another
 * instance) is refused by the primary key and the first one stands. Counters are `{k, v}` pairs,
 * k = `metric|store|dimension` (see facts.ts): keys hold dots, which cannot be field names.
 */
const dailyRollupSchema = new Schema(
  {
    _id: { type: String, required: true },
    counters: { type: [{ _id: false, k: { type: String, required: true }, v: { type: Number, required: true } }], default: [] },
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

export const DailyRollup = mongoose.model('AnalyticsDailyRollup', dailyRollupSchema, 'analytics_daily_rollups');
export const AcquisitionRecord = mongoose.model('AnalyticsAcquisition', acquisitionSchema, 'analytics_acquisitions');

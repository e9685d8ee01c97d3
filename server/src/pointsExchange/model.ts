import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { EXCHANGE_STATES } from '@shared/pointsExchange';

/**
 * One points exchange, keyed `<customerId>:<campaignId>:<idempotency key>`: the same request
 * arriving twice is one exchange. `state` is a summary for lists and the recovery job; what the
 * exchange came to is decided by its outcome (below), never by this field.
 */
const exchangeSchema = new Schema(
  {
    _id: { type: String },
    customerId: { type: Schema.Types.ObjectId, required: true },
    campaignId: { type: Schema.Types.ObjectId, required: true },
    key: { type: String, required: true },
    name: { type: String, required: true },
    /** The price when the exchange began. */
    points: { type: Number, required: true },
    state: { type: String, enum: EXCHANGE_STATES, required: true },
    couponId: Schema.Types.ObjectId,
    errorCode: String,
    errorMessage: String,
    createdAt: { type: Date, required: true },
    settledAt: Date,
    /** Set once the recovery job re-checked a refused/refunded exchange after it settled. */
    verified: { type: Boolean, default: false },
  },
  { versionKey: false },
);
exchangeSchema.index({ customerId: 1, createdAt: -1 });
exchangeSchema.index({ state: 1, createdAt: 1 });

/**
 * The decision of an exchange, inserted once under the exchange's _id: `issued` (points spent and
 * coupon issued), `refused` (the spend was refused) or `refunded` (the coupon could not be issued
 * after the spend). Whoever inserts it first decides; everyone else follows it.
 */
const outcomeSchema = new Schema(
  {
    _id: { type: String },
    customerId: { type: Schema.Types.ObjectId, required: true },
    outcome: { type: String, enum: ['issued', 'refused', 'refunded'], required: true },
    couponId: Schema.Types.ObjectId,
    code: String,
    message: String,
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
outcomeSchema.index({ customerId: 1 });

export type ExchangeDoc = InferSchemaType<typeof exchangeSchema> & { _id: string };
export type OutcomeDoc = InferSchemaType<typeof outcomeSchema> & { _id: string };

export const PointsExchange = mongoose.model('PointsExchange', exchangeSchema, 'points_exchanges');
export const ExchangeOutcome = mongoose.model('PointsExchangeOutcome', outcomeSchema, 'points_exchange_outcomes');
export const pointsExchangeModels = [PointsExchange, ExchangeOutcome];

import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';
import { LEVELS } from './classifier';

/** A trained complaint model. _id is its version (a hash of its weights). */
const complaintModelSchema = new Schema(
  {
    _id: { type: String, required: true },
    featureVersion: { type: Number, required: true },
    vocab: { type: [String], required: true },
    /** float32 weights, base64. */
    weights: { type: String, required: true },
    bias: { type: [Number], required: true },
    strongThreshold: { type: Number, required: true },
    crossValidation: { precision: Number, recall: Number, folds: Number },
    /** What it learned from: corpus size and source (baseModelSource), staff labels. */
    trainedOn: { corpus: Number, source: String, staffLabels: Number },
    /** The newest staff label folded in (the retraining job's mark). */
    labelsThrough: Date,
    /** When it became the model in use: the newest activatedAt is in use on every instance. */
    activatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
complaintModelSchema.index({ activatedAt: -1 });

/** How one message a follower sent was scored, and by which model. */
const complaintScoreSchema = new Schema(
  {
    /** Hash of customer, send time and text: a redelivered message is scored once. */
    key: { type: String, required: true },
    customerId: { type: Schema.Types.ObjectId, required: true },
    /** The store whose staff see it: the complaint ticket's store; unset → admins only. */
    storeId: { type: Schema.Types.ObjectId },
    ticketId: { type: Schema.Types.ObjectId },
    channel: { type: String, enum: ['official_account'], required: true },
    text: { type: String, required: true },
    level: { type: String, enum: LEVELS, required: true },
    /** P(strong) from the model. */
    probability: { type: Number, required: true },
    cues: { type: [String], default: [] },
    modelVersion: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
complaintScoreSchema.index({ key: 1 }, { unique: true });
complaintScoreSchema.index({ storeId: 1, at: -1 });
complaintScoreSchema.index({ customerId: 1, at: -1 });
complaintScoreSchema.index({ at: -1 });

/** A staff member's verdict on a scored message. _id is the score's id: one verdict per message, the last one stands. */
const complaintLabelSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    customerId: { type: Schema.Types.ObjectId, required: true },
    storeId: { type: Schema.Types.ObjectId },
    text: { type: String, required: true },
    complaint: { type: Boolean, required: true },
    /** The model's level when the staff member judged it. */
    scoredLevel: { type: String, enum: LEVELS, required: true },
    modelVersion: { type: String, required: true },
    by: { type: Schema.Types.ObjectId, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
complaintLabelSchema.index({ at: -1 });
complaintLabelSchema.index({ customerId: 1 });

export type ComplaintModelDoc = InferSchemaType<typeof complaintModelSchema>;
export type ComplaintScoreDoc = InferSchemaType<typeof complaintScoreSchema> & { _id: Types.ObjectId };
export type ComplaintLabelDoc = InferSchemaType<typeof complaintLabelSchema>;

export const ComplaintModel = mongoose.model('ComplaintModel', complaintModelSchema, 'complaint_models');
export const ComplaintScoreRecord = mongoose.model('ComplaintScore', complaintScoreSchema, 'complaint_scores');
export const ComplaintLabel = mongoose.model('ComplaintLabel', complaintLabelSchema, 'complaint_labels');

export async function initComplaintModels(): Promise<void> {
  await Promise.all([ComplaintModel.init(), ComplaintScoreRecord.init(), ComplaintLabel.init()]);
}

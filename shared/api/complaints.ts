import { z } from 'zod';
import { isoDate, objectId } from './common';

export const COMPLAINT_LEVELS = ['none', 'mild', 'strong'] as const;
export type ComplaintLevelName = (typeof COMPLAINT_LEVELS)[number];

// GET /api/v1/staff/complaint-scores?storeId=&level=&limit= → { items: ScoredMessage[] }
// Store staff see their store's messages (those that reached a ticket of the store); admins see all.
export const complaintScoresQuery = z.object({
  storeId: objectId.optional(),
  level: z.enum(COMPLAINT_LEVELS).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});
export type ComplaintScoresQuery = z.infer<typeof complaintScoresQuery>;

// POST /api/v1/staff/complaint-scores/:id/label {"complaint": true|false} → ScoredMessage
// "Was a complaint" / "was not": folded into the model at the next retraining.
export const labelComplaintRequest = z.object({ complaint: z.boolean() }).strict();
export type LabelComplaintRequest = z.infer<typeof labelComplaintRequest>;

export const scoredMessage = z.object({
  id: objectId,
  customerId: objectId,
  storeId: objectId.nullable(),
  ticketId: objectId.nullable(),
  channel: z.literal('official_account'),
  text: z.string(),
  level: z.enum(COMPLAINT_LEVELS),
  /** Probability that it is a strong complaint, 0–1. */
  probability: z.number(),
  cues: z.array(z.string()),
  /** The model that scored it. */
  modelVersion: z.string(),
  at: isoDate,
  label: z.object({ complaint: z.boolean(), by: objectId, at: isoDate }).nullable(),
});
export type ScoredMessage = z.infer<typeof scoredMessage>;

// GET /api/v1/admin/complaint-model → the model in use; POST …/retrain (admin) → RetrainResponse
export const complaintModelInfo = z.object({
  version: z.string(),
  strongThreshold: z.number(),
  crossValidation: z.object({ precision: z.number(), recall: z.number(), folds: z.number() }),
  vocabularySize: z.number(),
});
export type ComplaintModelInfo = z.infer<typeof complaintModelInfo>;

export const retrainResponse = z.object({ retrained: z.boolean(), version: z.string(), staffLabels: z.number() });
export type RetrainResponse = z.infer<typeof retrainResponse>;

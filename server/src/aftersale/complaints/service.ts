import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import { isDuplicateKey } from '../../platform/db/errors';
import { ComplaintLabel, ComplaintScoreRecord, type ComplaintLabelDoc, type ComplaintScoreDoc } from './model';
import type { ComplaintScore } from './scorer';

const TEXT_KEPT = 1000;

export interface ScoredMessage {
  customerId: Types.ObjectId;
  text: string;
  at: Date;
  score: ComplaintScore;
  storeId?: Types.ObjectId | null | undefined;
  ticketId?: Types.ObjectId | string | undefined;
}

/** Records how a follower's message was scored (once per message, however often it is delivered). */
export async function recordScore(input: ScoredMessage): Promise<void> {
  const key = createHash('sha256')
    .update(`${String(input.customerId)}|${input.at.toISOString()}|${input.text}`)
    .digest('hex')
    .slice(0, 40);
  try {
    await ComplaintScoreRecord.create({
      key,
      customerId: input.customerId,
      ...(input.storeId ? { storeId: input.storeId } : {}),
      ...(input.ticketId ? { ticketId: new Types.ObjectId(String(input.ticketId)) } : {}),
      channel: 'official_account',
      text: input.text.slice(0, TEXT_KEPT),
      level: input.score.level,
      probability: input.score.complaintScore,
      cues: input.score.cues,
      modelVersion: input.score.modelVersion,
      at: input.at,
    });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
}

export interface ScoreWithLabel {
  score: ComplaintScoreDoc;
  label: ComplaintLabelDoc | null;
}

/** Who may see which scored messages: a store's staff see their store's, admins see all. */
export type ScoreAudience = { storeId: Types.ObjectId } | { all: true };

/** Recent scored messages for the staff inbox, newest first, with their staff label if any. */
export async function listScores(
  audience: ScoreAudience,
  options: { level?: ComplaintScoreDoc['level']; limit?: number } = {},
): Promise<ScoreWithLabel[]> {
  const filter: Record<string, unknown> = 'storeId' in audience ? { storeId: audience.storeId } : {};
  if (options.level) filter.level = options.level;
  const scores = await ComplaintScoreRecord.find(filter)
    .sort({ at: -1, _id: -1 })
    .limit(Math.min(options.limit ?? 50, 100))
    .lean<ComplaintScoreDoc[]>();
  const labels = scores.length ? await ComplaintLabel.find({ _id: { $in: scores.map((s) => s._id) } }).lean<ComplaintLabelDoc[]>() : [];
  const byId = new Map(labels.map((l) => [String(l._id), l]));
  return scores.map((score) => ({ score, label: byId.get(String(score._id)) ?? null }));
}

export async function getScore(id: string): Promise<ComplaintScoreDoc | null> {
  if (!Types.ObjectId.isValid(id)) return null;
  return ComplaintScoreRecord.findById(id).lean<ComplaintScoreDoc>();
}

export async function getLabel(scoreId: Types.ObjectId): Promise<ComplaintLabelDoc | null> {
  return ComplaintLabel.findById(scoreId).lean<ComplaintLabelDoc>();
}

/**
 * A staff member's verdict: the message was (or was not) a complaint. One verdict per message; a
 * later one replaces it. The next retraining folds it in.
 */
export async function labelScore(
  score: ComplaintScoreDoc,
  complaint: boolean,
  by: Types.ObjectId,
  at = new Date(),
): Promise<ComplaintLabelDoc> {
  const label = {
    _id: score._id,
    customerId: score.customerId,
    ...(score.storeId ? { storeId: score.storeId } : {}),
    text: score.text,
    complaint,
    scoredLevel: score.level,
    modelVersion: score.modelVersion,
    by,
    at,
  };
  await ComplaintLabel.replaceOne({ _id: score._id }, label, { upsert: true });
  return label as ComplaintLabelDoc;
}

/**
 * Erases what complaint detection holds about a person: their scored messages and the staff labels
 * on them. The next retraining (the job sees the label count change) drops the labels from the model.
 */
export async function eraseComplaintData(customerId: Types.ObjectId): Promise<void> {
  await ComplaintLabel.deleteMany({ customerId });
  await ComplaintScoreRecord.deleteMany({ customerId });
}

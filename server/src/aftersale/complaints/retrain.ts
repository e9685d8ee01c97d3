import { isDuplicateKey } from '../../platform/db/errors';
import type { PeriodicJob } from '../../platform/jobs/periodic';
import { toStored } from './classifier';
import { corpus } from './corpus';
import { FEATURE_VERSION } from './features';
import { ComplaintLabel, ComplaintModel } from './model';
import { useModel } from './scorer';
import { baseModelSource, trainModelInBackground } from './training';

/** Stored models kept (the newest ones); scores name their model's version either way. */
export const MODELS_KEPT = 20;

export interface RetrainResult {
  /** False when nothing new was labelled since the model in use was trained. */
  retrained: boolean;
  version: string;
  staffLabels: number;
  strongThreshold?: number;
  crossValidation?: { precision: number; recall: number; folds: number };
}

/**
 * Trains a model from the shipped corpus (training split) and every staff label, stores it and
 * makes it the model in use. Without `force`, does nothing when no label is newer than the model in
 * use and the shipped corpus is the one it learned from. Idempotent: the same labels give the same version, stored once.
 */
export async function retrainComplaintModel(options: { force?: boolean; now?: Date } = {}): Promise<RetrainResult> {
  const now = options.now ?? new Date();
  const labels = await ComplaintLabel.find({}).select({ text: 1, complaint: 1, at: 1 }).sort({ at: 1 }).lean();
  const labelsThrough = labels.length ? labels[labels.length - 1]!.at : undefined;
  const current = await ComplaintModel.findOne({ featureVersion: FEATURE_VERSION })
    .sort({ activatedAt: -1 })
    .select({ _id: 1, labelsThrough: 1, 'trainedOn.staffLabels': 1, 'trainedOn.source': 1 })
    .lean();
  // A new release may ship a new corpus: the stored model is then out of date even with no new label.
  const upToDate =
    current &&
    current.trainedOn?.source === baseModelSource() &&
    current.trainedOn?.staffLabels === labels.length &&
    (current.labelsThrough?.getTime() ?? 0) === (labelsThrough?.getTime() ?? 0);
  if (upToDate && !options.force) return { retrained: false, version: current._id, staffLabels: labels.length };

  const model = await trainModelInBackground(labels.map((l) => ({ text: l.text, complaint: l.complaint })));
  const stored = toStored(model);
  const { version, ...rest } = stored;
  const trainedOn = { corpus: corpus().train.length, source: baseModelSource(), staffLabels: labels.length };
  try {
    await ComplaintModel.create({
      _id: version,
      ...rest,
      trainedOn,
      labelsThrough,
      activatedAt: now,
    });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    // The same model was trained before (same labels): make it the one in use again.
    await ComplaintModel.updateOne({ _id: version }, { $set: { activatedAt: now, labelsThrough, trainedOn } });
  }
  useModel(model);
  // Older models are kept for the record, a few only: each holds its whole vocabulary and weights.
  const old = await ComplaintModel.find({}).sort({ activatedAt: -1 }).skip(MODELS_KEPT).select({ _id: 1 }).lean();
  if (old.length) await ComplaintModel.deleteMany({ _id: { $in: old.map((m) => m._id) } });
  return {
    retrained: true,
    version,
    staffLabels: labels.length,
    strongThreshold: model.data.strongThreshold,
    crossValidation: model.data.crossValidation,
  };
}

/** Folds new staff labels into the model, on one instance at a time (lease-held). */
export const complaintRetrainJob: PeriodicJob = {
  name: 'complaints.retrain',
  intervalMs: 10 * 60_000,
  run: async (now) => {
    await retrainComplaintModel({ now });
  },
};

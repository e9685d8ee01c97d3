import { fromStored, type ComplaintClassifier, type ComplaintLevel } from './classifier';
import { FEATURE_VERSION, readMessage } from './features';
import { ComplaintModel } from './model';
import { baseModel } from './training';

export interface ComplaintScore {
  level: ComplaintLevel;
  /** Probability that the message is a strong complaint (0–1), from the model. */
  complaintScore: number;
  /** P(none), P(mild), P(strong). */
  probabilities: [number, number, number];
  /** Why: the complaint words and signals found (threat, deadline, CAPS, !!…). */
  cues: string[];
  /** The model that scored it. */
  modelVersion: string;
  strongThreshold: number;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** Scores a message with the given model: pure, no database (what the benchmark measures). */
export function scoreWith(model: ComplaintClassifier, text: string): ComplaintScore {
  const { features, cues } = readMessage(text);
  const { level, probabilities } = model.predict(features);
  return {
    level,
    complaintScore: round(probabilities[2]),
    probabilities: [round(probabilities[0]), round(probabilities[1]), round(probabilities[2])],
    cues,
    modelVersion: model.version,
    strongThreshold: model.data.strongThreshold,
  };
}

/**
 * The model in use is the newest activated one in the database (the base model of the shipped
 * corpus when none is). Each instance checks for a newer one at most every REFRESH_MS; the check
 * reads one small field by an indexed sort, and the weights only when the version changed.
 */
export const REFRESH_MS = 30_000;

let cached: { model: ComplaintClassifier; checkedAt: number } | undefined;
let checking: Promise<ComplaintClassifier> | undefined;

async function loadNewest(): Promise<ComplaintClassifier> {
  const newest = await ComplaintModel.findOne({ featureVersion: FEATURE_VERSION }).sort({ activatedAt: -1 }).select({ _id: 1 }).lean();
  if (!newest) return baseModel();
  if (cached && cached.model.version === newest._id) return cached.model;
  const doc = await ComplaintModel.findById(newest._id).lean();
  if (!doc) return baseModel();
  return fromStored({
    version: doc._id,
    featureVersion: doc.featureVersion,
    vocab: doc.vocab,
    weights: doc.weights,
    bias: doc.bias,
    strongThreshold: doc.strongThreshold,
    crossValidation: {
      precision: doc.crossValidation?.precision ?? 0,
      recall: doc.crossValidation?.recall ?? 0,
      folds: doc.crossValidation?.folds ?? 0,
    },
  });
}

export async function activeModel(now = Date.now()): Promise<ComplaintClassifier> {
  if (cached && now - cached.checkedAt < REFRESH_MS) return cached.model;
  checking ??= loadNewest()
    .then((model) => {
      cached = { model, checkedAt: Date.now() };
      return model;
    })
    .catch(() => cached?.model ?? baseModel()) // the database is down: keep scoring with what we have
    .finally(() => (checking = undefined));
  return checking;
}

/** Makes this instance use the given model at once (after it trained and stored it). */
export function useModel(model: ComplaintClassifier): void {
  cached = { model, checkedAt: Date.now() };
}

/** Forgets the cached model: the next score checks the database (tests, after another instance retrained). */
export function forgetModel(): void {
  cached = undefined;
}

/** Scores a message with the model in use. */
export async function scoreMessage(text: string): Promise<ComplaintScore> {
  return scoreWith(await activeModel(), text);
}

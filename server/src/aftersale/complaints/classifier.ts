import { createHash } from 'node:crypto';
import { FEATURE_VERSION, readMessage, type Features } from './features';

// Stage two: multinomial logistic regression (none / mild / strong) over the stage-one features,
// trained here, in process, from labelled messages. Deterministic: the same examples give the same
// weights and so the same version.

export type ComplaintLevel = 'none' | 'mild' | 'strong';
export const LEVELS: readonly ComplaintLevel[] = ['none', 'mild', 'strong'];
const K = LEVELS.length;

export interface TrainingExample {
  text: string;
  label: ComplaintLevel;
  /** How much the example counts (staff labels count more than one corpus line). */
  weight?: number;
  /** Keep every feature of this example, even those seen only once (staff labels). */
  keepAllFeatures?: boolean;
}

export interface TrainingOptions {
  epochs?: number;
  learningRate?: number;
  l2?: number;
  /** Strong precision the threshold must reach in cross-validation on the training examples. */
  targetPrecision?: number;
  /** Strong recall the threshold must keep in cross-validation on the training examples. */
  targetRecall?: number;
  /**
   * How the threshold is picked from the cross-validated figures: 'balanced' takes the one that
   * clears both targets by the widest margin (the larger of the two shortfalls is smallest when
   * neither can be cleared); 'recall' takes the lowest that reaches the target precision.
   */
  thresholdRule?: 'balanced' | 'recall';
  folds?: number;
}

export interface CrossValidation {
  /** Strong precision and recall at the chosen threshold, over the folds. */
  precision: number;
  recall: number;
  folds: number;
}

/** A trained model as stored: weights feature-major (weights[f * 3 + class]). */
export interface ModelData {
  version: string;
  featureVersion: number;
  vocab: string[];
  weights: Float32Array;
  bias: number[];
  /** P(strong) from which a message is a strong complaint. */
  strongThreshold: number;
  crossValidation: CrossValidation;
}

export interface Prediction {
  level: ComplaintLevel;
  /** P(none), P(mild), P(strong). */
  probabilities: [number, number, number];
}

const DEFAULTS: Required<TrainingOptions> = {
  epochs: 250,
  learningRate: 0.5,
  l2: 0.005,
  targetPrecision: 0.9,
  targetRecall: 0.85,
  thresholdRule: 'balanced',
  folds: 5,
};

function softmax(logits: number[]): [number, number, number] {
  const max = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return [e[0]! / sum, e[1]! / sum, e[2]! / sum];
}

export function decide(probabilities: [number, number, number], strongThreshold: number): ComplaintLevel {
  if (probabilities[2] >= strongThreshold) return 'strong';
  return probabilities[1] + probabilities[2] > probabilities[0] ? 'mild' : 'none';
}

export class ComplaintClassifier {
  private readonly index: Map<string, number>;

  constructor(readonly data: ModelData) {
    this.index = new Map(data.vocab.map((f, i) => [f, i]));
  }

  get version(): string {
    return this.data.version;
  }

  probabilities(features: Features): [number, number, number] {
    const { weights, bias } = this.data;
    const logits = [bias[0]!, bias[1]!, bias[2]!];
    for (const [name, value] of features) {
      const f = this.index.get(name);
      if (f === undefined) continue;
      logits[0]! += weights[f * K]! * value;
      logits[1]! += weights[f * K + 1]! * value;
      logits[2]! += weights[f * K + 2]! * value;
    }
    return softmax(logits);
  }

  predict(features: Features): Prediction {
    const probabilities = this.probabilities(features);
    return { level: decide(probabilities, this.data.strongThreshold), probabilities };
  }
}

interface Row {
  indices: Int32Array;
  values: Float64Array;
  label: number;
  weight: number;
}

function vocabularyOf(examples: TrainingExample[], readings: Features[]): string[] {
  const df = new Map<string, number>();
  const kept = new Set<string>();
  readings.forEach((features, i) => {
    for (const name of features.keys()) {
      df.set(name, (df.get(name) ?? 0) + 1);
      // Lexicon and pattern features always; words and pairs once seen twice (or in a staff label).
      if (name.startsWith('c:') || name.startsWith('p:') || examples[i]!.keepAllFeatures) kept.add(name);
    }
  });
  for (const [name, n] of df) if (n >= 2) kept.add(name);
  return [...kept].sort();
}

function fit(rows: Row[], vocabSize: number, options: Required<TrainingOptions>): { weights: Float32Array; bias: number[] } {
  const w = new Float64Array(vocabSize * K);
  const b = new Float64Array(K);
  const gw = new Float64Array(vocabSize * K);
  const gb = new Float64Array(K);
  const hw = new Float64Array(vocabSize * K).fill(1e-8);
  const hb = new Float64Array(K).fill(1e-8);
  const logits = new Float64Array(K);
  // Classes weigh the same in total, whatever their sizes.
  const classMass = [0, 0, 0];
  for (const r of rows) classMass[r.label]! += r.weight;
  const total = classMass.reduce((a, c) => a + c, 0);
  const classWeight = classMass.map((m) => (m ? total / (K * m) : 0));
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    gw.fill(0);
    gb.fill(0);
    for (const row of rows) {
      const { indices, values } = row;
      logits.set(b);
      for (let j = 0; j < indices.length; j++) {
        const base = indices[j]! * K;
        const v = values[j]!;
        logits[0]! += w[base]! * v;
        logits[1]! += w[base + 1]! * v;
        logits[2]! += w[base + 2]! * v;
      }
      const max = Math.max(logits[0]!, logits[1]!, logits[2]!);
      const e0 = Math.exp(logits[0]! - max);
      const e1 = Math.exp(logits[1]! - max);
      const e2 = Math.exp(logits[2]! - max);
      const sum = e0 + e1 + e2;
      const scale = (row.weight * classWeight[row.label]!) / total;
      const g0 = (e0 / sum - (row.label === 0 ? 1 : 0)) * scale;
      const g1 = (e1 / sum - (row.label === 1 ? 1 : 0)) * scale;
      const g2 = (e2 / sum - (row.label === 2 ? 1 : 0)) * scale;
      gb[0]! += g0;
      gb[1]! += g1;
      gb[2]! += g2;
      for (let j = 0; j < indices.length; j++) {
        const base = indices[j]! * K;
        const v = values[j]!;
        gw[base]! += g0 * v;
        gw[base + 1]! += g1 * v;
        gw[base + 2]! += g2 * v;
      }
    }
    // AdaGrad steps, L2 on the weights (not the biases).
    for (let i = 0; i < w.length; i++) {
      const g = gw[i]! + options.l2 * w[i]!;
      if (g === 0) continue;
      hw[i]! += g * g;
      w[i]! -= (options.learningRate * g) / Math.sqrt(hw[i]!);
    }
    for (let c = 0; c < K; c++) {
      hb[c]! += gb[c]! * gb[c]!;
      b[c]! -= (options.learningRate * gb[c]!) / Math.sqrt(hb[c]!);
    }
  }
  return { weights: Float32Array.from(w), bias: [...b] };
}

function rowsOf(examples: TrainingExample[], readings: Features[], index: Map<string, number>): Row[] {
  return examples.map((e, i) => {
    const present = [...readings[i]!].filter(([name]) => index.has(name));
    return {
      label: LEVELS.indexOf(e.label),
      weight: e.weight ?? 1,
      indices: Int32Array.from(present, ([name]) => index.get(name)!),
      values: Float64Array.from(present, ([, value]) => value),
    };
  });
}

function trainOnce(examples: TrainingExample[], readings: Features[], options: Required<TrainingOptions>) {
  const vocab = vocabularyOf(examples, readings);
  const index = new Map(vocab.map((f, i) => [f, i]));
  const { weights, bias } = fit(rowsOf(examples, readings, index), vocab.length, options);
  return { vocab, weights, bias };
}

/** Fold of an example: from a hash of its text, so folds do not depend on the order of examples. */
const foldOf = (text: string, folds: number) => createHash('sha256').update(`fold|${text}`).digest().readUInt32BE(0) % folds;

/**
 * The strong threshold: the lowest P(strong) at which, over k-fold cross-validation on the training
 * examples only, strong precision reaches the target (so recall is as high as that allows).
 */
function chooseThreshold(examples: TrainingExample[], readings: Features[], options: Required<TrainingOptions>) {
  const scored: Array<{ p: number; strong: boolean }> = [];
  for (let k = 0; k < options.folds; k++) {
    const inFold = examples.map((e) => foldOf(e.text, options.folds) === k);
    const trainIdx = examples.flatMap((_, i) => (inFold[i] ? [] : [i]));
    const model = trainOnce(
      trainIdx.map((i) => examples[i]!),
      trainIdx.map((i) => readings[i]!),
      options,
    );
    const classifier = new ComplaintClassifier({
      version: 'cv',
      featureVersion: FEATURE_VERSION,
      ...model,
      strongThreshold: 1,
      crossValidation: { precision: 0, recall: 0, folds: 0 },
    });
    examples.forEach((e, i) => {
      if (inFold[i]) scored.push({ p: classifier.probabilities(readings[i]!)[2], strong: e.label === 'strong' });
    });
  }
  const at = pickThreshold(scored, options);
  return {
    strongThreshold: at.threshold,
    crossValidation: { precision: round(at.precision), recall: round(at.recall), folds: options.folds },
  };
}

/** Out-of-fold P(strong) of a training message and whether it is strong. */
export interface ScoredExample {
  p: number;
  strong: boolean;
}

/**
 * The strong threshold (0.20–0.95, by 0.01) from cross-validated scores, by the options' rule, with
 * the strong precision and recall it gives there.
 */
export function pickThreshold(
  scored: ScoredExample[],
  options: Pick<Required<TrainingOptions>, 'thresholdRule' | 'targetPrecision' | 'targetRecall'>,
): { threshold: number; precision: number; recall: number } {
  const strongCount = scored.filter((s) => s.strong).length;
  const figures = (t: number) => {
    const flagged = scored.filter((s) => s.p >= t);
    const tp = flagged.filter((s) => s.strong).length;
    return { precision: flagged.length ? tp / flagged.length : 1, recall: strongCount ? tp / strongCount : 0 };
  };
  const grid = Array.from({ length: 76 }, (_, i) => (20 + i) / 100);
  const best = (of: (t: number) => number) => grid.reduce((chosen, t) => (of(t) > of(chosen) + 1e-9 ? t : chosen), grid[0]!); // on a tie the lower
  let chosen: number;
  if (options.thresholdRule === 'balanced') {
    // The widest margin over both targets.
    chosen = best((t) => {
      const { precision, recall } = figures(t);
      return Math.min(precision - options.targetPrecision, recall - options.targetRecall);
    });
  } else {
    // The most recall at the target precision; the best F1 when the target is never reached.
    const reaching = grid.filter((t) => t <= 0.9 && figures(t).precision >= options.targetPrecision);
    chosen = reaching.length
      ? reaching.reduce((a, t) => (figures(t).recall > figures(a).recall ? t : a))
      : best((t) => {
          const { precision, recall } = figures(t);
          return precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
        });
  }
  return { threshold: chosen, ...figures(chosen) };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

function versionOf(data: Omit<ModelData, 'version'>): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([data.featureVersion, data.vocab, data.bias, data.strongThreshold]));
  hash.update(Buffer.from(data.weights.buffer, data.weights.byteOffset, data.weights.byteLength));
  return `cm-${hash.digest('hex').slice(0, 12)}`;
}

/** Trains a model (threshold chosen by cross-validation on these same examples, never on a test set). */
export function train(examples: TrainingExample[], options: TrainingOptions = {}): ComplaintClassifier {
  return trainOnReadings(
    examples,
    examples.map((e) => readMessage(e.text).features),
    options,
  );
}

/** Trains from messages already read (the cross-validation command reads each message once). */
export function trainOnReadings(examples: TrainingExample[], readings: Features[], options: TrainingOptions = {}): ComplaintClassifier {
  const settings = { ...DEFAULTS, ...options };
  const { strongThreshold, crossValidation } = chooseThreshold(examples, readings, settings);
  const model = trainOnce(examples, readings, settings);
  const data = { featureVersion: FEATURE_VERSION, ...model, strongThreshold, crossValidation };
  return new ComplaintClassifier({ version: versionOf(data), ...data });
}

/** A model as stored in the database: weights as base64 float32. */
export interface StoredModel {
  version: string;
  featureVersion: number;
  vocab: string[];
  weights: string;
  bias: number[];
  strongThreshold: number;
  crossValidation: CrossValidation;
}

export function toStored(model: ComplaintClassifier): StoredModel {
  const { weights, ...rest } = model.data;
  return { ...rest, weights: Buffer.from(weights.buffer, weights.byteOffset, weights.byteLength).toString('base64') };
}

export function fromStored(stored: StoredModel): ComplaintClassifier {
  const bytes = Buffer.from(stored.weights, 'base64');
  const weights = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return new ComplaintClassifier({ ...stored, weights });
}

import { Worker } from 'node:worker_threads';
import { fromStored, train, type ComplaintClassifier, type StoredModel, type TrainingExample } from './classifier';
import { corpus } from './corpus';

/** One staff label counts as this many corpus messages. */
export const STAFF_LABEL_WEIGHT = 3;

export interface StaffLabel {
  text: string;
  /** "Was a complaint" (a strong one: it should have reached a person) or "was not". */
  complaint: boolean;
}

/**
 * The training split of the shipped corpus plus the staff's labels. A staff label on a text the
 * corpus also holds replaces the corpus line; the held-out split is never part of it.
 */
export function trainingExamples(labels: StaffLabel[]): TrainingExample[] {
  const byStaff = new Map(labels.map((l) => [l.text.trim(), l.complaint]));
  const fromCorpus = corpus().train.filter((m) => !byStaff.has(m.text.trim()));
  const fromStaff = [...byStaff].map(
    ([text, complaint]): TrainingExample => ({ text, label: complaint ? 'strong' : 'none', weight: STAFF_LABEL_WEIGHT, keepAllFeatures: true }),
  );
  return [...fromCorpus, ...fromStaff];
}

export function trainModel(labels: StaffLabel[]): ComplaintClassifier {
  return train(trainingExamples(labels));
}

let base: ComplaintClassifier | undefined;

/** The model of the shipped corpus alone (no staff labels): deterministic, so every instance has the same one. */
export function baseModel(): ComplaintClassifier {
  base ??= trainModel([]);
  return base;
}

/**
 * Trains in a worker thread, so that a server instance keeps answering while it trains (seconds on
 * a busy machine). Falls back to training here if a worker cannot be started.
 */
export async function trainModelInBackground(labels: StaffLabel[]): Promise<ComplaintClassifier> {
  // The worker registers the TypeScript loader itself (loader flags are not reliably passed to workers).
  const entry = new URL('./trainWorker.ts', import.meta.url).href;
  let worker: Worker;
  try {
    const loader = import.meta.resolve('tsx/esm/api');
    const code = `import(${JSON.stringify(loader)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
    worker = new Worker(code, { eval: true, workerData: { labels } });
  } catch {
    return trainModel(labels);
  }
  const stored = await new Promise<StoredModel>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`training worker exited with code ${code}`)));
  });
  return fromStored(stored);
}

let baseInBackground: Promise<ComplaintClassifier> | undefined;

/** The base model, trained off the main thread the first time (what a running server uses). */
export function baseModelInBackground(): Promise<ComplaintClassifier> {
  if (base) return Promise.resolve(base);
  baseInBackground ??= trainModelInBackground([])
    .then((model) => (base ??= model))
    .catch(() => baseModel());
  return baseInBackground;
}

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../platform/paths';
import { Worker } from 'node:worker_threads';
import { fromStored, toStored, train, type ComplaintClassifier, type StoredModel, type TrainingExample } from './classifier';
import { corpus, CORPUS_DIR } from './corpus';
import { FEATURE_VERSION } from './features';

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
  const fromStaff = [...byStaff].map(([text, complaint]): TrainingExample => ({
    text,
    label: complaint ? 'strong' : 'none',
    weight: STAFF_LABEL_WEIGHT,
    keepAllFeatures: true,
  }));
  return [...fromCorpus, ...fromStaff];
}

export function trainModel(labels: StaffLabel[]): ComplaintClassifier {
  return train(trainingExamples(labels));
}

/** The built-in model, trained from the corpus's training split, shipped beside it. */
// Found from the package root, so the compiled bundle (dist/server) reads the same file as the sources.
const BASE_MODEL_FILE = path.join(packageRoot(), CORPUS_DIR, 'base-model.json');

/** What the built-in model is trained from: the training split and the features' version. */
export function baseModelSource(): string {
  const hash = createHash('sha256').update(`features v${FEATURE_VERSION}\n`);
  for (const m of corpus().train) hash.update(`${m.label}|${m.text}\n`);
  return hash.digest('hex').slice(0, 16);
}

interface BaseModelFile extends StoredModel {
  source: string;
}

let base: ComplaintClassifier | undefined;

/**
 * The model of the shipped corpus alone (no staff labels). Loaded from corpus/base-model.json when
 * that file was trained from the current corpus and features (`npm run complaints:base` writes it);
 * trained here otherwise. Deterministic either way: every instance has the same one.
 */
export function baseModel(): ComplaintClassifier {
  if (base) return base;
  if (existsSync(BASE_MODEL_FILE)) {
    const file = JSON.parse(readFileSync(BASE_MODEL_FILE, 'utf8')) as BaseModelFile;
    if (file.source === baseModelSource()) base = fromStored(file);
  }
  base ??= trainModel([]);
  return base;
}

/** Trains the built-in model afresh and writes it beside the corpus. */
export function writeBaseModel(): ComplaintClassifier {
  const model = trainModel([]);
  const file: BaseModelFile = { source: baseModelSource(), ...toStored(model) };
  writeFileSync(BASE_MODEL_FILE, `${JSON.stringify(file)}\n`);
  base = model;
  return model;
}

/**
 * Trains in a worker thread, so that a server instance keeps answering while it trains (seconds on
 * a busy machine). Falls back to training here if a worker cannot be started.
 */
export async function trainModelInBackground(labels: StaffLabel[]): Promise<ComplaintClassifier> {
  let worker: Worker;
  try {
    if (import.meta.url.endsWith('.js')) {
      // The compiled server: the build puts the worker beside the bundle (dist/server/trainWorker.js).
      worker = new Worker(new URL('./trainWorker.js', import.meta.url), { workerData: { labels } });
    } else {
      // From the sources the worker registers the TypeScript loader itself (loader flags are not reliably passed to workers).
      const entry = new URL('./trainWorker.ts', import.meta.url).href;
      const loader = import.meta.resolve('tsx/esm/api');
      const code = `import(${JSON.stringify(loader)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
      worker = new Worker(code, { eval: true, workerData: { labels } });
    }
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

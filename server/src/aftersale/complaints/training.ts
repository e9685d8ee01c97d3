import { train, type ComplaintClassifier, type TrainingExample } from './classifier';
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

import { LEVELS, type ComplaintClassifier, type ComplaintLevel } from './classifier';
import type { LabelledMessage } from './corpus';
import { readMessage } from './features';

export interface Evaluation {
  size: number;
  /** confusion[actual][predicted], rows and columns none, mild, strong. */
  confusion: number[][];
  strong: { precision: number; recall: number; truePositives: number; falsePositives: number; falseNegatives: number };
  accuracy: number;
  errors: Array<{ text: string; label: ComplaintLevel; predicted: ComplaintLevel; pStrong: number }>;
}

/** How a model does on labelled messages it was not trained on. */
export function evaluate(model: ComplaintClassifier, messages: LabelledMessage[]): Evaluation {
  const confusion = LEVELS.map(() => LEVELS.map(() => 0));
  const errors: Evaluation['errors'] = [];
  for (const m of messages) {
    const { level, probabilities } = model.predict(readMessage(m.text).features);
    confusion[LEVELS.indexOf(m.label)]![LEVELS.indexOf(level)]!++;
    if (level !== m.label)
      errors.push({ text: m.text, label: m.label, predicted: level, pStrong: Math.round(probabilities[2] * 100) / 100 });
  }
  const s = LEVELS.indexOf('strong');
  const tp = confusion[s]![s]!;
  const fp = confusion.reduce((sum, row, i) => sum + (i === s ? 0 : row[s]!), 0);
  const fn = confusion[s]!.reduce((sum, n, j) => sum + (j === s ? 0 : n), 0);
  const correct = LEVELS.reduce((sum, _, i) => sum + confusion[i]![i]!, 0);
  return {
    size: messages.length,
    confusion,
    strong: {
      precision: tp + fp ? tp / (tp + fp) : 1,
      recall: tp + fn ? tp / (tp + fn) : 1,
      truePositives: tp,
      falsePositives: fp,
      falseNegatives: fn,
    },
    accuracy: messages.length ? correct / messages.length : 0,
    errors,
  };
}

/** The confusion matrix as a small table. */
export function confusionTable(confusion: number[][]): string {
  const pad = (s: string | number, n = 8) => String(s).padStart(n);
  const lines = [`${pad('actual \\ predicted', 20)}${LEVELS.map((l) => pad(l)).join('')}${pad('total')}`];
  confusion.forEach((row, i) =>
    lines.push(`${pad(LEVELS[i]!, 20)}${row.map((n) => pad(n)).join('')}${pad(row.reduce((a, b) => a + b, 0))}`),
  );
  return lines.join('\n');
}

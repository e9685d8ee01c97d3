// npm run cv:complaints: how the whole training procedure (weights, then the threshold chosen by its
// own inner cross-validation) does on messages it never saw, estimated from the TRAINING split
// alone by nested cross-validation. Choices about the method (features, regularisation, the
// threshold rule) are compared here, never on the held-out split.
//
//   CV_REPEATS=2 npm run cv:complaints      (outer 5 folds, repeated with differently salted folds)
import { createHash } from 'node:crypto';
import { trainOnReadings, type TrainingExample } from './classifier';
import { corpus } from './corpus';
import { readMessage } from './features';

const OUTER_FOLDS = 5;
const repeats = Number(process.env.CV_REPEATS ?? 2);
const examples: TrainingExample[] = corpus().train.map((m) => ({ text: m.text, label: m.label }));
const readings = examples.map((e) => readMessage(e.text).features);
const outerFold = (repeat: number, text: string) =>
  createHash('sha256').update(`outer${repeat}|${text}`).digest().readUInt32BE(0) % OUTER_FOLDS;

let tp = 0;
let fp = 0;
let fn = 0;
let correct = 0;
const thresholds: number[] = [];
for (let r = 0; r < repeats; r++) {
  for (let k = 0; k < OUTER_FOLDS; k++) {
    const held = examples.map((e) => outerFold(r, e.text) === k);
    const fit = examples.flatMap((_, i) => (held[i] ? [] : [i]));
    const model = trainOnReadings(
      fit.map((i) => examples[i]!),
      fit.map((i) => readings[i]!),
    );
    thresholds.push(model.data.strongThreshold);
    examples.forEach((e, i) => {
      if (!held[i]) return;
      const level = model.predict(readings[i]!).level;
      if (level === e.label) correct++;
      if (level === 'strong' && e.label === 'strong') tp++;
      else if (level === 'strong') fp++;
      else if (e.label === 'strong') fn++;
    });
  }
}
const n = examples.length * repeats;
console.log(`nested cross-validation on the training split (${examples.length} messages, ${OUTER_FOLDS} outer folds × ${repeats})`);
console.log(
  `  strong precision ${(tp / (tp + fp)).toFixed(3)}, strong recall ${(tp / (tp + fn)).toFixed(3)}, three-level accuracy ${(correct / n).toFixed(3)}`,
);
console.log(`  thresholds chosen by the inner cross-validation: ${Math.min(...thresholds)}–${Math.max(...thresholds)}`);

// npm run eval:complaints [-- --errors]: trains the built-in model on the training split of the
// shipped corpus and measures it on the held-out split, which nothing is ever trained or tuned on.
import { LEVELS } from './classifier';
import { corpus, TEST_BUCKETS } from './corpus';
import { confusionTable, evaluate } from './evaluate';
import { baseModel, trainModel } from './training';

const { train, test } = corpus();
const count = (set: typeof train) => LEVELS.map((l) => `${l} ${set.filter((m) => m.label === l).length}`).join(', ');
const started = process.hrtime.bigint();
const model = trainModel([]); // afresh, from the training split alone
const trainMs = Number(process.hrtime.bigint() - started) / 1e6;
const result = evaluate(model, test);
const pct = (x: number) => x.toFixed(3);

console.log(
  `complaint model ${model.version} (features v${model.data.featureVersion}, ${model.data.vocab.length} features), trained in ${trainMs.toFixed(0)} ms`,
);
const shipped = baseModel().version === model.version ? 'the same as' : 'DIFFERENT from (run npm run complaints:base)';
console.log(`this model is ${shipped} the built-in model shipped in corpus/base-model.json`);
console.log(`corpus: ${train.length + test.length} messages; split by a hash of each text: ${TEST_BUCKETS}% held out`);
console.log(`  train    ${train.length} (${count(train)})`);
console.log(`  held-out ${test.length} (${count(test)})`);
console.log(
  `strong threshold P(strong) >= ${model.data.strongThreshold}, chosen by ${model.data.crossValidation.folds}-fold cross-validation on the training split, widest margin over both targets ` +
    `(there: precision ${pct(model.data.crossValidation.precision)}, recall ${pct(model.data.crossValidation.recall)})`,
);
console.log('');
console.log(
  `HELD-OUT (n=${result.size}): strong recall ${pct(result.strong.recall)}, strong precision ${pct(result.strong.precision)} ` +
    `(TP ${result.strong.truePositives}, FP ${result.strong.falsePositives}, FN ${result.strong.falseNegatives}); three-level accuracy ${pct(result.accuracy)}`,
);
console.log(confusionTable(result.confusion));
console.log(
  `targets: strong recall >= 0.85 ${result.strong.recall >= 0.85 ? 'met' : 'NOT met'}, strong precision >= 0.90 ${result.strong.precision >= 0.9 ? 'met' : 'NOT met'}`,
);
if (process.argv.includes('--errors')) {
  console.log('\nmisjudged held-out messages:');
  for (const e of result.errors) console.log(`  ${e.label} → ${e.predicted} (P(strong) ${e.pStrong}): ${e.text}`);
}

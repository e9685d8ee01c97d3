// npm run complaints:base: retrains the built-in complaint model from the corpus's training split
// and writes corpus/base-model.json (run it after changing the corpus, the lexicon or the features).
import { writeBaseModel } from './training';

const started = Date.now();
const model = writeBaseModel();
console.log(
  `wrote corpus/base-model.json: ${model.version}, ${model.data.vocab.length} features, strong threshold ${model.data.strongThreshold}, trained in ${Date.now() - started} ms`,
);

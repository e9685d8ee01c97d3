// Complaint scoring cost per message, in process (no database): the learned model over the lexicon
// features, on every message of the shipped corpus, many rounds. Prints p50/p99 per message, and
// the same figures for word segmentation alone and for stage one alone (measured in this run) as the
// baseline the full score is compared with.
//
//   npm run bench:complaints            (BENCH_ROUNDS=20 by default)
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { baseModel, scoreWith } from '../src/aftersale/complaints';
import { corpus } from '../src/aftersale/complaints/corpus';
import { normalize, readMessage } from '../src/aftersale/complaints/features';
import { segment } from '../src/aftersale/complaints/segment';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const { train, test } = corpus();
const texts = [...train, ...test].map((m) => m.text);

function measure(name: string, fn: (text: string) => unknown) {
  for (const t of texts) fn(t); // warm up
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (const t of texts) {
      const cpuStarted = process.cpuUsage();
      const started = performance.now();
      fn(t);
      wall.push(performance.now() - started);
      const used = process.cpuUsage(cpuStarted);
      cpu.push((used.user + used.system) / 1000);
    }
  }
  return { name, wall: figures(wall), cpu: figures(cpu) };
}

function figures(times: number[]) {
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  return { n: times.length, p50: at(0.5), p99: at(0.99), max: times[times.length - 1]!, mean };
}

const loadStarted = performance.now();
const model = baseModel();
const loadMs = performance.now() - loadStarted;

const rows = [
  measure('segmentation only (jieba)', (t) => segment(normalize(t))),
  measure('stage one (lexicon, patterns, n-grams)', (t) => readMessage(t)),
  measure('full score (stage one + model)', (t) => scoreWith(model, t)),
];
const fmt = (ms: number) => `${(ms * 1000).toFixed(0).padStart(6)} µs`;
console.log(
  `complaint scoring, ${texts.length} corpus messages × ${ROUNDS} rounds; model ${model.version} (${model.data.vocab.length} features, loaded in ${loadMs.toFixed(0)} ms)`,
);
console.log(
  `load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${os.cpus().length} cores (wall-clock tails include time the process waited for a core)`,
);
for (const kind of ['wall', 'cpu'] as const) {
  console.log(kind === 'wall' ? 'wall-clock per message:' : 'CPU time per message (this process only):');
  for (const r of rows) {
    const f = r[kind];
    console.log(`  ${r.name.padEnd(40)} p50 ${fmt(f.p50)}   p99 ${fmt(f.p99)}   mean ${fmt(f.mean)}   max ${fmt(f.max)}`);
  }
}
const [seg, , full] = rows;
console.log(
  `full score vs segmentation alone (wall): p50 ×${(full!.wall.p50 / seg!.wall.p50).toFixed(1)}, p99 ×${(full!.wall.p99 / seg!.wall.p99).toFixed(1)}`,
);
for (const kind of ['wall', 'cpu'] as const) {
  const p99 = full![kind].p99;
  console.log(`target p99 <= 2 ms per message (${kind}): ${p99 <= 2 ? 'met' : 'NOT met'} (${p99.toFixed(3)} ms)`);
}

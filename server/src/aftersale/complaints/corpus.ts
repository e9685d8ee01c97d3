import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../platform/paths';
import type { ComplaintLevel } from './classifier';

/** The labelled corpus and the built-in model, relative to the package root (the same from the sources and the bundle). */
export const CORPUS_DIR = 'server/src/aftersale/complaints/corpus';

// The labelled messages shipped with the product (corpus/messages.txt) and their fixed split into
// a training set and a held-out test set. See corpus/README.md.

export interface LabelledMessage {
  text: string;
  label: ComplaintLevel;
}

const LABELS: Record<string, ComplaintLevel> = { S: 'strong', M: 'mild', N: 'none' };

/** Out of 100 buckets, those below this go to the held-out test set (about a quarter). */
export const TEST_BUCKETS = 25;
const SPLIT_SALT = 'loopline-complaints-split-v1';

/** The message's bucket 0–99: from a hash of its text, so it never moves when others are added. */
export function bucketOf(text: string): number {
  return createHash('sha256').update(`${SPLIT_SALT}|${text}`).digest().readUInt32BE(0) % 100;
}

export function parseCorpus(source: string): LabelledMessage[] {
  return source
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line, i) => {
      const label = LABELS[line[0] ?? ''];
      if (!label || line[1] !== '|') throw new Error(`corpus line ${i + 1}: expected "S|", "M|" or "N|" before the text`);
      return { text: line.slice(2), label };
    });
}

let cached: { train: LabelledMessage[]; test: LabelledMessage[] } | undefined;

/** The shipped corpus, split: `test` is never used to train or tune. */
export function corpus(): { train: LabelledMessage[]; test: LabelledMessage[] } {
  if (!cached) {
    const all = parseCorpus(readFileSync(path.join(packageRoot(), CORPUS_DIR, 'messages.txt'), 'utf8'));
    cached = { train: all.filter((m) => bucketOf(m.text) >= TEST_BUCKETS), test: all.filter((m) => bucketOf(m.text) < TEST_BUCKETS) };
  }
  return cached;
}

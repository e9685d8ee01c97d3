import { CAPS_WHITELIST, LEXICON, type LexiconEntry } from './lexicon';

export type ComplaintLevel = 'none' | 'mild' | 'strong';

export interface ComplaintScore {
  /** How strongly the message complains; 0 for none, 3 and above is a strong complaint. */
  complaintScore: number;
  /** From -1 (angry) to 1 (pleased). */
  sentiment: number;
  level: ComplaintLevel;
  /** The complaint words found, as written in the lexicon, plus signals such as `!!!` or `CAPS`. */
  cues: string[];
}

/** complaintScore from which a message is a strong complaint (escalated to a person). */
export const STRONG_THRESHOLD = 3;
/** complaintScore from which a message is at least a mild complaint. */
export const MILD_THRESHOLD = 1;

interface Matcher {
  entry: LexiconEntry;
  find(lower: string): Array<[start: number, end: number]>;
}

const isLatin = (term: string) => /^[a-z0-9' *]+$/i.test(term) && /[a-z]/i.test(term);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function compile(entry: LexiconEntry): Matcher {
  if (isLatin(entry.term)) {
    const body = escape(entry.term.replace(/\*$/, '')).replace(/ /g, '\\s+') + (entry.term.endsWith('*') ? "[a-z]*" : '');
    const pattern = new RegExp(`(?<![a-z'])${body}(?![a-z'])`, 'g');
    // A plain substring test first: most entries are absent, and it is far cheaper than the regex.
    const literal = entry.term.replace(/\*$/, '').split(' ')[0]!.toLowerCase();
    return {
      entry,
      find: (lower) =>
        lower.includes(literal) ? [...lower.matchAll(pattern)].map((m): [number, number] => [m.index, m.index + m[0].length]) : [],
    };
  }
  return {
    entry,
    find: (lower) => {
      const found: Array<[number, number]> = [];
      for (let at = lower.indexOf(entry.term); at !== -1; at = lower.indexOf(entry.term, at + 1)) {
        found.push([at, at + entry.term.length]);
      }
      return found;
    },
  };
}

const MATCHERS = LEXICON.map(compile);
const PUNCTUATION = /[,.!?;:，。！？；：、~～]/;

interface Hit {
  entry: LexiconEntry;
  start: number;
  end: number;
}

/** Words of the gap between two hits: Chinese characters and Latin words each count one. */
function gapUnits(gap: string): number {
  const cjk = gap.match(/[\u3400-\u9fff]/g)?.length ?? 0;
  const latin = gap.match(/[a-z0-9']+/gi)?.length ?? 0;
  return cjk + latin;
}

function nearestBefore(hits: Hit[], index: number, kind: LexiconEntry['kind'], maxUnits: number, text: string): Hit | undefined {
  const hit = hits[index]!;
  for (let i = index - 1; i >= 0; i--) {
    const before = hits[i]!;
    const gap = text.slice(before.end, hit.start);
    if (PUNCTUATION.test(gap) || gapUnits(gap) > maxUnits) return undefined;
    if (before.entry.kind === kind) return before;
  }
  return undefined;
}

/** Threats of consequences: "if you don't …, I'll …", 再不…就…. */
const THREATS = [
  /(再不|如果不|要是不|不然|否则)[^。！!？?]{0,12}(就|我)/,
  /\bif (i|you) (don't|do not|doesn't|can't|cannot|won't)\b.*\b(i'll|i will|i'm going to|i am going to)\b/i,
];

function angerSignals(text: string, cues: string[]): number {
  let anger = 0;
  if (THREATS.some((re) => re.test(text))) {
    anger += 2;
    cues.push('threat');
  }
  const bangs = text.match(/[!！]{2,}/g)?.length ?? 0;
  if (bangs) {
    anger += Math.min(bangs, 2);
    cues.push('!!');
  }
  if (/[?？]{2,}/.test(text)) {
    anger += 1;
    cues.push('??');
  }
  const shouted = (text.match(/\b[A-Z]{2,}\b/g) ?? []).filter((w) => !CAPS_WHITELIST.has(w));
  if (shouted.length >= 2 || shouted.some((w) => w.length >= 3)) {
    anger += shouted.length >= 2 ? 1.5 : 1;
    cues.push('CAPS');
  }
  return anger;
}

/**
 * Scores how much a customer message complains, by lexicon (no model, no network): complaint
 * words, negative and positive words with negation and intensifiers, and shouting. Chinese and
 * English, mixed in one message too.
 */
export function scoreMessage(text: string): ComplaintScore {
  const lower = text.toLowerCase();
  const all: Hit[] = [];
  for (const matcher of MATCHERS) {
    for (const [start, end] of matcher.find(lower)) all.push({ entry: matcher.entry, start, end });
  }
  // Longest match wins where entries overlap.
  all.sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start));
  const hits: Hit[] = [];
  let taken = 0;
  for (const hit of all) {
    if (hit.start >= taken) {
      hits.push(hit);
      taken = hit.end;
    }
  }

  const cues: string[] = [];
  let cueSum = 0;
  let weakSum = 0;
  let negative = 0;
  let positive = 0;
  let sarcasmCandidates = 0;
  let polite = false;
  hits.forEach((hit, i) => {
    const { kind, weight, term } = hit.entry;
    if (kind === 'polite') polite = true;
    if (kind !== 'cue' && kind !== 'weak_cue' && kind !== 'negative' && kind !== 'positive') return;
    const negated = !!nearestBefore(hits, i, 'negator', 4, lower);
    const intensity = nearestBefore(hits, i, 'intensifier', 2, lower)?.entry.weight ?? 1;
    if (kind === 'cue' || kind === 'weak_cue') {
      if (negated) return; // "not going to complain", 不是质量问题
      if (kind === 'cue') cueSum += weight * intensity;
      else weakSum += weight * intensity;
      cues.push(term);
    } else if (kind === 'negative') {
      if (negated) positive += weight * 0.5;
      else negative += weight * intensity;
    } else if (negated) {
      negative += weight * intensity;
    } else if (hit.entry.sarcasmProne) {
      sarcasmCandidates += weight * intensity;
    } else {
      positive += weight * intensity;
    }
  });

  const anger = angerSignals(text, cues);
  // "Great, another broken one": praise next to a grievance is sarcasm.
  if (sarcasmCandidates > 0) {
    if (cueSum + weakSum > 0 || negative > 0) {
      negative += sarcasmCandidates;
      cueSum += 1.5;
      cues.push('sarcasm');
    } else {
      positive += sarcasmCandidates;
    }
  }
  // Refund or "broken" in a calm question is a request, not a grievance.
  const aggrieved = anger > 0 || negative >= 1.5 || cueSum >= 2;
  if (!aggrieved) weakSum *= polite ? 0.2 : 0.5;

  const raw = cueSum + weakSum + anger + 0.5 * negative - 0.3 * positive;
  const complaintScore = Math.max(0, Math.round(raw * 100) / 100);
  const sentiment = Math.max(-1, Math.min(1, (positive - negative - 0.5 * anger - (cueSum > 0 ? 1 : 0)) / (positive + negative + 2)));
  const level: ComplaintLevel =
    complaintScore >= STRONG_THRESHOLD
      ? 'strong'
      : complaintScore >= MILD_THRESHOLD || (negative >= 1 && negative > positive)
        ? 'mild'
        : 'none';
  return { complaintScore, sentiment: Math.round(sentiment * 100) / 100, level, cues };
}

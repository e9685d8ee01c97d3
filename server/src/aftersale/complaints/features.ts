import { CATEGORIES, EN, NEGATABLE, ZH, type Category } from './lexicon';
import { segment } from './segment';

// Stage one: the message read through the lexicon and a few patterns, plus its words and character
// pairs, as sparse features for the learned stage. Pure and deterministic.

/**
 * Bump when the features change (this file or the lexicon): models trained on other features must
 * not be reused. v2: lexicon words moved and added.
 */
export const FEATURE_VERSION = 2;

export type Features = Map<string, number>;

export interface Reading {
  features: Features;
  /** Lexicon hits that make a message a complaint, as written (for staff: why it was flagged). */
  cues: string[];
}

/** Light English stemmer: enough to make "refunds", "refunded", "refunding" one word. */
export function stem(word: string): string {
  let w = word.toLowerCase();
  if (w.length <= 3) return w;
  if (w.endsWith('ies') || w.endsWith('ied')) return `${w.slice(0, -3)}y`;
  if (w.endsWith('ing') && w.length > 5) w = w.slice(0, -3);
  else if (w.endsWith('ed') && w.length > 4) w = w.slice(0, -2);
  else if (w.endsWith('es') && /(ss|x|ch|sh)es$/.test(w)) w = w.slice(0, -2);
  else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us')) w = w.slice(0, -1);
  else if (w.endsWith('ly') && w.length > 5) w = w.slice(0, -2);
  // "stopped" → "stopp" → "stop"
  if (/([bdfgmnprt])\1$/.test(w)) w = w.slice(0, -1);
  return w;
}

const isLatin = (t: string) => /^[a-z0-9&'-]+$/.test(t);
const isCjk = (c: string) => /[\u3400-\u9fff]/.test(c);

interface Entry {
  category: Category;
  term: string;
  /** English single words of 5+ letters also match longer forms ("injur" → injury, injured). */
  prefix: boolean;
}

/** Chinese terms by word; English terms by stemmed word sequence joined with spaces. */
const zhIndex = new Map<string, Entry[]>();
const enIndex = new Map<string, Entry[]>();
const enPrefixes: Entry[] = [];
const add = (index: Map<string, Entry[]>, key: string, entry: Entry) => {
  const list = index.get(key);
  if (list) list.push(entry);
  else index.set(key, [entry]);
};
for (const category of CATEGORIES) {
  for (const term of ZH[category]) add(zhIndex, term.toLowerCase(), { category, term, prefix: false });
  for (const term of EN[category]) {
    const words = term.toLowerCase().replace(/-/g, ' ').replace(/n't/g, ' not').split(/\s+/).filter(Boolean);
    const key = words.map(stem).join(' ');
    const prefix = words.length === 1 && key.length >= 5;
    const entry = { category, term, prefix };
    if (prefix) enPrefixes.push(entry);
    else add(enIndex, key, entry);
  }
}
const enPrefixStems = enPrefixes.map((e) => ({ entry: e, stem: stem(e.term) }));

/** Categories whose hits are shown to staff as the reasons a message was flagged. */
const CUE_CATEGORIES: ReadonlySet<Category> = new Set([
  'escalate',
  'review',
  'danger',
  'damage',
  'fraud',
  'insult',
  'sarcasm',
  'anger',
  'neglect',
  'rhetorical',
]);

/** Words of intent just before an escalation word: 我要/已经/准备 … 投诉, "I'll … report". */
const INTENT = new Set([
  '我要',
  '要',
  '我会',
  '会',
  '已经',
  '已',
  '准备',
  '直接',
  '去',
  '找',
  '等着',
  '让',
  '发到',
  '发给',
  '打算',
  '马上',
  'i',
  'will',
  'll',
  'go',
  'going',
  'to',
  'fil',
  'send',
  'tak',
  'contact',
  'post',
  'my',
  've',
  'leav',
  'be',
]);

const CLAUSE_END = /^[,.!?;:~…。，！？；：、\n]+$/;

const PATTERNS: Array<[name: string, re: RegExp]> = [
  // 再不…就, 否则, 不然, 要么…要么, "or I'll", "if this isn't … I'll"
  [
    'threat',
    /(再不|再没|不然|否则|要么|要是不|如果不|不给[^.!?]{0,8}就|不[^.!?]{0,8}我就)|\bor (i|my|we)\b|\bif (this|it|you)[^.!?]{0,30}(n't| not)\b/,
  ],
  // 今天五点前, 明天中午十二点前, 周五之前, 24小时内, "by friday", "until end of day"
  [
    'deadline',
    /(今天|明天|今晚|后天|周[一二三四五六日末]|星期[一二三四五六日天]|[0-9一二三四五六七八九十两]+点|[0-9]+号)[^,.!?]{0,8}(前|之前|以内|内)|[0-9一二三四五六七八九十两]+(个)?(小时|天)(之内|内|以内)|\bby (mon|tue|wed|thu|fri|sat|sun|noon|tomorrow|tonight|end of)|\buntil end of day\b|\bwithin [0-9]+ (hour|day)/,
  ],
  // 一个月了, 三周了, 十五个工作日, "six weeks", "9 days ago"
  [
    'waiting',
    /([0-9一二三四五六七八九十两几]+|半)(个)?(多)?(天|周|星期|个月|月|工作日)(了|多|还|都)|\b([0-9]+|two|three|four|five|six|several) (days|weeks|months)\b/,
  ],
  // 第三次, 第N次, 三次, "third time", "FOUR times"
  [
    'nth_time',
    /第\s*([0-9n一二三四五六七八九十]+)\s*次|[0-9两三四五六七八九十]+次|\b(second|third|fourth|fifth|[0-9]+(st|nd|rd|th)) time\b|\b(three|four|five|[0-9]+) times\b/,
  ],
  // 退！款！, 人呢？人呢？
  ['spelled', /([\u3400-\u9fff])!\s*([\u3400-\u9fff])!/],
  ['bangs', /!{2,}/],
  ['question_marks', /\?{2,}/],
  // 你们…吗？ accusing: 会死吗, 是不是…的
  ['you_question', /你们[^,.!]{0,12}(吗|呢)\?/],
  ['first_person_loss', /(我|we|i)[^,.!?]{0,6}(损失|被|lost|paid|花了)/],
];

const CAPS_OK = new Set([
  'VIP',
  'APP',
  'SKU',
  'USB',
  'LED',
  'OK',
  'ID',
  'QR',
  'TV',
  'PM',
  'AM',
  'XL',
  'XXL',
  'SMS',
  'A&E',
  'AI',
  'CEO',
  'NBA',
  'DIY',
]);

/** NFKC (full-width to half-width), lower case, "n't" spelled out, dashes as spaces. */
export function normalize(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/n't\b/g, ' not')
    .replace(/[’']s\b/g, '')
    .replace(/[-_]/g, ' ');
}

function bump(features: Features, key: string, by = 1) {
  features.set(key, (features.get(key) ?? 0) + by);
}

interface Hit {
  category: Category;
  term: string;
  /** Index of the hit's first token. */
  at: number;
}

/** Lexicon hits in a run of tokens. */
function lexiconHits(tokens: string[]): Hit[] {
  const hits: Hit[] = [];
  const stems = tokens.map((t) => (isLatin(t) ? stem(t) : t));
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (!isLatin(token)) {
      for (const e of zhIndex.get(token) ?? []) hits.push({ category: e.category, term: e.term, at: i });
      continue;
    }
    for (let n = 3; n >= 1; n--) {
      if (i + n > tokens.length) continue;
      const key = stems.slice(i, i + n).join(' ');
      for (const e of enIndex.get(key) ?? []) hits.push({ category: e.category, term: e.term, at: i });
    }
    const s = stems[i]!;
    for (const p of enPrefixStems) if (s.startsWith(p.stem)) hits.push({ category: p.entry.category, term: p.entry.term, at: i });
  }
  return hits;
}

/** Reads one message into features and cues. */
export function readMessage(text: string): Reading {
  const features: Features = new Map();
  const cues: string[] = [];
  const normal = normalize(text);
  const tokens = segment(normal);

  // Clauses: runs of tokens between punctuation. A clause that asks ("请问…", "how do I…?") colours
  // the words in it; a negator just before a word flips it.
  let clauseStart = 0;
  const clauses: Array<[start: number, end: number, end_mark: string]> = [];
  tokens.forEach((t, i) => {
    if (CLAUSE_END.test(t)) {
      clauses.push([clauseStart, i, t]);
      clauseStart = i + 1;
    }
  });
  if (clauseStart < tokens.length) clauses.push([clauseStart, tokens.length, '']);

  const seenClauses = new Set<string>();
  for (const [start, end, mark] of clauses) {
    const words = tokens.slice(start, end);
    if (!words.length) continue;
    const clauseText = words.join('');
    if (seenClauses.has(clauseText) && clauseText.length >= 2) bump(features, 'p:repeated_clause');
    seenClauses.add(clauseText);
    const hits = lexiconHits(words);
    const asks =
      hits.some((h) => h.category === 'question' || h.category === 'hypothetical') || (mark.includes('?') && !mark.includes('??'));
    if (asks) bump(features, 'p:asking_clause');
    for (const hit of hits) {
      const negated = NEGATABLE.has(hit.category) && hits.some((h) => h.category === 'negator' && h.at < hit.at && h.at >= hit.at - 4);
      const name = negated ? `neg_${hit.category}` : hit.category;
      bump(features, `c:${name}`);
      if (asks && hit.category !== 'question') bump(features, `c:q_${name}`);
      if (!negated && (hit.category === 'escalate' || hit.category === 'review')) {
        const intent = words.slice(Math.max(0, hit.at - 6), hit.at).some((w) => INTENT.has(w));
        if (intent && !asks) bump(features, 'c:intent_escalate');
      }
      if (!negated && !asks && CUE_CATEGORIES.has(hit.category) && !cues.includes(hit.term)) cues.push(hit.term);
    }
  }
  for (const [k, v] of features) if (k.startsWith('c:')) features.set(k, Math.log2(1 + v));

  for (const [name, re] of PATTERNS) {
    if (re.test(normal)) {
      bump(features, `p:${name}`);
      if (name === 'threat' || name === 'deadline' || name === 'nth_time' || name === 'spelled') cues.push(name);
    }
  }
  const shouted = (text.match(/\b[A-Z][A-Z&]{1,}\b/g) ?? []).filter((w) => !CAPS_OK.has(w));
  if (shouted.length) {
    bump(features, 'p:caps');
    cues.push('CAPS');
  }
  if (/[!！]{2,}/.test(text)) cues.push('!!');
  const length = [...normal].length;
  bump(features, length < 8 ? 'p:len_short' : length < 30 ? 'p:len_mid' : length < 70 ? 'p:len_long' : 'p:len_very_long');
  if (/[\u3400-\u9fff]/.test(normal)) bump(features, 'p:zh');
  else bump(features, 'p:en');

  // Words (stemmed when Latin) and word pairs; Chinese character pairs inside words and across them.
  const words = tokens.filter((t) => !CLAUSE_END.test(t)).map((t) => (isLatin(t) ? stem(t) : t));
  for (let i = 0; i < words.length; i++) {
    features.set(`w:${words[i]}`, 1);
    if (i + 1 < words.length) features.set(`w2:${words[i]}_${words[i + 1]}`, 1);
  }
  const chars = [...normal].filter(isCjk);
  for (let i = 0; i + 1 < chars.length; i++) features.set(`b:${chars[i]}${chars[i + 1]}`, 1);
  return { features, cues };
}

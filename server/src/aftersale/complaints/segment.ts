import { Jieba } from '@node-rs/jieba';
// The package has no exports map: under Node's ESM resolution (the compiled server) the file needs its extension.
import { dict } from '@node-rs/jieba/dict.js';
import { SEGMENTER_WORDS } from './lexicon';

// Chinese word segmentation (jieba, native binary from the package registry; its dictionary ships
// inside the package, nothing is downloaded). The lexicon's own terms are added to the dictionary
// so that each is cut as one word.

let jieba: Jieba | undefined;

function segmenter(): Jieba {
  if (!jieba) {
    jieba = Jieba.withDict(dict);
    jieba.loadDict(Buffer.from(SEGMENTER_WORDS.map((w) => `${w} 200000`).join('\n'), 'utf8'));
  }
  return jieba;
}

/** Words of a (normalized) message, without whitespace; Latin runs come out as words. */
export function segment(text: string): string[] {
  return segmenter()
    .cut(text, false)
    .filter((t) => t.trim() !== '');
}

// The dictionaries: the same keys in every language, the same {placeholders} for each key, no
// Chinese left in English, and no word of a page written outside them.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DICTIONARIES, languageFromLocale, LANGUAGES, placeholdersOf, translate, type MessageKey } from './index';
import { zh } from './zh';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CJK = /[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]/;
/** Keys whose languages word the same thing with different figures (8.5折 is 15% off). */
const OWN_PLACEHOLDERS = new Set<MessageKey>(['coupon.discount']);
/** A language's own name is written in that language. */
// Chinese that English text must keep: a language's own name, and the opt-out words the bot asks a
// follower to type (退订 / 恢复 are what the official account understands, whatever the language).
const NATIVE_NAMES = new Set<MessageKey>(['me.languageName.zh', 'bot.marketingStopped', 'bot.marketingResumed']);

function filesUnder(dir: string, match: (file: string) => boolean): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full, match));
    else if (match(full)) out.push(full);
  }
  return out;
}

/** Source text without comments (a comment may quote a word of Chinese). */
function code(file: string): string {
  return readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

const keys = Object.keys(zh) as MessageKey[];
const miniprogramSources = filesUnder(path.join(root, 'miniprogram'), (f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f));

describe('dictionaries', () => {
  it('have the same keys in every language, none empty', () => {
    for (const language of LANGUAGES) {
      expect(Object.keys(DICTIONARIES[language]).sort(), language).toEqual([...keys].sort());
      for (const key of keys) expect(DICTIONARIES[language][key].trim(), `${language} ${key}`).not.toBe('');
    }
  });

  it('use the same {placeholders} for a key in every language', () => {
    for (const key of keys) {
      if (OWN_PLACEHOLDERS.has(key)) continue;
      for (const language of LANGUAGES)
        expect(placeholdersOf(DICTIONARIES[language][key]), `${language} ${key}`).toEqual(placeholdersOf(zh[key]));
    }
  });

  it('leave no Chinese in English', () => {
    const mixed = keys.filter((key) => !NATIVE_NAMES.has(key) && CJK.test(DICTIONARIES.en[key]));
    expect(mixed).toEqual([]);
  });

  it('fill placeholders and pick the language from a locale', () => {
    expect(translate('zh', 'center.remaining', { count: 3 })).toBe('剩余 3');
    expect(translate('en', 'center.remaining', { count: 3 })).toBe('3 left');
    expect(translate('en', 'card.next', { points: 10 })).toBe('10 more points to {tier}');
    expect(languageFromLocale('en-US')).toBe('en');
    expect(languageFromLocale('zh-CN')).toBe('zh');
    expect(languageFromLocale('fr-FR')).toBe('zh');
  });
});

describe('mini-program sources', () => {
  it('write no user-facing Chinese outside the dictionaries (page titles excepted, checked below)', () => {
    const offenders: string[] = [];
    for (const file of miniprogramSources) {
      if (file.endsWith('.config.ts')) continue;
      code(file)
        .split('\n')
        .forEach((line, i) => {
          if (CJK.test(line)) offenders.push(`${path.relative(root, file)}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });

  it('title every page and tab with words of the Chinese dictionary (the pages retitle them in English)', () => {
    const zhWords = new Set(Object.values(zh) as string[]);
    const titles: string[] = [];
    for (const file of miniprogramSources.filter((f) => f.endsWith('.config.ts'))) {
      for (const m of code(file).matchAll(/(?:navigationBarTitleText|text):\s*'([^']*)'/g)) titles.push(m[1]!);
    }
    expect(titles.length).toBeGreaterThan(25);
    expect(titles.filter((title) => !zhWords.has(title))).toEqual([]);
  });

  it('call t() only with keys the dictionaries have, and every key is used somewhere', () => {
    const sources = [
      ...miniprogramSources,
      ...filesUnder(path.join(root, 'server/src'), (f) => /\.ts$/.test(f) && !f.endsWith('.test.ts')),
    ].map((f) => code(f));
    const all = sources.join('\n');
    const literal = [...all.matchAll(/\bt\(\s*'([^']+)'/g)].map((m) => m[1]!);
    expect(literal.length).toBeGreaterThan(100);
    expect(literal.filter((key) => !(key in zh))).toEqual([]);
    // A key is used when written out, or when a template builds it from its prefix: `ticket.type.${type}`.
    const prefixes = new Set([...all.matchAll(/`([a-zA-Z.]+\.)\$\{/g)].map((m) => m[1]!));
    const unused = keys.filter((key) => !all.includes(`'${key}'`) && ![...prefixes].some((prefix) => key.startsWith(prefix)));
    expect(unused).toEqual([]);
  });
});

// One dictionary per language for every word a person reads: the mini-program's pages, the error
// messages pages show (by error code) and the official account's bot replies.
//
// Adding a page's strings: add a block `<page>.<what>` to zh.ts (the source language), then the same
// keys to en.ts. en.ts is typed by zh.ts, so a key missing from either one fails `npm run typecheck`,
// and i18n.test.ts fails when the two disagree on a key's {placeholders}. Pages call t('<page>.<what>',
// { name: value }); data people typed (names, descriptions) is never in a dictionary and is marked
// with the `dyn` class in the page (see miniprogram/i18n).
import { en } from './en';
import { zh, type MessageKey } from './zh';

export type { MessageKey } from './zh';
export const LANGUAGES = ['zh', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'zh';

export const DICTIONARIES: Record<Language, Record<MessageKey, string>> = { zh, en };

export type MessageParams = Record<string, string | number>;

/** The text of `key` in `language`, with each `{name}` replaced by params.name. */
export function translate(language: Language, key: MessageKey, params?: MessageParams): string {
  const template = DICTIONARIES[language][key] ?? DICTIONARIES[DEFAULT_LANGUAGE][key] ?? key;
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(zh, key);
}

/** 'en-US' → 'en', 'zh-Hans-CN' → 'zh'; anything else → the default. */
export function languageFromLocale(locale: string | undefined | null): Language {
  const tag = (locale ?? '').toLowerCase();
  if (tag.startsWith('en')) return 'en';
  return DEFAULT_LANGUAGE;
}

/** The language a person wrote in: Chinese when the text has Chinese characters, else English. */
export function languageOfText(text: string): Language {
  return /[\u3400-\u9fff]/.test(text) ? 'zh' : 'en';
}

/** The {placeholders} of a template, sorted (a test holds both languages to the same set). */
export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();
}

// Checks the words a page shows against the dictionaries (shared/i18n): every text that is not data
// (data carries the `dyn` class) must be one of the current language's entries, or several joined
// by " · ", with anything in place of their {placeholders}; and no word of the other script may
// appear (no Chinese in English; in Chinese, no Latin word the Chinese dictionary does not use).
import type { Page } from 'playwright-core';
import { DICTIONARIES, type Language } from '../../../shared/i18n';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function templatePattern(template: string): string {
  return template
    .trim()
    .split(/\{\w+\}/)
    .map((part) => escape(part).replace(/\s+/g, '\\s*'))
    .join('.*?');
}

const matchers = new Map<Language, RegExp>();
function matcherFor(language: Language): RegExp {
  let found = matchers.get(language);
  if (!found) {
    const templates = Object.values(DICTIONARIES[language]).map(templatePattern);
    // A figure on its own (¥20, 1/50, 100%) stands beside words of any language.
    const one = `(?:${templates.join('|')}|[^A-Za-z\u3400-\u9fff]+)`;
    // One entry, or entries side by side (a validity and a stock count: "领取后 30 天内有效 · 剩余 49").
    found = new RegExp(`^(?:↳\\s*)?${one}(?:\\s*·\\s*${one})*$`, 's');
    matchers.set(language, found);
  }
  return found;
}

const CJK = /[\u3400-\u9fff]/;
const zhLatinWords = new Set(
  Object.values(DICTIONARIES.zh)
    .join(' ')
    .replace(/\{\w+\}/g, ' ')
    .match(/[A-Za-z]{2,}/g) ?? [],
);

/** The texts of the shown page (and the tab bar) that are not data, as a person reads them. */
export async function shownTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const visible = (el: Element) => {
      const style = getComputedStyle(el);
      const box = (el as HTMLElement).getBoundingClientRect();
      return style.display !== 'none' && style.visibility !== 'hidden' && box.width > 0 && box.height > 0;
    };
    const isData = (el: Element | null): boolean => {
      for (let at = el; at; at = at.parentElement) if (at.classList?.contains('dyn')) return true;
      return false;
    };
    const roots = [
      ...Array.from(document.querySelectorAll('.taro_page')),
      ...Array.from(document.querySelectorAll('.taro-tabbar__tabbar')),
    ].filter(visible);
    const texts: string[] = [];
    for (const root of roots) {
      for (const el of [root, ...Array.from(root.querySelectorAll('*'))]) {
        if (!visible(el) || isData(el)) continue;
        const own = Array.from(el.childNodes)
          .filter((node) => node.nodeType === Node.TEXT_NODE)
          .map((node) => node.textContent ?? '')
          .join('')
          .replace(/\s+/g, ' ')
          .trim();
        if (own) texts.push(own);
        const placeholder = el.getAttribute('placeholder');
        if (placeholder && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA')) texts.push(placeholder.trim());
      }
    }
    return texts;
  });
}

/** The shown texts that are not in `language`'s dictionary, or that mix in the other language. */
export async function untranslated(page: Page, language: Language): Promise<string[]> {
  const matcher = matcherFor(language);
  const problems: string[] = [];
  for (const text of await shownTexts(page)) {
    // Figures, prices and marks carry no language.
    if (!/[A-Za-z\u3400-\u9fff]/.test(text)) continue;
    if (!matcher.test(text)) problems.push(`not in the ${language} dictionary: ${text}`);
    else if (language === 'en' && CJK.test(text)) problems.push(`Chinese in English: ${text}`);
    else if (language === 'zh') {
      // Codes and figures (a token with a digit: 9Z6F-8FVK-0484-XV5E, SO-1001) are data, not words;
      // so is a reference after a number sign (ticket #ADEFDB may happen to have no digit).
      const words = text.split(/[\s\u3000-\u303f\uff01-\uff5e]+/).filter((token) => !/\d/.test(token) && !/^#[0-9A-Z]+$/.test(token));
      const foreign = words.flatMap((token) => token.match(/[A-Za-z]{2,}/g) ?? []).filter((word) => !zhLatinWords.has(word));
      if (foreign.length) problems.push(`English in Chinese (${foreign.join(', ')}): ${text}`);
    }
  }
  return problems;
}

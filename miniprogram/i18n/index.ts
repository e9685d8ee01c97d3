// The mini-program's language: Simplified Chinese unless the person chose English in 我的; in H5 the
// browser's language is followed until they choose. Pages read every word through t(); a change of
// language relaunches the app so every page and the tab bar speak the new one.
//
// Marking data: text that is the person's or the brand's data (names, descriptions, codes, numbers
// typed in) is not in a dictionary. Give its element the `dyn` class so the dictionary check of the
// browser tests skips it, and `mask` as well when it changes from run to run (times, codes, QR) so
// the screenshot comparison paints it over.
import Taro, { useDidShow } from '@tarojs/taro';
import {
  DEFAULT_LANGUAGE,
  LANGUAGES,
  languageFromLocale,
  translate,
  type Language,
  type MessageKey,
  type MessageParams,
} from '@shared/i18n';

import { TABS } from './tabs';

export type { Language, MessageKey } from '@shared/i18n';
export { TABS } from './tabs';

const LANGUAGE_KEY = 'loopline.language';

function storedLanguage(): Language | undefined {
  try {
    const value = Taro.getStorageSync(LANGUAGE_KEY) as unknown;
    return LANGUAGES.includes(value as Language) ? (value as Language) : undefined;
  } catch {
    return undefined;
  }
}

function systemLanguage(): Language {
  if (process.env.TARO_ENV === 'h5' && typeof navigator !== 'undefined') return languageFromLocale(navigator.language);
  return DEFAULT_LANGUAGE;
}

let current: Language | undefined;

/** The language pages render in now. */
export function language(): Language {
  current ??= storedLanguage() ?? systemLanguage();
  return current;
}

/** The text of `key` in the current language. */
export function t(key: MessageKey, params?: MessageParams): string {
  return translate(language(), key, params);
}

/** Remembers the choice and relaunches on `url` so everything renders again in it. */
export function chooseLanguage(next: Language, url: string): void {
  Taro.setStorageSync(LANGUAGE_KEY, next);
  current = next;
  void Taro.reLaunch({ url }).then(() => Taro.showToast({ title: t('me.languageSwitched'), icon: 'success' }));
}

/** Labels the tab bar in the current language (the config holds the default's words; H5 keeps the last ones set). */
export function labelTabBar(): void {
  TABS.forEach((tab, index) => {
    Taro.setTabBarItem({ index, text: t(tab.label) }).catch(() => undefined);
  });
}

/** Sets the page's title in the current language each time it shows (and the tab bar's, on a tab page). */
export function usePageTitle(key: MessageKey, options: { tab?: boolean } = {}): void {
  useDidShow(() => {
    void Taro.setNavigationBarTitle({ title: t(key) }).catch(() => undefined);
    if (options.tab) labelTabBar();
  });
}

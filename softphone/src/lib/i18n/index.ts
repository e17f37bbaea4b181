import { addMessages, init, locale } from 'svelte-i18n';
import type { Locale } from '../types';
import en from './en.json';
import zhCN from './zh-CN.json';
import dialplanEn from './dialplan.en.json';
import dialplanZhCN from './dialplan.zh-CN.json';
import ivrEn from './ivr.en.json';
import ivrZhCN from './ivr.zh-CN.json';
import qualityEn from './quality.en.json';
import qualityZhCN from './quality.zh-CN.json';
import selfServiceEn from './selfservice.en.json';
import selfServiceZhCN from './selfservice.zh-CN.json';
import recordingsEn from './recordings.en.json';
import recordingsZhCN from './recordings.zh-CN.json';
import supervisionEn from './supervision.en.json';
import supervisionZhCN from './supervision.zh-CN.json';

export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];
export const DEFAULT_LOCALE: Locale = 'zh-CN';
const STORAGE_KEY = 'locale';

addMessages('zh-CN', zhCN);
addMessages('en', en);
addMessages('zh-CN', dialplanZhCN);
addMessages('en', dialplanEn);
addMessages('zh-CN', ivrZhCN);
addMessages('en', ivrEn);
addMessages('zh-CN', qualityZhCN);
addMessages('en', qualityEn);
addMessages('zh-CN', selfServiceZhCN);
addMessages('en', selfServiceEn);
addMessages('zh-CN', recordingsZhCN);
addMessages('en', recordingsEn);
addMessages('zh-CN', supervisionZhCN);
addMessages('en', supervisionEn);

function isLocale(value: unknown): value is Locale {
  return LOCALES.includes(value as Locale);
}

/** The locale saved by the language switch, else zh-CN. */
export function storedLocale(): Locale {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return isLocale(value) ? value : DEFAULT_LOCALE;
  } catch {
    return DEFAULT_LOCALE;
  }
}

/** Switches the UI language and remembers it for the login screen. */
export function applyLocale(value: Locale): void {
  locale.set(value);
  document.documentElement.lang = value;
  try {
    localStorage.setItem(STORAGE_KEY, value);
  } catch {
    /* storage may be unavailable (private mode); the choice just isn't remembered */
  }
}

export function setupI18n(): void {
  const initial = storedLocale();
  init({ fallbackLocale: DEFAULT_LOCALE, initialLocale: initial });
  document.documentElement.lang = initial;
}

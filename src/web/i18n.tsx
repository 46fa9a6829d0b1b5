import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Lang } from '../i18n/lang.ts';
import { translate } from '../i18n/translate.ts';
import { webText } from '../i18n/web.ts';
import type { WebKey, Words } from './words.ts';

export type { WebKey, Words } from './words.ts';

const STORAGE_KEY = 'sumi.lang';

/** The saved choice, else the browser's language, else English. */
export function initialLang(): Lang {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'ja') return saved;
  return navigator.language.toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

export function saveLang(lang: Lang): void {
  localStorage.setItem(STORAGE_KEY, lang);
  document.documentElement.lang = lang;
}

export const LangContext = createContext<{ lang: Lang; setLang: (lang: Lang) => void }>({
  lang: 'en',
  setLang: () => {},
});

export function useWords(): Words {
  const { lang } = useContext(LangContext);
  const locale = lang === 'ja' ? 'ja-JP' : 'en-GB';
  const numbers = new Intl.NumberFormat(locale);
  const percents = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  return {
    lang,
    t: (key, params) => translate(webText, key, lang, params),
    tMaybe: (prefix, key) => {
      const full = prefix + key;
      return full in webText ? translate(webText, full as WebKey, lang) : key;
    },
    num: (n) => (typeof n === 'number' && Number.isFinite(n) ? numbers.format(n) : '–'),
    pct: (share) => (typeof share === 'number' && Number.isFinite(share) ? percents.format(share) : '–'),
    date: (value) => {
      if (value === null || value === undefined || value === '') return '–';
      const d = typeof value === 'number' ? new Date(value < 1e12 ? value * 1000 : value) : new Date(value);
      return Number.isNaN(d.getTime()) ? String(value) : d.toISOString().slice(0, 10);
    },
  };
}

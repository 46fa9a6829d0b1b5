import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Lang } from '../i18n/lang.ts';
import { type Words, wordsIn } from './words.ts';

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
  return wordsIn(useContext(LangContext).lang);
}

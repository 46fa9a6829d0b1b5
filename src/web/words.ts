import type { Lang } from '../i18n/lang.ts';
import { translate } from '../i18n/translate.ts';
import { webText } from '../i18n/web.ts';

/** The dashboard's words, apart from the Preact context that provides them. */
export type WebKey = keyof typeof webText & string;

export interface Words {
  lang: Lang;
  t: (key: WebKey, params?: Record<string, string | number>) => string;
  /** A translation when the catalog has `prefix + key`, else the key itself (server-given codes). */
  tMaybe: (prefix: string, key: string) => string;
  num: (n: number | null | undefined) => string;
  pct: (share: number | null | undefined) => string;
  date: (value: string | number | null | undefined) => string;
}

/** The dashboard's words in `lang`. */
export function wordsIn(lang: Lang): Words {
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

import type { Lang } from '../i18n/lang.ts';
import type { webText } from '../i18n/web.ts';

/** The types of the dashboard's words, apart from the Preact context that provides them. */
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

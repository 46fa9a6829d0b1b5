import { format, type UiCatalog } from './catalog.ts';
import type { Lang } from './lang.ts';

/** The text for `key` in `lang`, placeholders filled. */
export function translate<C extends UiCatalog>(
  catalog: C,
  key: keyof C & string,
  lang: Lang,
  params?: Record<string, string | number>,
): string {
  const entry = catalog[key];
  if (!entry) throw new RangeError(`no text for "${key}"`);
  return format(entry[lang], params);
}

/** A translator bound to one catalog and language, for modules that print a lot. */
export function translator<C extends UiCatalog>(catalog: C, lang: Lang) {
  return (key: keyof C & string, params?: Record<string, string | number>) =>
    translate(catalog, key, lang, params);
}

/** Languages Sumi speaks. Everything a person reads exists in each of them. */
export const LANGS = ['en', 'ja'] as const;
export type Lang = (typeof LANGS)[number];

/** Both languages of one piece of text. */
export type Text = Record<Lang, string>;

/**
 * Picks the language: an explicit flag wins, then LC_ALL / LC_MESSAGES / LANG (POSIX order),
 * then English. `ja_JP.UTF-8`, `ja` and `ja-JP` all mean Japanese.
 */
export function detectLang(flag: string | undefined, env: Record<string, string | undefined>): Lang {
  if (flag !== undefined) {
    const chosen = parseLang(flag);
    if (!chosen) throw new RangeError(`unknown language "${flag}" (use en or ja)`);
    return chosen;
  }
  for (const name of ['LC_ALL', 'LC_MESSAGES', 'LANG']) {
    const value = env[name];
    if (value) return parseLang(value) ?? 'en';
  }
  return 'en';
}

function parseLang(value: string): Lang | undefined {
  const base = value.toLowerCase().split(/[_.@-]/)[0];
  if (base === 'ja') return 'ja';
  if (base === 'en' || base === 'c' || base === 'posix') return 'en';
  return undefined;
}

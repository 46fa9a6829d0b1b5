import type { Lang } from './lang.ts';

/** Values a finding's message is built from; kept in the JSON output as `details`. */
export type FindingArgs = Record<string, string | number | boolean | undefined>;

export type Severity = 'error' | 'warning' | 'info';

/** The words for one finding code in one language. */
export interface FindingText {
  /** A few words, shown as a heading and in docs/checks.md. */
  title: string;
  /** What is wrong here, with this domain's values. */
  message: (a: FindingArgs) => string;
  /** Why it matters (static: it goes into docs/checks.md). */
  why: string;
  /** What to do, concretely. Absent where nothing needs doing (info findings). */
  fix?: (a: FindingArgs) => string;
}

export interface FindingEntry {
  severity: Severity;
  /** Which protocol section the finding is shown under. */
  protocol: Protocol;
  en: FindingText;
  ja: FindingText;
}

export type Protocol = 'dns' | 'spf' | 'dmarc' | 'dkim' | 'bimi' | 'mta-sts' | 'tls-rpt' | 'mx' | 'dnssec';

export type FindingCatalog = Record<string, FindingEntry>;

/** One UI string in both languages; `{name}` placeholders (and English counts as `{name, plural, one {...} other {...}}`) are filled by `format`. */
export type UiCatalog = Record<string, Record<Lang, string>>;

export function format(template: string, params: Record<string, string | number> = {}): string {
  return template
    .replace(PLURAL, (whole, key: string, one: string, other: string) => {
      if (!(key in params)) return whole;
      const value = params[key]!;
      return (isOne(value) ? one : other).replaceAll('#', String(value));
    })
    .replace(/\{(\w+)\}/g, (whole, key: string) => (key in params ? String(params[key]) : whole));
}

/**
 * `{name, plural, one {# report was} other {# reports were}}`: ICU MessageFormat's plural, the
 * forms English needs (one and other; `#` is the value), so that a count of 1 reads "1 report"
 * rather than "1 reports". Japanese has no plural forms and needs none.
 */
const PLURAL = /\{(\w+), plural, one \{([^{}]*)\} other \{([^{}]*)\}\}/g;

/** The names a template fills, plain (`{name}`) or plural (`{name, plural, ...}`), each once, sorted. */
export function placeholderNames(template: string): string[] {
  return [...new Set([...template.matchAll(/\{(\w+)(?:\}|, plural, )/g)].map((m) => m[1]!))].sort();
}

/** Whether a count is 1: a number, or one already written for reading ("1", not "1,000"). */
function isOne(value: string | number): boolean {
  return typeof value === 'number' ? value === 1 : value.trim() === '1';
}

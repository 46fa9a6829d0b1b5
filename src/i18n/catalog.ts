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

/** One UI string in both languages; `{name}` placeholders are filled by `format`. */
export type UiCatalog = Record<string, Record<Lang, string>>;

export function format(template: string, params: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) =>
    key in params ? String(params[key]) : whole,
  );
}

import type { FindingArgs, Severity } from '../i18n/catalog.ts';
import { type FindingCode, findingCatalog } from '../i18n/findings/index.ts';
import type { Lang } from '../i18n/lang.ts';

export type { FindingArgs, FindingCode, Severity };

/**
 * One problem (or fact) about a domain's records. Pure data: the words are added by
 * `describeFinding` in the reader's language, so the same finding serves CLI, API and docs.
 */
export interface Finding {
  code: FindingCode;
  severity: Severity;
  /** The values the message is built from (lookup counts, tag names, positions ...). */
  args?: FindingArgs;
  /** The record text the finding is about. */
  record?: string;
  /** Where the record was found or the problem sits: a DNS name, a URL, an include chain. */
  where?: string;
}

/** A finding with its words, as printed and as `--json` shows it. */
export interface DescribedFinding {
  code: FindingCode;
  severity: Severity;
  message: string;
  fix?: string;
  record?: string;
  where?: string;
  details?: FindingArgs;
}

export function finding(
  code: FindingCode,
  args?: FindingArgs,
  at: { record?: string; where?: string; severity?: Severity } = {},
): Finding {
  const f: Finding = { code, severity: at.severity ?? findingCatalog[code].severity };
  if (args && Object.keys(args).length > 0) f.args = args;
  if (at.record !== undefined) f.record = at.record;
  if (at.where !== undefined) f.where = at.where;
  return f;
}

const severityRank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Errors first, then warnings, then info; stable within a severity. */
export function bySeverity(a: Finding, b: Finding): number {
  return severityRank[a.severity] - severityRank[b.severity];
}

export function describeFinding(f: Finding, lang: Lang): DescribedFinding {
  const entry = findingCatalog[f.code];
  const text = entry[lang];
  const args = f.args ?? {};
  const out: DescribedFinding = { code: f.code, severity: f.severity, message: text.message(args) };
  if (text.fix) out.fix = text.fix(args);
  if (f.record !== undefined) out.record = f.record;
  if (f.where !== undefined) out.where = f.where;
  if (f.args) out.details = f.args;
  return out;
}

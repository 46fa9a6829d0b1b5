import { ingestText } from '../i18n/ingest.ts';
import type { Lang } from '../i18n/lang.ts';
import { translate } from '../i18n/translate.ts';
import { describeReportError, ReportError } from '../reports/errors.ts';
import { describeStoreInputError } from '../store/errors.ts';
import { InputError } from './inputs.ts';
import type { FailedInput } from './message.ts';
import type { IngestTotals } from './totals.ts';

/**
 * A quarantine entry's reason, without the entry's own source in front: the reason of an input
 * that failed whole starts with where it was, which is shown beside it.
 */
export function quarantineReason(entry: { source: string; errorMessage: string }): string {
  const prefix = `${entry.source}: `;
  return entry.errorMessage.startsWith(prefix) ? entry.errorMessage.slice(prefix.length) : entry.errorMessage;
}

/** Why an input gave no report, in words, starting with where it is. */
export function describeFailure(failure: FailedInput, lang: Lang): string {
  const { error, source } = failure;
  if (error instanceof ReportError) {
    return error.provenance
      ? describeReportError(error, lang)
      : `${source}: ${describeReportError(error, lang)}`;
  }
  if (error instanceof InputError) return translate(ingestText, error.code, lang, { source, ...error.args });
  return translate(ingestText, 'store-refused', lang, {
    source,
    message: describeStoreInputError(error, lang),
  });
}

/**
 * An ingest run's totals as scripts get them (`sumi ingest --json`, the upload API): counts in
 * snake_case, each failed input with its error code and its reason in words.
 */
export function totalsAnswer(totals: IngestTotals, lang: Lang) {
  return {
    reports: totals.reports,
    duplicates: totals.duplicates,
    records: totals.records,
    messages: totals.messages,
    failure_reports: totals.failureReports,
    tls_reports: totals.tlsReports,
    // Only with --leave-other-mail, and only when there were any: the default answer keeps its keys.
    ...(totals.otherMail > 0 ? { other_mail: totals.otherMail } : {}),
    failed: totals.failed.map((f) => ({
      source: f.source,
      code: f.error.code,
      error: describeFailure(f, lang),
    })),
  };
}

/**
 * The line saying how many duplicates were fuller copies counted in place of the stored ones,
 * and what that changed the counted records and messages by (either may fall: a copy covering
 * more messages may hold fewer records); null when there were none.
 */
export function describeRecount(totals: IngestTotals, lang: Lang): string | null {
  if (totals.recounted === 0) return null;
  const signed = (n: number) => (n > 0 ? `+${n}` : String(n));
  return translate(ingestText, 'summary.recounted', lang, {
    recounted: totals.recounted,
    records: signed(totals.recountChange.records),
    messages: signed(totals.recountChange.messages),
  });
}

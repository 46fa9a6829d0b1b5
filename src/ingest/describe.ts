import { ingestText, storeInputText } from '../i18n/ingest.ts';
import type { Lang } from '../i18n/lang.ts';
import { reportErrorText, sourceWords } from '../i18n/reports.ts';
import { translate } from '../i18n/translate.ts';
import { describeReportError, ReportError, type ReportErrorCode } from '../reports/errors.ts';
import {
  describeStoreInputError,
  StoreInputError,
  type StoreInputErrorArgs,
  type StoreInputErrorCode,
} from '../store/errors.ts';
import type { QuarantineEntry, QuarantineFailure } from '../store/types.ts';
import { InputError } from './inputs.ts';
import type { FailedInput } from './message.ts';
import type { IngestTotals } from './totals.ts';

/**
 * A quarantine entry's reason, without the entry's own source in front: the reason of an input
 * that failed whole starts with where it was (as kept, or in English words: an upload's), which is
 * shown beside it.
 */
export function quarantineReason(entry: { source: string; errorMessage: string }): string {
  const prefix = [entry.source, sourceWords(entry.source, 'en')]
    .map((where) => `${where}: `)
    .find((where) => entry.errorMessage.startsWith(where));
  return prefix ? entry.errorMessage.slice(prefix.length) : entry.errorMessage;
}

/** Why an input gave no report, in words, starting with where it is. */
export function describeFailure(failure: FailedInput, lang: Lang): string {
  const { error } = failure;
  const source = sourceWords(failure.source, lang);
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
 * A quarantine entry's reason in the reader's language, without the entry's own source in
 * front: said again from the failures kept with it (their codes and values), or, for an entry
 * kept before they were (or with a code this version does not know), the English words it was
 * kept with.
 */
export function quarantineReasonIn(entry: QuarantineEntry, lang: Lang): string {
  const details = entry.errorDetails;
  if (details === null || !details.failures.every(known)) return quarantineReason(entry);
  const reasons = details.failures.map((failure) =>
    describeFailure(
      {
        source: failure.source,
        error:
          failure.kind === 'report'
            ? new ReportError(failure.code as ReportErrorCode, failure.args, {
                ...(failure.provenance === undefined ? {} : { provenance: failure.provenance }),
              })
            : new StoreInputError(
                failure.code as StoreInputErrorCode,
                failure.args as unknown as StoreInputErrorArgs,
              ),
      },
      lang,
    ),
  );
  if (details.more > 0) reasons.push(translate(ingestText, 'quarantine.more', lang, { count: details.more }));
  const text = reasons.join('; ');
  const prefix = `${sourceWords(entry.source, lang)}: `;
  return text.startsWith(prefix) ? text.slice(prefix.length) : text;
}

/** A failure this version can say in words (its own keys only: a kept code is data read back). */
function known(failure: QuarantineFailure): boolean {
  return failure.kind === 'report'
    ? Object.hasOwn(reportErrorText, failure.code)
    : Object.hasOwn(storeInputText, `store.${failure.code}`);
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
  // Only what changed is said: "changed the records counted by 0" reads as a change.
  const { records, messages } = totals.recountChange;
  const which = records !== 0 ? (messages !== 0 ? 'both' : 'records') : messages !== 0 ? 'messages' : 'none';
  const change = translate(ingestText, `summary.recountChange.${which}`, lang, {
    records: signed(records),
    messages: signed(messages),
  });
  return translate(ingestText, 'summary.recounted', lang, { recounted: totals.recounted, change });
}

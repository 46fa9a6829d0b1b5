/**
 * Why an input is quarantined, as the entry keeps it: made here, where ingest and a migration
 * moving stored inputs to the quarantine (0024) both make it, so that an entry says the same
 * whichever wrote it.
 */
import { describeReportError, ReportError } from '../reports/errors.ts';
import type { StoreInputError } from './errors.ts';
import type { QuarantineReason } from './types.ts';

/** Reasons written into one quarantine entry; an input with thousands of bad parts says how many more. */
export const QUARANTINE_MAX_REASONS = 10;

/** Why an input or a part of it gave no report: a reports-layer error, or a value the store refused. */
export type IngestError = ReportError | StoreInputError;

/**
 * Why an input is quarantined: the first failure's code, the first QUARANTINE_MAX_REASONS in
 * English words (as the entry is kept) and as codes and values (said in the reader's language
 * when shown: ingest/describe.ts).
 */
export function quarantineReason(
  failures: readonly { source: string; error: IngestError }[],
): QuarantineReason {
  const kept = failures.slice(0, QUARANTINE_MAX_REASONS);
  const shown = kept.map((f) => errorText(f.error));
  const more = failures.length - kept.length;
  if (more > 0) shown.push(`and ${more} more`);
  return {
    code: failures[0]!.error.code,
    message: shown.join('; '),
    details: {
      failures: kept.map(({ source, error }) => ({
        kind: error instanceof ReportError ? 'report' : 'store',
        code: error.code,
        args: { ...error.args } as Record<string, string | number>,
        ...(error instanceof ReportError && error.provenance !== undefined
          ? { provenance: error.provenance }
          : {}),
        source,
      })),
      more,
    },
  };
}

/** English words for the quarantine (the CLI describes errors again in the user's language). */
function errorText(error: IngestError): string {
  return error instanceof ReportError ? describeReportError(error, 'en') : error.message;
}

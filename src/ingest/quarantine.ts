/**
 * The quarantine as a source: inputs kept because they gave no report (raw bytes, where they
 * came from, why) are read again, with this version's readers. One that now gives its reports
 * is stored and leaves the quarantine; one that still fails stays, with today's reason. So a
 * parser fix recovers what an older version could not read, from the store alone (the mail may
 * be long gone from the mailbox).
 */

import type { Store } from '../store/types.ts';
import { ingestMessage } from './message.ts';
import { addOutcome, emptyTotals, type IngestTotals } from './totals.ts';

export interface QuarantineRetry {
  totals: IngestTotals;
  /** Entries read again. */
  retried: number;
  /** Of those, entries that gave their reports and left the quarantine. */
  released: number;
}

/**
 * Reads quarantined inputs again (`ids`, or every one; at most `limit`, the latest first), one
 * at a time, each stored as an input is.
 */
export async function retryQuarantined(
  store: Store,
  options: { ids?: readonly number[]; limit?: number } = {},
): Promise<QuarantineRetry> {
  const result: QuarantineRetry = { totals: emptyTotals(), retried: 0, released: 0 };
  // Listed once, without their bytes (read one at a time below).
  const entries = await store.listQuarantine({
    limit: options.limit ?? Number.MAX_SAFE_INTEGER,
    ...(options.ids ? { ids: options.ids } : {}),
  });
  for (const entry of entries) {
    const bytes = await store.getRawReport(entry.id, 'quarantine');
    if (!bytes) continue; // Taken out meanwhile: its bytes were stored as a report.
    const outcome = await ingestMessage(store, bytes, inputName(entry.source), entry.source, {
      fromQuarantine: true,
    });
    addOutcome(result.totals, outcome);
    result.retried++;
    if (!outcome.quarantined && (await store.releaseQuarantined(entry))) result.released++;
  }
  return result;
}

/** The file name an input had, from where it was (`/in/mail.eml > attachment 2 r.zip` -> `r.zip`). */
function inputName(source: string): string {
  const last = source.split(' > ').at(-1) ?? source;
  return last.split(/[\\/]/).at(-1) || last;
}

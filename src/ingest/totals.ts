import type { FailedInput, MessageOutcome } from './message.ts';

/** What an ingest run did, whatever the source. */
export interface IngestTotals {
  /** Aggregate reports newly stored. */
  reports: number;
  /** Reports of any kind already in the store. */
  duplicates: number;
  /** Of the duplicates, aggregate and TLS reports whose bytes differed: kept as copies of the stored one. */
  copies: number;
  /** Of the copies, aggregate and TLS reports fuller than the stored copy and counted in its place. */
  recounted: number;
  /**
   * Rows of the newly stored aggregate reports, and what the rows counted grew by where a fuller
   * copy took a stored report's place: with every copy of a report in one run, the same whatever
   * order they came in.
   */
  records: number;
  /** Messages the newly stored aggregate reports cover (sum of their records' counts), as `records`. */
  messages: number;
  /**
   * What the fuller copies changed the counted records and messages by (included in `records`
   * and `messages`): a copy covering more messages may hold fewer records.
   */
  recountChange: { records: number; messages: number };
  failureReports: number;
  tlsReports: number;
  /** Inputs (files, mails) read. */
  inputs: number;
  /** Of the inputs, mails that held nothing like a report and were left where they were (--leave-other-mail). */
  otherMail: number;
  failed: FailedInput[];
}

export function emptyTotals(): IngestTotals {
  return {
    reports: 0,
    duplicates: 0,
    copies: 0,
    recounted: 0,
    records: 0,
    messages: 0,
    recountChange: { records: 0, messages: 0 },
    failureReports: 0,
    tlsReports: 0,
    inputs: 0,
    otherMail: 0,
    failed: [],
  };
}

export function addOutcome(totals: IngestTotals, outcome: MessageOutcome): void {
  totals.inputs++;
  for (const report of outcome.reports) {
    if (report.status === 'duplicate') {
      totals.duplicates++;
      if (report.copy !== undefined || report.recounted) totals.copies++;
      if (report.recounted) {
        totals.recounted++;
        totals.records += report.records;
        totals.messages += report.messages;
        totals.recountChange.records += report.records;
        totals.recountChange.messages += report.messages;
      }
    } else if (report.kind === 'aggregate') {
      totals.reports++;
      totals.records += report.records;
      totals.messages += report.messages;
    } else if (report.kind === 'failure') totals.failureReports++;
    else totals.tlsReports++;
  }
  if (outcome.other) totals.otherMail++;
  totals.failed.push(...outcome.failed);
}

/** Adds what `more` counts to `totals` (one run's passes, each with totals of its own). */
export function addTotals(totals: IngestTotals, more: IngestTotals): void {
  totals.reports += more.reports;
  totals.duplicates += more.duplicates;
  totals.copies += more.copies;
  totals.recounted += more.recounted;
  totals.records += more.records;
  totals.messages += more.messages;
  totals.recountChange.records += more.recountChange.records;
  totals.recountChange.messages += more.recountChange.messages;
  totals.failureReports += more.failureReports;
  totals.tlsReports += more.tlsReports;
  totals.inputs += more.inputs;
  totals.otherMail += more.otherMail;
  totals.failed.push(...more.failed);
}

/** Progress as a source reports it; `totalBytes` is null when unknown (stdin, IMAP). */
export interface IngestProgress {
  totals: IngestTotals;
  bytesDone: number;
  totalBytes: number | null;
  /** Inputs known so far (for IMAP: mails found in the folder). */
  inputsTotal: number | null;
}

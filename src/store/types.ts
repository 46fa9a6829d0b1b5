/**
 * What the store takes and gives. Inputs are the reports layer's own models (src/reports/types.ts);
 * outputs add what the store knows (ids, raw hash, source, times).
 */
import type { Kysely } from 'kysely';
import type {
  AggregateRecord,
  AggregateReportHeader,
  ExtensionNode,
  FailureReport,
  ReportWarning,
  TlsReport,
} from '../reports/types.ts';
import type { PreparedRecords, PreparedRows } from './aggregate-rows.ts';
import type { EngineKind } from './engine.ts';
import type { StoreInputError } from './errors.ts';
import type { PackedRaw } from './raw.ts';
import type { Database } from './schema.ts';

/**
 * An aggregate report to store. `records` may be an array, an iterable, or an async iterable of
 * records or batches of records (as objects, or their rows made on a read thread), so a
 * streaming parser can feed the store while it reads.
 * `extensions` and `warnings` are read after the last record: a streaming parser may fill them
 * in as it goes.
 */
export interface AggregateReportInput extends AggregateReportHeader {
  records:
    | Iterable<AggregateRecord>
    | AsyncIterable<AggregateRecord | readonly AggregateRecord[] | PreparedRows>;
  extensions?: readonly ExtensionNode[];
  warnings?: readonly ReportWarning[];
}

/** A parsed aggregate report, its raw bytes and where it came from, for insertAggregateReports. */
export type AggregateBatchItem = {
  report: AggregateReportHeader & {
    /** The records, or their rows made ahead for this store's engine (on a read thread, in bulk). */
    records: readonly AggregateRecord[] | PreparedRecords;
    extensions?: readonly ExtensionNode[];
    warnings?: readonly ReportWarning[];
  };
  source: ReportSource;
} & (
  | { raw: Uint8Array; packed?: undefined }
  /** The raw bytes hashed and compressed already (on another thread): unpacked only if needed again. */
  | { raw?: undefined; packed: PackedRaw }
);

/** Where an input came from. */
export interface ReportSource {
  /** For people: a path, `mail.eml > attachment 2 report.zip > entry a.xml`, an IMAP URL... */
  description: string;
  /** When it arrived (the mail's date, the file's mtime), seconds since the epoch, if known. */
  receivedAt?: number | null;
}

/** Why an input could not be read (a ReportError fits). */
export interface QuarantineReason {
  code: string;
  /** In English, as the entry is kept (the words of a version that no longer knows its codes). */
  message: string;
  /** The failures it was said from (at most QUARANTINE_MAX_REASONS), to say them in any language. */
  details?: QuarantineDetails;
}

/** Why an input gave no report, kept as codes and values: said in the reader's language when shown. */
export interface QuarantineDetails {
  failures: QuarantineFailure[];
  /** Failures beyond those kept. */
  more: number;
}

/** One failure of a quarantined input: a ReportError's or a StoreInputError's code and values, and where. */
export interface QuarantineFailure {
  kind: 'report' | 'store';
  code: string;
  args: Record<string, string | number>;
  /** The part of the input it was in (a ReportError's provenance). */
  provenance?: string;
  source: string;
}

/**
 * `stored`: new; `duplicate`: already in the store (`id`), nothing counted again. For an
 * aggregate report `records` and `messages` are its records and the sum of their counts; for a
 * TLS report its policies and sessions; 0 for failure reports and the quarantine. `copy`: an
 * aggregate or TLS report stored already whose bytes differed from these; they were kept beside
 * it (report_copies, tls_report_copies), with this id. `gained`: these bytes were the fuller
 * copy of aggregate report `id` (counted.ts) and are counted now in place of the copy stored
 * before, whose bytes are copy `copy`; what its records and messages grew by.
 */
export type InsertOutcome =
  | { status: 'stored'; id: number; records: number; messages: number }
  | { status: 'duplicate'; id: number; copy?: number; gained?: { records: number; messages: number } };

/** One report's outcome in a batch: stored, duplicate, or the value the store refused. */
export type BatchOutcome = InsertOutcome | StoreInputError;

/** Whose raw bytes: a report of each kind, a quarantined input, another copy of an aggregate or TLS report. */
export type RawKind = 'aggregate' | 'failure' | 'tls' | 'quarantine' | 'copy' | 'tls-copy';

export interface StoredReportSummary {
  id: number;
  orgName: string;
  reportId: string;
  policyDomain: string;
  begin: number;
  end: number;
  recordCount: number;
  messageCount: number;
  rawSha256: string;
  source: string;
  receivedAt: number | null;
  ingestedAt: number;
}

/** A stored aggregate report, read back in the reports layer's shape. */
export interface StoredAggregateReport extends AggregateReportHeader {
  id: number;
  records: AggregateRecord[];
  recordCount: number;
  messageCount: number;
  extensions: ExtensionNode[];
  warnings: ReportWarning[];
  rawSha256: string;
  source: string;
  receivedAt: number | null;
  ingestedAt: number;
  /** Other copies received of this report, with other bytes (raw kind `copy`), oldest first. */
  copies: StoredReportCopy[];
}

/** Another copy of a stored aggregate or TLS report: its bytes differed (see InsertOutcome). */
export interface StoredReportCopy {
  id: number;
  rawSha256: string;
  rawSize: number;
  source: string;
  receivedAt: number | null;
  ingestedAt: number;
}

export interface StoredFailureReport extends FailureReport {
  id: number;
  rawSha256: string;
  source: string;
  receivedAt: number | null;
  ingestedAt: number;
}

export interface StoredTlsReport extends TlsReport {
  id: number;
  rawSha256: string;
  source: string;
  receivedAt: number | null;
  ingestedAt: number;
  /** Other copies received of this report (same organisation and report ID, other bytes; raw kind `tls-copy`). */
  copies: StoredReportCopy[];
}

export interface QuarantineEntry {
  id: number;
  rawSha256: string;
  rawSize: number;
  source: string;
  errorCode: string;
  errorMessage: string;
  /** What errorMessage was said from; null for entries kept before 0016. */
  errorDetails: QuarantineDetails | null;
  firstSeenAt: number;
  lastSeenAt: number;
  /** How many times these same bytes were quarantined. */
  times: number;
  /**
   * Every place these bytes came from, the latest first (`source` is the first of them), at most
   * QUARANTINE_SOURCES_LISTED; `sourceCount` counts them all.
   */
  sources: string[];
  sourceCount: number;
}

export interface StoreCounts {
  /** Aggregate reports. */
  reports: number;
  records: number;
  /** Sum of the aggregate records' counts. */
  messages: number;
  failureReports: number;
  tlsReports: number;
  quarantined: number;
}

export interface ListReportsOptions {
  /** Policy domain, exactly as published in the reports. */
  domain?: string;
  /** Reports whose window ends after this time (seconds since the epoch). */
  since?: number;
  /** Reports whose window begins before this time. */
  until?: number;
  /** At most this many, newest window first; LIST_REPORTS_DEFAULT_LIMIT when unset. */
  limit?: number;
}

export interface InsertOptions {
  /** Keep the rollup (source_rollup) up to date (default true). False only for measuring its cost. */
  rollup?: boolean;
}

/**
 * One aggregate report being written, inside its own transaction, for a parser that pushes
 * records (parseAggregateReport's onRecord). Await each call. Any error rolls the report back;
 * a writer neither committed nor aborted keeps its transaction (and, on SQLite, the database)
 * busy, so callers abort in a `finally`.
 */
export interface AggregateReportWriter {
  add(record: AggregateRecord | readonly AggregateRecord[] | PreparedRows): Promise<void>;
  /**
   * Writes what is left, updates the rollup, stores the raw bytes, commits. Another copy of a
   * stored report is a duplicate: counted in its place if it is the fuller one (`gained`), else
   * rolled back and kept as a copy.
   */
  commit(trailer?: {
    extensions?: readonly ExtensionNode[];
    warnings?: readonly ReportWarning[];
  }): Promise<InsertOutcome>;
  /** Rolls the report back; does nothing once committed or aborted. */
  abort(): Promise<void>;
}

/** Runs a long run of writes (see Store.writingInBulk). */
export type BulkWrites = <T>(work: () => Promise<T>) => Promise<T>;

export interface Store {
  readonly engine: EngineKind;
  /**
   * The files the store keeps its data in (SQLite's database, its WAL and shared memory), so that
   * an ingest of a folder holding them does not read them as inputs; none for PostgreSQL.
   */
  readonly files: readonly string[];
  /**
   * Aborts once a write finds the store migrated by a newer Sumi since it was opened, its reason
   * the StoreAccessError (`sqlite-newer`, `postgres-newer`) that write and every one after it are
   * refused with (newer-guard.ts): a long-running command stops on it.
   */
  readonly outdated: AbortSignal;
  /**
   * Runs `work`, a long run of writes such as the ingest of many inputs, with the engine set up
   * for it: on SQLite the WAL is checkpointed by a thread of its own meanwhile, and batches stage
   * their rollup sums, folded into the rollup when the last run ends (and every
   * ROLLUP_FOLD_EVERY_MS). Calls may nest or overlap.
   */
  writingInBulk: BulkWrites;
  /**
   * What a stopped bulk ingest left for the rollup, for a process that keeps the store open, such
   * as `sumi serve`, while an ingest beside it is killed. Called periodically. SQLite: adds the
   * sums it left staged (rollup_pending) once they have waited longer than a live run lets them
   * wait (it folds them at least every ROLLUP_FOLD_EVERY_MS); returns the staged rows folded.
   * PostgreSQL: compacts the slices it left uncompacted, looking at most every
   * ROLLUP_SWEEP_EVERY_MS; returns the slices compacted.
   */
  foldAbandonedRollup(): Promise<number>;
  /**
   * The query builder, for the questions this interface does not ask (analysis). On PostgreSQL
   * a text value holding U+0000 or U+FFFF reads escaped (see encodeText in engine.ts).
   */
  readonly db: Kysely<Database>;
  /**
   * Stores one aggregate report in one transaction: all of it or, on any error, none of it.
   * The same reporter org + report ID + policy domain again is a duplicate: the same bytes
   * write nothing; other bytes are kept as a copy, or counted in place of the stored copy when
   * they are the fuller one (counted.ts). Throws StoreInputError for a value the store will not keep (see its codes).
   */
  insertAggregateReport(
    report: AggregateReportInput,
    raw: Uint8Array,
    source: ReportSource,
    options?: InsertOptions,
  ): Promise<InsertOutcome>;
  /**
   * Stores parsed aggregate reports together (one transaction for the batch), each still all or
   * nothing: a report with a value the store refuses gets its StoreInputError in its place and
   * the others are stored. Outcomes are in the order of `items`.
   */
  insertAggregateReports(
    items: readonly AggregateBatchItem[],
    options?: InsertOptions,
  ): Promise<BatchOutcome[]>;
  /**
   * Opens the transaction of one aggregate report: a writer to feed its records to, for a new
   * report or another copy of a stored one (decided at commit, see counted.ts), or the duplicate
   * outcome of bytes stored already (nothing written, nothing left open).
   */
  openAggregateReport(
    header: AggregateReportHeader,
    raw: Uint8Array,
    source: ReportSource,
    options?: InsertOptions,
  ): Promise<AggregateReportWriter | Extract<InsertOutcome, { status: 'duplicate' }>>;
  /** Stores a failure report; the same raw bytes again are a duplicate. */
  /** `raw`: the report mail's bytes, or already packed (by a read thread). */
  insertFailureReport(
    report: FailureReport,
    raw: Uint8Array | PackedRaw,
    source: ReportSource,
  ): Promise<InsertOutcome>;
  /** Stores an SMTP TLS report; the same raw bytes, or organization + report ID again, are a duplicate. */
  insertTlsReport(report: TlsReport, raw: Uint8Array, source: ReportSource): Promise<InsertOutcome>;
  /**
   * Keeps an input that could not be read; the same bytes again only update its reason,
   * last-seen time and count. `again`: the input was read again from the quarantine, not
   * received: its count and last-seen time stay.
   */
  quarantine(
    raw: Uint8Array,
    source: ReportSource,
    error: QuarantineReason,
    options?: { again?: boolean },
  ): Promise<InsertOutcome>;
  /** The raw bytes stored with a report or quarantined input, decompressed; undefined when no such id. */
  getRawReport(id: number, kind?: RawKind): Promise<Buffer | undefined>;
  /** Where these raw bytes (sha256, hex) are stored already: ingest can skip parsing them again. */
  findRaw(sha256: string): Promise<{ kind: RawKind; id: number }[]>;
  countReports(): Promise<StoreCounts>;
  listReports(options?: ListReportsOptions): Promise<StoredReportSummary[]>;
  getAggregateReport(id: number): Promise<StoredAggregateReport | undefined>;
  getFailureReport(id: number): Promise<StoredFailureReport | undefined>;
  getTlsReport(id: number): Promise<StoredTlsReport | undefined>;
  /** Quarantined inputs, the latest first, from `offset` on; `ids`: only these. */
  listQuarantine(options?: {
    limit?: number;
    offset?: number;
    ids?: readonly number[];
  }): Promise<QuarantineEntry[]>;
  /**
   * Takes an input out of the quarantine once it has been read again and gave its reports.
   * Not if it was quarantined again since `entry` was listed (its count changed): true when
   * taken out, or gone already.
   */
  releaseQuarantined(entry: Pick<QuarantineEntry, 'id' | 'times'>): Promise<boolean>;
  /**
   * Deletes what has been kept longer than wanted (prune.ts): aggregate reports with their
   * records, copies and rollup sums, SMTP TLS reports, failure reports, quarantined inputs.
   */
  prune(options: PruneOptions): Promise<PruneTotals>;
  close(): Promise<void>;
}

/** What to delete: each kind kept before its epoch second; a kind not given is kept. */
export interface PruneOptions {
  /** Aggregate and SMTP TLS reports whose period ended before this. */
  reportsBefore?: number;
  /** Failure reports that arrived before this (by their Arrival-Date, else when received or stored). */
  failureReportsBefore?: number;
  /** Quarantined inputs last seen before this. */
  quarantineBefore?: number;
  /** Count what would go, delete nothing. */
  dryRun?: boolean;
  /** Stops after the batch under way. */
  signal?: AbortSignal;
  /** After each batch: the totals so far. */
  onProgress?: (totals: PruneTotals) => void;
}

export interface PruneTotals {
  aggregateReports: number;
  /** Their records, and the messages those counted. */
  records: number;
  messages: number;
  tlsReports: number;
  failureReports: number;
  quarantined: number;
}

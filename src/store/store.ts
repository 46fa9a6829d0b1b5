import { type Kysely, type SqlBool, sql } from 'kysely';
import { isoSeconds } from '../reports/aggregate.ts';
import type {
  AggregateReportHeader,
  ExtensionNode,
  FailureReport,
  HeaderField,
  ReportWarning,
  TlsReport,
} from '../reports/types.ts';
import { RECORD_COLUMNS, recordOfRow, reportRow } from './aggregate-rows.ts';
import { insertAggregateBatch } from './batch.ts';
import {
  type CopiesTable,
  duplicateOutcome,
  forgetCopy,
  keepCountedAsCopy,
  keepReportCopy,
  listReportCopies,
} from './copies.ts';
import { countsOver, isKeptCopy, recountedOutcome, storedCopy } from './counted.ts';
import { type ColumnSpec, type EngineKind, RowWriter } from './engine.ts';
import { StoreInputError } from './errors.ts';
import { firstFreeId, raiseIdFloor } from './ids.ts';
import { pruneStore } from './prune.ts';
import { type PackedRaw, packRaw, rawColumns, sha256Hex, unpackRaw } from './raw.ts';
import {
  compactRollup,
  foldPendingRollup,
  RollupAccumulator,
  type RollupSlice,
  type RollupTarget,
  type RollupWritten,
  uncompactedSlices,
} from './rollup.ts';
import { AppendedSlices } from './rollup-appends.ts';
import { rollupDay, rollupReportOfRow } from './rollup-key.ts';
import type { Database } from './schema.ts';
import { decodeText, encodeJson, encodeOptionalText } from './text.ts';
import type {
  AggregateBatchItem,
  AggregateReportInput,
  AggregateReportWriter,
  BatchOutcome,
  BulkWrites,
  InsertOptions,
  InsertOutcome,
  ListReportsOptions,
  PruneOptions,
  PruneTotals,
  QuarantineDetails,
  QuarantineEntry,
  QuarantineReason,
  RawKind,
  ReportSource,
  Store,
  StoreCounts,
  StoredAggregateReport,
  StoredFailureReport,
  StoredReportCopy,
  StoredReportSummary,
  StoredTlsReport,
} from './types.ts';
import { flag, integer, lookupDomain, lookupDomains, now, optionalInteger } from './values.ts';
import { AggregateWriter, releaseFromQuarantine } from './writer.ts';

export { rollupDay };

/**
 * During a bulk ingest, the pending rollup rows (rollup_pending) are folded into source_rollup
 * once this many were staged, and at least this often, so that the dashboard follows a long
 * import and the fold's sort stays small.
 */
export const ROLLUP_FOLD_PENDING_ROWS = 200_000;
export const ROLLUP_FOLD_EVERY_MS = 30_000;

/**
 * PostgreSQL: how often foldAbandonedRollup looks through the whole rollup for slices a stopped
 * bulk ingest left uncompacted (one grouped scan: seconds on a large store, so not at every call).
 */
export const ROLLUP_SWEEP_EVERY_MS = 6 * 3_600_000;

/** Reports listed when the caller sets no limit. */
export const LIST_REPORTS_DEFAULT_LIMIT = 1_000;
/** Quarantined inputs listed when the caller sets no limit. */
export const LIST_QUARANTINE_DEFAULT_LIMIT = 1_000;
/** Places a quarantine entry lists its bytes came from, the latest first (QuarantineEntry.sources). */
export const QUARANTINE_SOURCES_LISTED = 20;

/** A failure report's Reported-Domains written per statement (within SQLite's parameter limit). */
const FAILURE_DOMAINS_PER_INSERT = 1_000;

const RAW_TABLE: Record<RawKind, 'reports' | 'failure_reports' | 'tls_reports' | 'quarantine' | CopiesTable> =
  {
    aggregate: 'reports',
    failure: 'failure_reports',
    tls: 'tls_reports',
    quarantine: 'quarantine',
    copy: 'report_copies',
    'tls-copy': 'tls_report_copies',
  };

const TLS_POLICY_COLUMNS: ColumnSpec[] = [
  ['tls_report_id', 'int'],
  ['policy_index', 'int'],
  ['policy_type', 'text'],
  ['policy_string', 'text'],
  ['policy_domain', 'text'],
  ['mx_host', 'text'],
  ['total_successful_session_count', 'int'],
  ['total_failure_session_count', 'int'],
];
const TLS_DETAIL_COLUMNS: ColumnSpec[] = [
  ['tls_report_id', 'int'],
  ['policy_index', 'int'],
  ['detail_index', 'int'],
  ['result_type', 'text'],
  ['sending_mta_ip', 'text'],
  ['receiving_mx_hostname', 'text'],
  ['receiving_mx_helo', 'text'],
  ['receiving_ip', 'text'],
  ['failed_session_count', 'int'],
  ['additional_information', 'text'],
  ['failure_reason_code', 'text'],
];

function sessionCount(value: number, where: { policy: number; detail?: number; field: string }): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new StoreInputError('invalid-count', { ...where, value });
  }
  return value;
}

/** Ends an unread records source (a parser's generator) so it can release what it holds. */
async function closeRecords(records: AggregateReportInput['records']): Promise<void> {
  if (Symbol.asyncIterator in records) await records[Symbol.asyncIterator]().return?.();
  else await records[Symbol.iterator]().return?.();
}

export class KyselyStore implements Store {
  /** For queries the Store interface does not offer (analysis); text holding a NUL reads escaped on PostgreSQL, see engine.ts. */
  readonly db: Kysely<Database>;
  readonly engine: EngineKind;
  readonly #onClose: () => Promise<void>;
  /** Reporter rows by org name (as stored): most reports come from a few dozen reporters. */
  readonly #reporters = new Map<
    string,
    { id: number; email: string | null; extra_contact_info: string | null }
  >();
  /** Shared by this store's report writers: each keeps the SQL text of its statements. */
  readonly writers: {
    records: RowWriter;
    tlsPolicies: RowWriter;
    tlsDetails: RowWriter;
  };

  readonly writingInBulk: BulkWrites;
  /**
   * Runs of writingInBulk under way: while there are any, batches stage their rollup sums
   * (SQLite) or leave the slices they append to for the folds (PostgreSQL: those that need it
   * are compacted).
   */
  #bulkRuns = 0;
  /** PostgreSQL: the slices of source_rollup written during the bulk runs, for the folds to compact those that need it. */
  readonly #appended = new AppendedSlices();
  /** Rows staged (or on PostgreSQL appended) since the last fold, and when that was. */
  #staged = { rows: 0, since: 0 };
  /** The last fold asked for (settled once it has run): the next one runs after it. */
  #folding: Promise<number> = Promise.resolve(0);
  /** The oldest staged rollup row seen by foldAbandonedRollup, and since when. */
  #oldestStaged: { id: number; since: number } | undefined;
  /** PostgreSQL: when foldAbandonedRollup last looked for uncompacted slices. */
  #sweptAt: number | undefined;

  readonly outdated: AbortSignal;

  constructor(
    db: Kysely<Database>,
    engine: EngineKind,
    outdated: AbortSignal,
    onClose: () => Promise<void>,
    engineBulk: BulkWrites = (work) => work(),
    readonly files: readonly string[] = [],
  ) {
    this.db = db;
    this.engine = engine;
    this.outdated = outdated;
    this.#onClose = onClose;
    this.writingInBulk = (work) =>
      engineBulk(async () => {
        if (this.#bulkRuns++ === 0) this.#staged = { rows: 0, since: Date.now() };
        let result: Awaited<ReturnType<typeof work>>;
        try {
          result = await work();
        } catch (error) {
          // The error that stopped the work is the one to report; rows the fold could not
          // take now are folded when the store is next opened (SQLite), or stay apart, summed
          // by every reader, until their slice is written again (PostgreSQL).
          if (--this.#bulkRuns === 0) await this.#closingFold().catch(() => undefined);
          throw error;
        }
        if (--this.#bulkRuns === 0) await this.#closingFold();
        return result;
      });
    this.writers = {
      records: new RowWriter(engine, 'records', RECORD_COLUMNS),
      tlsPolicies: new RowWriter(engine, 'tls_policies', TLS_POLICY_COLUMNS),
      tlsDetails: new RowWriter(engine, 'tls_failure_details', TLS_DETAIL_COLUMNS),
    };
  }

  /** Text as the engine keeps it. */
  text(value: string): string;
  text(value: string | null): string | null;
  text(value: string | null): string | null {
    return encodeOptionalText(this.engine, value);
  }

  /** JSON text of a list, or null for an empty one when `emptyIsNull`. */
  json(value: readonly unknown[], emptyIsNull: true): string | null;
  json(value: readonly unknown[]): string;
  json(value: readonly unknown[], emptyIsNull = false): string | null {
    return emptyIsNull ? encodeJson(this.engine, value, true) : encodeJson(this.engine, value);
  }

  #read(value: string): string;
  #read(value: string | null): string | null;
  #read(value: string | null): string | null {
    return value === null ? null : decodeText(this.engine, value);
  }

  #readJson<T>(value: string | null): T[] {
    return value === null ? [] : (JSON.parse(this.#read(value)) as T[]);
  }

  async insertAggregateReport(
    report: AggregateReportInput,
    raw: Uint8Array,
    source: ReportSource,
    options: InsertOptions = {},
  ): Promise<InsertOutcome> {
    let writer: AggregateReportWriter;
    try {
      const opened = await this.openAggregateReport(report, raw, source, options);
      if (!('add' in opened)) {
        await closeRecords(report.records);
        return opened;
      }
      writer = opened;
    } catch (error) {
      await closeRecords(report.records);
      throw error;
    }
    try {
      for await (const item of report.records) await writer.add(item);
      return await writer.commit({ extensions: report.extensions, warnings: report.warnings });
    } catch (error) {
      // The records source itself failed (a parse error midway): nothing of the report stays.
      await writer.abort().catch(() => {});
      throw error;
    }
  }

  /**
   * Where a batch's rollup sums go now: staged in rollup_pending during a bulk run on SQLite.
   * PostgreSQL appends them to source_rollup in the batch's own transaction (rollup.ts).
   */
  get rollupTarget(): RollupTarget {
    return this.#bulkRuns > 0 && this.engine === 'sqlite' ? 'rollup_pending' : 'source_rollup';
  }

  /** A rollup accumulator for a writing transaction, keeping what rollupWritten will need of it. */
  rollupAccumulator(target: RollupTarget = 'source_rollup'): RollupAccumulator {
    const postgres = this.engine === 'postgres';
    return new RollupAccumulator(this.engine, (value) => this.text(value), {
      target,
      sources: postgres && this.#bulkRuns === 0,
      appends: postgres && this.#bulkRuns > 0,
    });
  }

  /**
   * Called in a writing transaction, after its rollup rows were written. PostgreSQL: during a
   * bulk run their slices are compacted by the run's folds (at least at its end: merging while
   * batches append would read the same slices again and again); otherwise now, in the
   * transaction, and only the keys of the source addresses it wrote when they are few. SQLite
   * keeps one row per key as it writes.
   */
  async rollupWritten(trx: Kysely<Database>, { slices, sources, appends }: RollupWritten): Promise<void> {
    if (this.engine !== 'postgres' || slices.length === 0) return;
    if (this.#bulkRuns === 0) return compactRollup(trx, slices, sources);
    // What was appended tells the folds whether the slices need compacting (rollup-appends.ts);
    // an accumulator made before the run began kept nothing of it.
    if (appends) this.#appended.add(appends);
    else this.#appended.compact(slices);
  }

  /**
   * PostgreSQL, during a bulk run: the slices of stored reports met again are compacted by its
   * folds too. A run killed before its end left its slices uncompacted; running its inputs again
   * finds their reports stored, and so compacts what it left.
   */
  rollupRevisited(slices: readonly RollupSlice[]): void {
    if (this.engine === 'postgres' && this.#bulkRuns > 0) this.#appended.compact(slices);
  }

  /** After a batch staged or appended `rows` rollup rows (committed): folds them when enough are waiting, or long enough. */
  async rollupStaged(rows: number): Promise<void> {
    this.#staged.rows += rows;
    if (
      this.#staged.rows >= ROLLUP_FOLD_PENDING_ROWS ||
      Date.now() - this.#staged.since >= ROLLUP_FOLD_EVERY_MS
    ) {
      await this.foldRollup();
    }
  }

  async foldAbandonedRollup(): Promise<number> {
    if (this.engine === 'postgres') return this.#sweepUncompacted();
    const { id } = await this.db
      .selectFrom('rollup_pending')
      .select((eb) => eb.fn.min('id').as('id'))
      .executeTakeFirstOrThrow();
    if (id === null) {
      this.#oldestStaged = undefined;
      return 0;
    }
    const now = Date.now();
    if (this.#oldestStaged?.id !== id) {
      this.#oldestStaged = { id, since: now };
      return 0;
    }
    // A live run would have folded this row by now.
    if (now - this.#oldestStaged.since < 2 * ROLLUP_FOLD_EVERY_MS) return 0;
    this.#oldestStaged = undefined;
    return this.foldRollup();
  }
  /**
   * PostgreSQL's foldAbandonedRollup: at most every ROLLUP_SWEEP_EVERY_MS, the slices a stopped
   * bulk ingest left uncompacted are compacted (safe beside live appends and compactions:
   * compactRollup); returns how many.
   */
  async #sweepUncompacted(): Promise<number> {
    const now = Date.now();
    if (this.#sweptAt !== undefined && now - this.#sweptAt < ROLLUP_SWEEP_EVERY_MS) return 0;
    this.#sweptAt = now;
    const slices = await uncompactedSlices(this.db);
    if (slices.length > 0) await compactRollup(this.db, slices);
    return slices.length;
  }

  /**
   * SQLite: folds every pending rollup row into source_rollup (foldPendingRollup) and returns how
   * many. PostgreSQL: compacts those of the slices the bulk runs wrote to since the last fold
   * that need it (rollup-appends.ts, compactRollup) and returns 0. Asked for while a fold runs, it runs after that one, whatever
   * its outcome: rows committed since it began are folded too.
   */
  /** A bulk run's last fold; what was noted of its appends is then forgotten. */
  async #closingFold(): Promise<void> {
    await this.foldRollup();
    if (this.#bulkRuns === 0) this.#appended.ended();
  }

  foldRollup(): Promise<number> {
    const fold = async () => {
      this.#staged = { rows: 0, since: Date.now() };
      if (this.engine === 'sqlite') return foldPendingRollup(this.db);
      // The reports are committed and their sums right whether or not their keys are merged: a
      // compaction that fails (the server gone, a role refused DELETE) fails no ingest; its
      // slices wait for the next fold.
      let slices: RollupSlice[] = [];
      try {
        slices = await this.#appended.toCompact(this.db);
        await compactRollup(this.db, slices);
      } catch {
        this.#appended.compact(slices);
      }
      return 0;
    };
    const next = this.#folding.then(fold, fold);
    this.#folding = next.catch(() => 0);
    return next;
  }

  async insertAggregateReports(
    items: readonly AggregateBatchItem[],
    options: InsertOptions = {},
  ): Promise<BatchOutcome[]> {
    return insertAggregateBatch(this, items, options);
  }

  async openAggregateReport(
    header: AggregateReportHeader,
    raw: Uint8Array,
    source: ReportSource,
    options: InsertOptions = {},
  ): Promise<AggregateReportWriter | Extract<InsertOutcome, { status: 'duplicate' }>> {
    const sha256 = sha256Hex(raw);
    // The raw bytes are compressed while the records are written and stored at commit.
    const row = reportRow(this, await this.reporterId(header.reporter), header, source, {
      sha256,
      size: raw.length,
      encoding: 'identity',
      data: Buffer.alloc(0),
    });
    const trx = await this.db.startTransaction().execute();
    try {
      const key = {
        reporter_id: row.reporter_id,
        report_id: row.report_id,
        policy_domain: row.policy_domain,
      };
      const id = await firstFreeId(trx, this.engine, 'reports');
      // The unique key decides, not a prior SELECT: two writers racing on the same report
      // (PostgreSQL) serialise on the key, and the second finds a duplicate.
      const inserted = await trx
        .insertInto('reports')
        .values(id === undefined ? row : { id, ...row })
        .onConflict((oc) => oc.columns(['reporter_id', 'report_id', 'policy_domain']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) {
        const stored = await storedCopy(trx, key, this.engine === 'postgres');
        // The same bytes, or bytes kept already as a copy of it: nothing to write or keep.
        if (sha256 === stored.sha256 || (await isKeptCopy(trx, stored.id, sha256))) {
          await trx.rollback().execute();
          return duplicateOutcome(stored.id, undefined);
        }
        // Other content: written in place of the stored copy's records, it is counted instead
        // if it turns out the fuller copy (the writer decides at commit, once it is read whole).
        const writer = new AggregateWriter(this, trx, stored.id, {
          rollupReport: rollupReportOfRow(row),
          raw,
          sha256,
          rollup: options.rollup ?? true,
          contest: { stored, row },
        });
        await writer.withdraw();
        return writer;
      }
      return new AggregateWriter(this, trx, inserted.id, {
        rollupReport: rollupReportOfRow(row),
        raw,
        sha256,
        rollup: options.rollup ?? true,
      });
    } catch (error) {
      await trx.rollback().execute();
      throw error;
    }
  }

  /**
   * Outside the report's transaction on purpose: on PostgreSQL a reporter row written inside it
   * would be locked until the report commits, serialising every concurrent report from the same
   * reporter. A reporter row without reports is harmless.
   */
  async reporterId(reporter: AggregateReportHeader['reporter']): Promise<number> {
    const orgName = this.text(reporter.orgName);
    const email = this.text(reporter.email);
    const extra = this.text(reporter.extraContactInfo);
    let known = this.#reporters.get(orgName);
    if (!known) {
      const inserted = await this.db
        .insertInto('reporters')
        .values({ org_name: orgName, email, extra_contact_info: extra })
        .onConflict((oc) => oc.column('org_name').doNothing())
        .returning(['id', 'email', 'extra_contact_info'])
        .executeTakeFirst();
      known =
        inserted ??
        (await this.db
          .selectFrom('reporters')
          .select(['id', 'email', 'extra_contact_info'])
          .where('org_name', '=', orgName)
          .executeTakeFirstOrThrow());
      this.#reporters.set(orgName, known);
    }
    // Some reports from an organisation omit contact details others carry: fill the gaps.
    if ((known.email === null && email !== null) || (known.extra_contact_info === null && extra !== null)) {
      known = await this.db
        .updateTable('reporters')
        .set((eb) => ({
          email: eb.fn.coalesce('email', eb.val(email)),
          extra_contact_info: eb.fn.coalesce('extra_contact_info', eb.val(extra)),
        }))
        .where('id', '=', known.id)
        .returning(['id', 'email', 'extra_contact_info'])
        .executeTakeFirstOrThrow();
      this.#reporters.set(orgName, known);
    }
    return known.id;
  }

  async insertFailureReport(
    report: FailureReport,
    raw: Uint8Array | PackedRaw,
    source: ReportSource,
  ): Promise<InsertOutcome> {
    const packed = raw instanceof Uint8Array ? await packRaw(raw) : raw;
    const original = report.original;
    const row = {
      format: this.text(report.format),
      feedback_type: this.text(report.feedbackType),
      user_agent: this.text(report.userAgent),
      version: this.text(report.version),
      auth_failure: this.text(report.authFailure),
      identity_alignment: this.text(report.identityAlignment),
      delivery_result: this.text(report.deliveryResult),
      arrival_date: this.text(report.arrivalDate),
      arrival_time: optionalInteger(report.arrivalTime, 'Arrival-Date'),
      source_ip: this.text(report.sourceIp),
      source_port: optionalInteger(report.sourcePort, 'Source-Port'),
      reporting_mta: this.text(report.reportingMta),
      original_envelope_id: this.text(report.originalEnvelopeId),
      original_mail_from: this.text(report.originalMailFrom),
      original_rcpt_to: this.json(report.originalRcptTo),
      reported_domain: this.text(lookupDomain(report.reportedDomains[0])),
      reported_domains: this.json(report.reportedDomains),
      reported_uris: this.json(report.reportedUris),
      authentication_results: this.json(report.authenticationResults),
      incidents: optionalInteger(report.incidents, 'Incidents'),
      dkim_domain: this.text(report.dkimDomain),
      dkim_identity: this.text(report.dkimIdentity),
      dkim_selector: this.text(report.dkimSelector),
      spf_dns: this.text(report.spfDns),
      fields: this.json(report.fields),
      original_form: this.text(original?.form ?? null),
      original_headers: original ? this.json(original.headers) : null,
      original_from: this.text(original?.from ?? null),
      original_to: this.text(original?.to ?? null),
      original_subject: this.text(original?.subject ?? null),
      original_date: this.text(original?.date ?? null),
      original_message_id: this.text(original?.messageId ?? null),
      redacted: original ? flag(original.redacted) : null,
      original_body: this.text(original?.body ?? null),
      original_urls: original ? this.json(original.urls) : null,
      description: this.text(report.description),
      missing: this.json(report.missing),
      warnings: this.json(report.warnings, true),
      mail_from: this.text(report.mail.from),
      mail_subject: this.text(report.mail.subject),
      mail_date: this.text(report.mail.date),
      mail_message_id: this.text(report.mail.messageId),
      ...this.#sourceColumns(source),
      ...rawColumns(packed),
    };
    return this.db.transaction().execute(async (trx) => {
      const again = await sameFailureReport(trx, row);
      if (again !== undefined) return { status: 'duplicate', id: again };
      const id = await firstFreeId(trx, this.engine, 'failure_reports');
      const inserted = await trx
        .insertInto('failure_reports')
        .values(id === undefined ? row : { id, ...row })
        .onConflict((oc) => oc.column('raw_sha256').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) return { status: 'duplicate', id: await idBySha(trx, 'failure_reports', packed.sha256) };
      const domains = lookupDomains(report.reportedDomains);
      for (let i = 0; i < domains.length; i += FAILURE_DOMAINS_PER_INSERT)
        await trx
          .insertInto('failure_report_domains')
          .values(
            domains
              .slice(i, i + FAILURE_DOMAINS_PER_INSERT)
              .map((domain) => ({ failure_report_id: inserted.id, domain: this.text(domain) })),
          )
          .execute();
      await releaseFromQuarantine(trx, this.engine, packed.sha256);
      return { status: 'stored', id: inserted.id, records: 0, messages: 0 };
    });
  }

  async insertTlsReport(report: TlsReport, raw: Uint8Array, source: ReportSource): Promise<InsertOutcome> {
    const packed = await packRaw(raw);
    const organizationName = this.text(report.organizationName);
    const reportId = this.text(report.reportId);
    const policies: unknown[] = [];
    const details: unknown[] = [];
    let sessions = 0;
    report.policies.forEach((policy, p) => {
      const successful = sessionCount(policy.totalSuccessfulSessionCount, {
        policy: p,
        field: 'total-successful-session-count',
      });
      const failed = sessionCount(policy.totalFailureSessionCount, {
        policy: p,
        field: 'total-failure-session-count',
      });
      sessions += successful + failed;
      if (!Number.isSafeInteger(sessions)) {
        throw new StoreInputError('message-total-too-large', { policy: p, field: 'session-count' });
      }
      policies.push(
        null,
        p,
        this.text(policy.policyType),
        this.json(policy.policyString),
        this.text(lookupDomain(policy.policyDomain)),
        this.json(policy.mxHost),
        successful,
        failed,
      );
      policy.failureDetails.forEach((detail, d) => {
        details.push(
          null,
          p,
          d,
          this.text(detail.resultType),
          this.text(detail.sendingMtaIp),
          this.text(detail.receivingMxHostname),
          this.text(detail.receivingMxHelo),
          this.text(detail.receivingIp),
          sessionCount(detail.failedSessionCount, {
            policy: p,
            detail: d,
            field: 'failed-session-count',
          }),
          this.text(detail.additionalInformation),
          this.text(detail.failureReasonCode),
        );
      });
    });
    const copyColumns = { ...this.#sourceColumns(source), ...rawColumns(packed) };
    const row = {
      organization_name: organizationName,
      contact_info: this.text(report.contactInfo),
      report_id: reportId,
      date_begin: integer(report.window.begin, 'start-datetime'),
      date_end: integer(report.window.end, 'end-datetime'),
      warnings: this.json(report.warnings, true),
      ...copyColumns,
    };
    const standing = { messages: sessions, records: report.policies.length, sha256: packed.sha256 };
    return this.db.transaction().execute(async (trx) => {
      const free = await firstFreeId(trx, this.engine, 'tls_reports');
      const inserted = await trx
        .insertInto('tls_reports')
        .values(free === undefined ? row : { id: free, ...row })
        // Either key (same bytes, or same organisation and report ID) makes it a duplicate.
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .executeTakeFirst();
      let id = inserted?.id;
      let recounted: InsertOutcome | undefined;
      if (id === undefined) {
        // The same bytes (found first), else the same organisation and report ID with other bytes.
        const query = trx
          .selectFrom('tls_reports')
          .select(['id', 'raw_sha256'])
          .where((eb) =>
            eb.or([
              eb('raw_sha256', '=', packed.sha256),
              eb.and([eb('organization_name', '=', organizationName), eb('report_id', '=', reportId)]),
            ]),
          )
          .orderBy(sql`raw_sha256 = ${packed.sha256}`, 'desc');
        // Locked on PostgreSQL: fuller copies arriving together take the count over in turn.
        const existing = await (this.engine === 'postgres'
          ? query.forUpdate()
          : query
        ).executeTakeFirstOrThrow();
        const stored = { ...(await tlsStanding(trx, existing.id)), sha256: existing.raw_sha256 };
        if (existing.raw_sha256 === packed.sha256 || !countsOver(standing, stored)) {
          const copy = await keepReportCopy(trx, 'tls_report_copies', existing, copyColumns);
          return duplicateOutcome(existing.id, copy);
        }
        // The fuller copy (counted.ts): it takes the stored one's row, whose bytes become a copy.
        // Its own bytes may be a copy already, kept by a version that counted the first copy stored.
        id = existing.id;
        recounted = recountedOutcome(
          id,
          await keepCountedAsCopy(trx, 'tls_report_copies', id),
          standing,
          stored,
        );
        await forgetCopy(trx, 'tls_report_copies', id, packed.sha256);
        await trx.deleteFrom('tls_policies').where('tls_report_id', '=', id).execute();
        await trx.deleteFrom('tls_failure_details').where('tls_report_id', '=', id).execute();
        await trx.updateTable('tls_reports').set(row).where('id', '=', id).execute();
      }
      const width = TLS_POLICY_COLUMNS.length;
      for (let i = 0; i < policies.length; i += width) policies[i] = id;
      for (let i = 0; i < details.length; i += TLS_DETAIL_COLUMNS.length) details[i] = id;
      await this.writers.tlsPolicies.write(trx, policies);
      await this.writers.tlsDetails.write(trx, details);
      await releaseFromQuarantine(trx, this.engine, packed.sha256);
      return recounted ?? { status: 'stored', id, records: report.policies.length, messages: sessions };
    });
  }

  async quarantine(
    raw: Uint8Array,
    source: ReportSource,
    error: QuarantineReason,
    options: { again?: boolean } = {},
  ): Promise<InsertOutcome> {
    const packed = await packRaw(raw);
    const seenAt = now();
    const described = this.text(source.description);
    const row = await this.db.transaction().execute(async (trx) => {
      const id = await firstFreeId(trx, this.engine, 'quarantine');
      const entry = await trx
        .insertInto('quarantine')
        .values({
          ...(id === undefined ? {} : { id }),
          source: described,
          error_code: this.text(error.code),
          error_message: this.text(error.message),
          error_details: error.details === undefined ? null : this.text(JSON.stringify(error.details)),
          first_seen_at: seenAt,
          last_seen_at: seenAt,
          times: 1,
          ...rawColumns(packed),
        })
        // The same bytes failing again: keep one row, describing the latest failure.
        .onConflict((oc) =>
          oc.column('raw_sha256').doUpdateSet((eb) => ({
            source: eb.ref('excluded.source'),
            error_code: eb.ref('excluded.error_code'),
            error_message: eb.ref('excluded.error_message'),
            error_details: eb.ref('excluded.error_details'),
            ...(options.again
              ? {}
              : { last_seen_at: eb.ref('excluded.last_seen_at'), times: eb('quarantine.times', '+', 1) }),
          })),
        )
        .returning(['id', 'times'])
        .executeTakeFirstOrThrow();
      // Where these bytes came from this time, beside the other places they came from. A retry
      // reads them from the entry itself: no new place.
      if (!options.again) {
        const seenAgain = await trx
          .updateTable('quarantine_sources')
          .set({ seen_at: seenAt })
          .where('quarantine_id', '=', entry.id)
          .where('source', '=', described)
          .executeTakeFirst();
        if (Number(seenAgain.numUpdatedRows) === 0)
          await trx
            .insertInto('quarantine_sources')
            .values({ quarantine_id: entry.id, source: described, seen_at: seenAt })
            .execute();
      }
      return entry;
    });
    return row.times === 1
      ? { status: 'stored', id: row.id, records: 0, messages: 0 }
      : { status: 'duplicate', id: row.id };
  }

  #sourceColumns(source: ReportSource) {
    return {
      source: this.text(source.description),
      received_at: optionalInteger(source.receivedAt, 'Date'),
      ingested_at: now(),
    };
  }

  async getRawReport(id: number, kind: RawKind = 'aggregate'): Promise<Buffer | undefined> {
    const row = await this.db
      .selectFrom(RAW_TABLE[kind])
      .select(['raw', 'raw_encoding', 'raw_sha256'])
      .where('id', '=', id)
      .executeTakeFirst();
    return row && unpackRaw(row.raw, row.raw_encoding, row.raw_sha256);
  }

  async findRaw(sha256: string): Promise<{ kind: RawKind; id: number }[]> {
    const found: { kind: RawKind; id: number }[] = [];
    for (const kind of Object.keys(RAW_TABLE) as RawKind[]) {
      const rows = await this.db
        .selectFrom(RAW_TABLE[kind])
        .select('id')
        .where('raw_sha256', '=', sha256)
        .orderBy('id')
        .execute();
      for (const row of rows) found.push({ kind, id: row.id });
    }
    return found;
  }

  async countReports(): Promise<StoreCounts> {
    const { fn } = this.db;
    const aggregate = await this.db
      .selectFrom('reports')
      .select([
        fn.countAll<number>().as('reports'),
        fn.coalesce(fn.sum<number>('record_count'), sql<number>`0`).as('records'),
        fn.coalesce(fn.sum<number>('message_count'), sql<number>`0`).as('messages'),
      ])
      .executeTakeFirstOrThrow();
    const count = async (table: 'failure_reports' | 'tls_reports' | 'quarantine') =>
      Number(
        (await this.db.selectFrom(table).select(fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n,
      );
    return {
      reports: Number(aggregate.reports),
      records: Number(aggregate.records),
      messages: Number(aggregate.messages),
      failureReports: await count('failure_reports'),
      tlsReports: await count('tls_reports'),
      quarantined: await count('quarantine'),
    };
  }

  async listReports(options: ListReportsOptions = {}): Promise<StoredReportSummary[]> {
    let query = this.db
      .selectFrom('reports')
      .innerJoin('reporters', 'reporters.id', 'reports.reporter_id')
      .select([
        'reports.id',
        'reporters.org_name',
        'reports.report_id',
        'reports.policy_domain',
        'reports.date_begin',
        'reports.date_end',
        'reports.record_count',
        'reports.message_count',
        'reports.raw_sha256',
        'reports.source',
        'reports.received_at',
        'reports.ingested_at',
      ])
      .orderBy('reports.date_begin', 'desc')
      .orderBy('reports.id', 'desc')
      .limit(options.limit ?? LIST_REPORTS_DEFAULT_LIMIT);
    if (options.domain !== undefined)
      query = query.where('reports.policy_domain', '=', this.text(lookupDomain(options.domain)));
    if (options.since !== undefined) query = query.where('reports.date_end', '>', options.since);
    if (options.until !== undefined) query = query.where('reports.date_begin', '<', options.until);
    const rows = await query.execute();
    return rows.map((row) => ({
      id: row.id,
      orgName: this.#read(row.org_name),
      reportId: this.#read(row.report_id),
      policyDomain: this.#read(row.policy_domain),
      begin: row.date_begin,
      end: row.date_end,
      recordCount: row.record_count,
      messageCount: row.message_count,
      rawSha256: row.raw_sha256,
      source: this.#read(row.source),
      receivedAt: row.received_at,
      ingestedAt: row.ingested_at,
    }));
  }

  async getAggregateReport(id: number): Promise<StoredAggregateReport | undefined> {
    const row = await this.db
      .selectFrom('reports')
      .innerJoin('reporters', 'reporters.id', 'reports.reporter_id')
      .selectAll('reports')
      .select(['reporters.org_name', 'reporters.email', 'reporters.extra_contact_info'])
      .where('reports.id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    const records = (
      await this.db
        .selectFrom('records')
        .selectAll()
        .where('report_id', '=', id)
        .orderBy('record_index')
        .execute()
    ).map((r) => recordOfRow(this.engine, r));
    type Policy = AggregateReportHeader['policyPublished'];
    // The report's own contact; reports stored before migration 0010 show their org's.
    const [email, extraContactInfo] =
      row.reporter_contact === null
        ? [this.#read(row.email), this.#read(row.extra_contact_info)]
        : this.#readJson<string | null>(row.reporter_contact);
    return {
      id: row.id,
      version: this.#read(row.version),
      namespace: this.#read(row.namespace),
      reporter: {
        orgName: this.#read(row.org_name),
        email: email ?? null,
        extraContactInfo: extraContactInfo ?? null,
      },
      metadata: {
        reportId: this.#read(row.report_id),
        reportIdRaw: this.#read(row.report_id_raw),
        window: {
          begin: row.date_begin,
          end: row.date_end,
          beginIso: isoSeconds(row.date_begin),
          endIso: isoSeconds(row.date_end),
        },
        generator: this.#read(row.generator),
        errors: this.#readJson<string>(row.errors),
      },
      policyPublished: {
        domain: this.#read(row.policy_domain_raw ?? row.policy_domain),
        adkim: this.#read(row.adkim) as Policy['adkim'],
        aspf: this.#read(row.aspf) as Policy['aspf'],
        p: this.#read(row.p) as Policy['p'],
        sp: this.#read(row.sp) as Policy['sp'],
        np: this.#read(row.np) as Policy['np'],
        pct: row.pct,
        fo: this.#read(row.fo),
        testing: row.testing === null ? null : row.testing === 1,
        discoveryMethod: this.#read(row.discovery_method),
        psd: this.#read(row.psd) as Policy['psd'],
      },
      records,
      recordCount: row.record_count,
      messageCount: row.message_count,
      extensions: this.#readJson<ExtensionNode>(row.extensions),
      warnings: this.#readJson<ReportWarning>(row.warnings),
      rawSha256: row.raw_sha256,
      source: this.#read(row.source),
      receivedAt: row.received_at,
      ingestedAt: row.ingested_at,
      copies: await this.#copies('report_copies', id),
    };
  }

  async #copies(table: CopiesTable, reportId: number): Promise<StoredReportCopy[]> {
    return (await listReportCopies(this.db, table, reportId)).map((copy) => ({
      id: copy.id,
      rawSha256: copy.raw_sha256,
      rawSize: copy.raw_size,
      source: this.#read(copy.source),
      receivedAt: copy.received_at,
      ingestedAt: copy.ingested_at,
    }));
  }

  async getFailureReport(id: number): Promise<StoredFailureReport | undefined> {
    const row = await this.db
      .selectFrom('failure_reports')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    const read = (value: string | null) => this.#read(value);
    return {
      id: row.id,
      format: read(row.format) as FailureReport['format'],
      mail: {
        from: read(row.mail_from),
        subject: read(row.mail_subject),
        date: read(row.mail_date),
        messageId: read(row.mail_message_id),
      },
      feedbackType: read(row.feedback_type),
      userAgent: read(row.user_agent),
      version: read(row.version),
      authFailure: read(row.auth_failure),
      identityAlignment: read(row.identity_alignment),
      deliveryResult: read(row.delivery_result),
      arrivalDate: read(row.arrival_date),
      arrivalTime: row.arrival_time,
      sourceIp: read(row.source_ip),
      sourcePort: row.source_port,
      reportingMta: read(row.reporting_mta),
      originalEnvelopeId: read(row.original_envelope_id),
      originalMailFrom: read(row.original_mail_from),
      originalRcptTo: this.#readJson<string>(row.original_rcpt_to),
      reportedDomains: this.#readJson<string>(row.reported_domains),
      reportedUris: this.#readJson<string>(row.reported_uris),
      authenticationResults: this.#readJson<string>(row.authentication_results),
      incidents: row.incidents,
      dkimDomain: read(row.dkim_domain),
      dkimIdentity: read(row.dkim_identity),
      dkimSelector: read(row.dkim_selector),
      spfDns: read(row.spf_dns),
      fields: this.#readJson<HeaderField>(row.fields),
      original:
        row.original_form === null
          ? null
          : {
              form: read(row.original_form) as NonNullable<FailureReport['original']>['form'],
              headers: this.#readJson<HeaderField>(row.original_headers),
              from: read(row.original_from),
              to: read(row.original_to),
              subject: read(row.original_subject),
              date: read(row.original_date),
              messageId: read(row.original_message_id),
              redacted: row.redacted === 1,
              body: read(row.original_body),
              urls: this.#readJson<string>(row.original_urls),
            },
      description: read(row.description),
      missing: this.#readJson<string>(row.missing),
      warnings: this.#readJson<ReportWarning>(row.warnings),
      rawSha256: row.raw_sha256,
      source: this.#read(row.source),
      receivedAt: row.received_at,
      ingestedAt: row.ingested_at,
    };
  }

  async getTlsReport(id: number): Promise<StoredTlsReport | undefined> {
    const row = await this.db.selectFrom('tls_reports').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const policies = await this.db
      .selectFrom('tls_policies')
      .selectAll()
      .where('tls_report_id', '=', id)
      .orderBy('policy_index')
      .execute();
    const details = await this.db
      .selectFrom('tls_failure_details')
      .selectAll()
      .where('tls_report_id', '=', id)
      .orderBy('policy_index')
      .orderBy('detail_index')
      .execute();
    return {
      id: row.id,
      organizationName: this.#read(row.organization_name),
      contactInfo: this.#read(row.contact_info),
      reportId: this.#read(row.report_id),
      window: {
        begin: row.date_begin,
        end: row.date_end,
        beginIso: isoSeconds(row.date_begin),
        endIso: isoSeconds(row.date_end),
      },
      policies: policies.map((p) => ({
        policyType: this.#read(p.policy_type),
        policyString: this.#readJson<string>(p.policy_string),
        policyDomain: this.#read(p.policy_domain),
        mxHost: this.#readJson<string>(p.mx_host),
        totalSuccessfulSessionCount: p.total_successful_session_count,
        totalFailureSessionCount: p.total_failure_session_count,
        failureDetails: details
          .filter((d) => d.policy_index === p.policy_index)
          .map((d) => ({
            resultType: this.#read(d.result_type),
            sendingMtaIp: this.#read(d.sending_mta_ip),
            receivingMxHostname: this.#read(d.receiving_mx_hostname),
            receivingMxHelo: this.#read(d.receiving_mx_helo),
            receivingIp: this.#read(d.receiving_ip),
            failedSessionCount: d.failed_session_count,
            additionalInformation: this.#read(d.additional_information),
            failureReasonCode: this.#read(d.failure_reason_code),
          })),
      })),
      warnings: this.#readJson<ReportWarning>(row.warnings),
      rawSha256: row.raw_sha256,
      source: this.#read(row.source),
      receivedAt: row.received_at,
      ingestedAt: row.ingested_at,
      copies: await this.#copies('tls_report_copies', id),
    };
  }

  async listQuarantine(
    options: { limit?: number; offset?: number; ids?: readonly number[] } = {},
  ): Promise<QuarantineEntry[]> {
    if (options.ids?.length === 0) return [];
    let query = this.db
      .selectFrom('quarantine')
      .select([
        'id',
        'raw_sha256',
        'raw_size',
        'source',
        'error_code',
        'error_message',
        'error_details',
        'first_seen_at',
        'last_seen_at',
        'times',
      ])
      .orderBy('last_seen_at', 'desc')
      .orderBy('id', 'desc')
      .limit(options.limit ?? LIST_QUARANTINE_DEFAULT_LIMIT)
      .offset(options.offset ?? 0);
    if (options.ids) query = query.where('id', 'in', options.ids);
    const rows = await query.execute();
    const places = new Map<number, string[]>();
    if (rows.length > 0) {
      const seen = await this.db
        .selectFrom('quarantine_sources')
        .select(['quarantine_id', 'source', (e) => e.fn.max('seen_at').as('seen')])
        .where(
          'quarantine_id',
          'in',
          rows.map((row) => row.id),
        )
        .groupBy(['quarantine_id', 'source'])
        .orderBy('seen', 'desc')
        .orderBy('source')
        .execute();
      for (const place of seen) {
        const list = places.get(place.quarantine_id) ?? [];
        places.set(place.quarantine_id, list);
        list.push(this.#read(place.source));
      }
    }
    return rows.map((row) => ({
      id: row.id,
      rawSha256: row.raw_sha256,
      rawSize: row.raw_size,
      source: this.#read(row.source),
      errorCode: this.#read(row.error_code),
      errorMessage: this.#read(row.error_message),
      errorDetails:
        row.error_details === null ? null : (JSON.parse(this.#read(row.error_details)) as QuarantineDetails),
      firstSeenAt: row.first_seen_at,
      lastSeenAt: row.last_seen_at,
      times: row.times,
      ...placesOf(this.#read(row.source), places.get(row.id)),
    }));
  }

  async releaseQuarantined(entry: Pick<QuarantineEntry, 'id' | 'times'>): Promise<boolean> {
    await this.db.transaction().execute(async (trx) => {
      await raiseIdFloor(trx, this.engine, 'quarantine');
      await trx
        .deleteFrom('quarantine')
        .where('id', '=', entry.id)
        .where('times', '=', entry.times)
        .execute();
    });
    const left = await this.db
      .selectFrom('quarantine')
      .select('id')
      .where('id', '=', entry.id)
      .executeTakeFirst();
    return left === undefined;
  }

  prune(options: PruneOptions): Promise<PruneTotals> {
    return pruneStore(this, options);
  }

  async close(): Promise<void> {
    await this.#onClose();
  }
}

/**
 * An entry's places, the latest first and `source` among them first (an entry kept before 0019,
 * or whose place was not written, has that one only).
 */
function placesOf(
  source: string,
  seen: readonly string[] = [],
): Pick<QuarantineEntry, 'sources' | 'sourceCount'> {
  const all = [source, ...seen.filter((place) => place !== source)];
  return { sources: all.slice(0, QUARANTINE_SOURCES_LISTED), sourceCount: all.length };
}

/**
 * A failure report stored before from the same report mail in other bytes (its lines ended in
 * CRLF as IMAP gives them, a Received or Delivered-To header added on the way): the same mail's
 * Message-ID, and the same incident (arrival date, source IP, the original's Message-ID), so
 * that a reporter giving every mail one Message-ID loses no report. Its id, or undefined.
 */
async function sameFailureReport(
  db: Kysely<Database>,
  row: {
    mail_message_id: string | null;
    arrival_date: string | null;
    source_ip: string | null;
    original_message_id: string | null;
  },
): Promise<number | undefined> {
  if (row.mail_message_id === null) return undefined;
  const same = (column: 'arrival_date' | 'source_ip' | 'original_message_id', value: string | null) =>
    sql<SqlBool>`${sql.ref(column)} is not distinct from ${value}`;
  const found = await db
    .selectFrom('failure_reports')
    .select('id')
    .where('mail_message_id', '=', row.mail_message_id)
    .where(same('arrival_date', row.arrival_date))
    .where(same('source_ip', row.source_ip))
    .where(same('original_message_id', row.original_message_id))
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return found?.id;
}

async function idBySha(
  db: Kysely<Database>,
  table: 'failure_reports' | 'tls_reports',
  sha256: string,
): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select('id')
    .where('raw_sha256', '=', sha256)
    .executeTakeFirstOrThrow();
  return row.id;
}

/** How a stored TLS report stands against another copy of it: its sessions and policies. */
async function tlsStanding(db: Kysely<Database>, id: number): Promise<{ messages: number; records: number }> {
  const row = await db
    .selectFrom('tls_policies')
    .select((eb) => [
      eb.fn.countAll().as('policies'),
      eb.fn
        .sum(eb('total_successful_session_count', '+', eb.ref('total_failure_session_count')))
        .as('sessions'),
    ])
    .where('tls_report_id', '=', id)
    .executeTakeFirstOrThrow();
  return { messages: Number(row.sessions ?? 0), records: Number(row.policies) };
}

/**
 * An aggregate report as rows: its `reports` row, and its records' rows (override reasons and
 * auth results in them) as a flat value list for RowWriter. Shared by the streaming writer (one report,
 * records as they are parsed) and the batch insert (many parsed reports in one transaction).
 */
import { isIP } from 'node:net';
import type { CompiledQuery } from 'kysely';
import type {
  AggregateRecord,
  AggregateReportHeader,
  DkimAuthResult,
  PolicyOverrideReason,
  SpfAuthResult,
} from '../reports/types.ts';
import { StoreInputError } from './errors.ts';
import type { PackedRaw } from './raw.ts';
import type { Database } from './schema.ts';
import type { KyselyStore } from './store.ts';
import type { ReportSource } from './types.ts';
import { flag, integer, now, optionalInteger } from './values.ts';

type ReportRow = Omit<Database['reports'], 'id'>;

/** The `reports` row of a report; throws StoreInputError for a window or pct that is not a whole number. */
export function reportRow(
  store: KyselyStore,
  reporterId: number,
  header: AggregateReportHeader,
  source: ReportSource,
  raw: PackedRaw,
): ReportRow {
  const { metadata, policyPublished: policy } = header;
  return {
    reporter_id: reporterId,
    report_id: store.text(metadata.reportId),
    policy_domain: store.text(policy.domain),
    report_id_raw: store.text(metadata.reportIdRaw),
    date_begin: integer(metadata.window.begin, 'begin'),
    date_end: integer(metadata.window.end, 'end'),
    version: store.text(header.version),
    namespace: store.text(header.namespace),
    generator: store.text(metadata.generator),
    errors: store.json(metadata.errors),
    adkim: store.text(policy.adkim),
    aspf: store.text(policy.aspf),
    p: store.text(policy.p),
    sp: store.text(policy.sp),
    np: store.text(policy.np),
    pct: optionalInteger(policy.pct, 'pct'),
    fo: store.text(policy.fo),
    testing: flag(policy.testing),
    discovery_method: store.text(policy.discoveryMethod),
    psd: store.text(policy.psd),
    extensions: null,
    warnings: null,
    record_count: 0,
    message_count: 0,
    source: store.text(source.description),
    received_at: optionalInteger(source.receivedAt, 'Date'),
    ingested_at: now(),
    raw_sha256: raw.sha256,
    raw_size: raw.size,
    raw_encoding: raw.encoding,
    raw: raw.data,
  };
}

/** What identifies a report for duplicate detection, as one string. */
export function reportKey(row: Pick<ReportRow, 'reporter_id' | 'report_id' | 'policy_domain'>): string {
  return `${row.reporter_id}\u0000${row.report_id}\u0000${row.policy_domain}`;
}

/**
 * Record rows being collected, checked as they come (or before, by messageTotal): a count that is
 * not a whole number from 0, a source IP that is not an address, or a message total that
 * overflows is a StoreInputError.
 */
export class RecordRows {
  readonly #store: KyselyStore;
  #records: unknown[] = [];
  /** Rows since the last take(). */
  pending = 0;

  constructor(store: KyselyStore) {
    this.#store = store;
  }

  /** Adds record number `index` of report `reportId`; returns its count. */
  add(reportId: number, index: number, record: AggregateRecord): number {
    const count = checkedCount(index, record);
    this.#push(reportId, index, record);
    return count;
  }

  /** Adds all of one report's records, which messageTotal has checked already. */
  addChecked(reportId: number, records: readonly AggregateRecord[]): void {
    records.forEach((record, index) => {
      this.#push(reportId, index, record);
    });
  }

  #push(reportId: number, index: number, record: AggregateRecord): void {
    const s = this.#store;
    const pe = record.policyEvaluated;
    this.#records.push(
      reportId,
      index,
      record.sourceIp,
      record.count,
      s.text(pe.disposition),
      s.text(pe.dkim),
      s.text(pe.spf),
      s.text(record.headerFrom),
      s.text(record.envelopeFrom),
      s.text(record.envelopeTo),
      s.json(record.extensions, true),
      jsonLists(s, pe.reasons, reasonEntry),
      jsonLists(s, record.authResults.dkim, dkimEntry),
      jsonLists(s, record.authResults.spf, spfEntry),
    );
    this.pending++;
  }

  /** Adds a record and returns the report's message total with it; an overflowing total is refused. */
  addToTotal(reportId: number, index: number, record: AggregateRecord, total: number): number {
    return addedUp(total, this.add(reportId, index, record), index);
  }

  /** The INSERT statements for every row collected, which are then forgotten. */
  take(): CompiledQuery[] {
    const statements = this.#store.writers.records.statements(this.#records);
    this.#records = [];
    this.pending = 0;
    return statements;
  }
}

/**
 * The JSON list of a record's reasons or results as its column holds it (RecordsTable.reasons),
 * null when there are none; `entry` writes one of them.
 */
function jsonLists<T>(
  store: KyselyStore,
  items: readonly T[],
  entry: (store: KyselyStore, item: T) => string,
): string | null {
  if (items.length === 0) return null;
  let text = '[';
  for (const [i, item] of items.entries()) text += i === 0 ? entry(store, item) : `,${entry(store, item)}`;
  return `${text}]`;
}

const reasonEntry = (s: KyselyStore, r: PolicyOverrideReason) =>
  `[${s.jsonText(r.type)},${s.jsonText(r.comment)}]`;
const dkimEntry = (s: KyselyStore, r: DkimAuthResult) =>
  `[${s.jsonText(r.domain)},${s.jsonText(r.selector)},${s.jsonText(r.result)},${s.jsonText(r.humanResult)}]`;
const spfEntry = (s: KyselyStore, r: SpfAuthResult) =>
  `[${s.jsonText(r.domain)},${s.jsonText(r.scope)},${s.jsonText(r.result)},${s.jsonText(r.humanResult)}]`;

/**
 * The message total of a report's records, checked as RecordRows.add checks them: for a batch,
 * which refuses a bad report before its transaction and adds the rows once the report has an id.
 */
export function messageTotal(records: readonly AggregateRecord[]): number {
  let messages = 0;
  records.forEach((record, index) => {
    messages = addedUp(messages, checkedCount(index, record), index);
  });
  return messages;
}

/**
 * A record's count; a count that is not a whole number from 0 or a source IP that is not an
 * address is a StoreInputError.
 */
function checkedCount(index: number, record: AggregateRecord): number {
  const count = record.count;
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new StoreInputError('invalid-count', { record: index, field: 'count', value: count });
  }
  if (record.sourceIp !== null && isIP(record.sourceIp) === 0) {
    throw new StoreInputError('invalid-source-ip', {
      record: index,
      field: 'source_ip',
      value: record.sourceIp,
    });
  }
  return count;
}

/** A report's message total with one more record's count; an overflowing total is refused. */
function addedUp(total: number, count: number, index: number): number {
  const messages = total + count;
  if (!Number.isSafeInteger(messages)) {
    throw new StoreInputError('message-total-too-large', { record: index, field: 'count' });
  }
  return messages;
}

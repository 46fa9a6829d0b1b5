/**
 * An aggregate report as rows: its `reports` row, and its records' rows (override reasons and
 * auth results in them) as a flat value list for RowWriter. Shared by the streaming writer (one report,
 * records as they are parsed) and the batch insert (many parsed reports in one transaction),
 * whose records are made into rows ahead of it, on a read thread in bulk (PreparedRecords).
 */
import { isIP } from 'node:net';
import type { CompiledQuery } from 'kysely';
import type {
  AggregateRecord,
  AggregateReportHeader,
  DkimAuthResult,
  ExtensionNode,
  PolicyOverrideReason,
  SpfAuthResult,
} from '../reports/types.ts';
import { CopyRows } from './copy-text.ts';
import type { ColumnSpec, EngineKind } from './engine.ts';
import { StoreInputError, type StoreInputErrorArgs, type StoreInputErrorCode } from './errors.ts';
import type { PackedRaw } from './raw.ts';
import type { RollupAccumulator } from './rollup.ts';
import { pushRollupAuth, type RollupReport, rollupDay, rollupHeaderFrom } from './rollup-key.ts';
import type { Database, RecordsTable } from './schema.ts';
import type { KyselyStore } from './store.ts';
import { decodeText, encodeJson, encodeJsonString, encodeOptionalText, encodeText } from './text.ts';
import type { ReportSource } from './types.ts';
import { flag, integer, lookupDomain, now, optionalInteger } from './values.ts';

export type ReportRow = Omit<Database['reports'], 'id'>;

/** The `reports` row of a report; throws StoreInputError for a window or pct that is not a whole number. */
export function reportRow(
  store: KyselyStore,
  reporterId: number,
  header: AggregateReportHeader,
  source: ReportSource,
  raw: PackedRaw,
): ReportRow {
  const { metadata, policyPublished: policy } = header;
  const policyDomain = lookupDomain(policy.domain);
  return {
    reporter_id: reporterId,
    report_id: store.text(metadata.reportId),
    policy_domain: store.text(policyDomain),
    policy_domain_raw: policyDomain === policy.domain ? null : store.text(policy.domain),
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
    reporter_contact: store.json([header.reporter.email, header.reporter.extraContactInfo]),
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

/** A record's columns after report_id and record_index, in the order PreparedRecords holds them. */
const RECORD_VALUE_COLUMNS = [
  ['source_ip', 'text'],
  ['count', 'int'],
  ['disposition', 'text'],
  ['dkim', 'text'],
  ['spf', 'text'],
  ['header_from', 'text'],
  ['envelope_from', 'text'],
  ['envelope_to', 'text'],
  ['extensions', 'text'],
  ['reasons', 'text'],
  ['dkim_results', 'text'],
  ['spf_results', 'text'],
] as const satisfies readonly ColumnSpec[];

/** Values per record in PreparedRecords.values. */
const RECORD_VALUES = RECORD_VALUE_COLUMNS.length;
/** Where a field sits among a record's values. */
const valueAt = (name: (typeof RECORD_VALUE_COLUMNS)[number][0]) =>
  RECORD_VALUE_COLUMNS.findIndex(([column]) => column === name);
const SOURCE_IP_AT = valueAt('source_ip');
const COUNT_AT = valueAt('count');
const DISPOSITION_AT = valueAt('disposition');
const DKIM_AT = valueAt('dkim');
const SPF_AT = valueAt('spf');
const HEADER_FROM_AT = valueAt('header_from');
/** Values per record in PreparedRecords.rollupValues. */
const ROLLUP_VALUES = 4;

export const RECORD_COLUMNS: readonly ColumnSpec[] = [
  ['report_id', 'int'],
  ['record_index', 'int'],
  ...RECORD_VALUE_COLUMNS,
];

type RecordValue = string | number | null;

/**
 * A report's records made into what the store writes of them, before its transaction and on any
 * thread: plain data, so it crosses threads by structured clone (flat lists of strings and
 * numbers cost a fraction of records as objects). Made on a read thread in bulk, this work
 * leaves the thread that writes, which an ingest waits on. Or why the store refuses the report.
 * For PostgreSQL, the records' and rollup rows' COPY text made here instead (one buffer per
 * report, the writing thread adding only report_id and record_index) gained nothing: on the
 * bench's 10,000 reports, warm runs alternating, the writing thread's CPU stayed within noise
 * (1.82 s against 1.90) while the read thread's rose by a tenth (2.73 against 2.49), its text
 * made in JavaScript where structured clone copies strings natively.
 */
export type PreparedRecords =
  | PreparedRows
  | { count: number; refused: { code: StoreInputErrorCode; args: StoreInputErrorArgs } };

/** PreparedRecords the store takes: its rows. */
export type PreparedRows = {
  /** The engine whose text form the values are in. */
  engine: EngineKind;
  /** Records. */
  count: number;
  /** Their message total. */
  messages: number;
  /** RECORD_VALUES per record: its row without report_id and record_index. */
  values: RecordValue[];
  /** The report's parts of its records' source_rollup keys. */
  rollupReport: RollupReport;
  /**
   * ROLLUP_VALUES per record: the parts of its source_rollup key its row lacks: header_from
   * as the rollup keys it (null: its row's, or '' for none), dkim_auth, spf_auth, reasons.
   */
  rollupValues: (string | null)[];
};

export function isPrepared(
  records: readonly AggregateRecord[] | PreparedRecords,
): records is PreparedRecords {
  return !Array.isArray(records);
}

/** How many records a report holds, prepared or not. */
export function recordCount(records: readonly AggregateRecord[] | PreparedRecords): number {
  return isPrepared(records) ? records.count : records.length;
}

/**
 * The rows of a report's records for `engine`, checked as RecordRows.add checks them (counts,
 * source addresses, the message total), and the report's window too (for the rollup's day).
 * `first`: the number of the first of them in the report (a streamed report's are prepared a
 * batch at a time), which errors name.
 */
export function prepareRecords(
  engine: EngineKind,
  header: AggregateReportHeader,
  records: readonly AggregateRecord[],
  first = 0,
): PreparedRecords {
  try {
    const text = (value: string | null) => encodeOptionalText(engine, value);
    const values: RecordValue[] = [];
    const rollupValues: (string | null)[] = [];
    let messages = 0;
    for (let index = 0; index < records.length; index++) {
      const record = records[index]!;
      messages = addedUp(messages, checkedCount(first + index, record), first + index);
      pushRecordValues(engine, record, values);
      const headerFrom = rollupHeaderFrom(text, record.headerFrom);
      const stored = values[index * RECORD_VALUES + HEADER_FROM_AT] as string | null;
      rollupValues.push(headerFrom === (stored ?? '') ? null : headerFrom);
      pushRollupAuth(text, record, rollupValues);
    }
    const { window } = header.metadata;
    const policy = header.policyPublished;
    const rollupReport: RollupReport = {
      policyDomain: encodeText(engine, lookupDomain(policy.domain)),
      day: rollupDay({ begin: integer(window.begin, 'begin'), end: integer(window.end, 'end') }),
      adkim: text(policy.adkim),
      aspf: text(policy.aspf),
    };
    return { engine, count: records.length, messages, values, rollupReport, rollupValues };
  } catch (error) {
    if (!(error instanceof StoreInputError)) throw error;
    return { count: records.length, refused: { code: error.code, args: error.args } };
  }
}

/** The records PreparedRecords were made of, read back from their values (for the rare report stored alone again). */
export function preparedRecords(prepared: PreparedRows): AggregateRecord[] {
  const records: AggregateRecord[] = [];
  const { values, engine } = prepared;
  for (let at = 0; at < values.length; at += RECORD_VALUES) {
    const row: Record<string, RecordValue> = {};
    RECORD_VALUE_COLUMNS.forEach(([name], i) => {
      row[name] = values[at + i] ?? null;
    });
    records.push(recordOfRow(engine, row as unknown as RecordColumns));
  }
  return records;
}

type RecordColumns = Pick<RecordsTable, (typeof RECORD_VALUE_COLUMNS)[number][0]>;

/** A record as its row holds it. */
export function recordOfRow(engine: EngineKind, r: RecordColumns): AggregateRecord {
  type PolicyEvaluated = AggregateRecord['policyEvaluated'];
  const read = (value: string | null) => (value === null ? null : decodeText(engine, value));
  // The strings inside a JSON list are each in the engine's text form (encodeJsonString).
  const lists = <T>(value: string | null, make: (field: (at: number) => string | null) => T): T[] =>
    value === null
      ? []
      : (JSON.parse(value) as (string | null)[][]).map((fields) => make((at) => read(fields[at] ?? null)));
  return {
    sourceIp: read(r.source_ip),
    count: Number(r.count),
    policyEvaluated: {
      disposition: read(r.disposition) as PolicyEvaluated['disposition'],
      dkim: read(r.dkim) as PolicyEvaluated['dkim'],
      spf: read(r.spf) as PolicyEvaluated['spf'],
      reasons: lists(r.reasons, (f) => ({ type: f(0), comment: f(1) })),
    },
    headerFrom: read(r.header_from),
    envelopeFrom: read(r.envelope_from),
    envelopeTo: read(r.envelope_to),
    authResults: {
      dkim: lists(r.dkim_results, (f) => ({
        domain: f(0),
        selector: f(1),
        result: f(2) as DkimAuthResult['result'],
        humanResult: f(3),
      })),
      spf: lists(r.spf_results, (f) => ({
        domain: f(0),
        scope: f(1) as SpfAuthResult['scope'],
        result: f(2) as SpfAuthResult['result'],
        humanResult: f(3),
      })),
    },
    // The whole JSON text of extensions is in the engine's text form (encodeJson).
    extensions: r.extensions === null ? [] : (JSON.parse(read(r.extensions)!) as ExtensionNode[]),
  };
}

/** Pushes a record's RECORD_VALUES values, in the engine's form. */
function pushRecordValues(engine: EngineKind, record: AggregateRecord, into: unknown[]): void {
  const pe = record.policyEvaluated;
  into.push(
    record.sourceIp,
    record.count,
    encodeOptionalText(engine, pe.disposition),
    encodeOptionalText(engine, pe.dkim),
    encodeOptionalText(engine, pe.spf),
    encodeOptionalText(engine, record.headerFrom),
    encodeOptionalText(engine, record.envelopeFrom),
    encodeOptionalText(engine, record.envelopeTo),
    encodeJson(engine, record.extensions, true),
    jsonLists(engine, pe.reasons, reasonEntry),
    jsonLists(engine, record.authResults.dkim, dkimEntry),
    jsonLists(engine, record.authResults.spf, spfEntry),
  );
}

/**
 * Record rows being collected, checked as they come (or before, by prepareRecords): a count that is
 * not a whole number from 0, a source IP that is not an address, or a message total that
 * overflows is a StoreInputError.
 */
export class RecordRows {
  readonly #store: KyselyStore;
  #records: unknown[] = [];
  /** PostgreSQL: the rows as COPY text, each made as it comes (#records holds one row at a time). */
  readonly #copy: CopyRows | undefined;
  /** Rows since the last take(). */
  pending = 0;

  constructor(store: KyselyStore) {
    this.#store = store;
    if (store.writers.records.copies) this.#copy = new CopyRows();
  }

  /** Adds record number `index` of report `reportId`; returns its count. */
  add(reportId: number, index: number, record: AggregateRecord): number {
    const count = checkedCount(index, record);
    this.#records.push(reportId, index);
    pushRecordValues(this.#store.engine, record, this.#records);
    this.#added();
    return count;
  }

  /**
   * Adds one report's records, prepared (and checked) for this store's engine: all of them, or
   * for a streamed report a batch whose first is record number `first`.
   */
  addPrepared(reportId: number, prepared: PreparedRows, first = 0): void {
    const { values } = prepared;
    if (this.#copy !== undefined) {
      for (let index = 0; index < prepared.count; index++)
        this.#copy.addAfter(reportId, first + index, values, index * RECORD_VALUES, RECORD_VALUES);
      this.pending += prepared.count;
      return;
    }
    const into = this.#records;
    for (let index = 0, at = 0; index < prepared.count; index++) {
      into.push(reportId, first + index);
      for (const end = at + RECORD_VALUES; at < end; at++) into.push(values[at]);
      this.#added();
    }
  }

  #added(): void {
    this.pending++;
    if (this.#copy === undefined) return;
    this.#copy.add(this.#records, 0, RECORD_COLUMNS.length);
    this.#records.length = 0;
  }

  /** Adds a record and returns the report's message total with it; an overflowing total is refused. */
  addToTotal(reportId: number, index: number, record: AggregateRecord, total: number): number {
    return addedUp(total, this.add(reportId, index, record), index);
  }

  /** The INSERT statements for every row collected, which are then forgotten. */
  take(): CompiledQuery[] {
    const writer = this.#store.writers.records;
    if (this.#copy !== undefined) {
      this.pending = 0;
      return this.#copy.rows === 0 ? [] : [writer.copy(this.#copy.take())];
    }
    const statements = writer.statements(this.#records);
    this.#records = [];
    this.pending = 0;
    return statements;
  }
}

/** Adds a report's prepared records to the rollup. */
export function addPreparedToRollup(rollup: RollupAccumulator, prepared: PreparedRows): void {
  const { values, rollupValues, rollupReport } = prepared;
  for (let index = 0; index < prepared.count; index++) {
    const at = index * RECORD_VALUES;
    const auth = index * ROLLUP_VALUES;
    rollup.addParts(
      rollupReport,
      (values[at + SOURCE_IP_AT] as string | null) ?? '',
      rollupValues[auth] ?? (values[at + HEADER_FROM_AT] as string | null) ?? '',
      (values[at + DISPOSITION_AT] as string | null) ?? '',
      (values[at + DKIM_AT] as string | null) ?? '',
      (values[at + SPF_AT] as string | null) ?? '',
      rollupValues,
      values[at + COUNT_AT] as number,
      auth + 1,
    );
  }
}

/**
 * The JSON list of a record's reasons or results as its column holds it (RecordsTable.reasons),
 * null when there are none; `entry` writes one of them.
 */
function jsonLists<T>(
  engine: EngineKind,
  items: readonly T[],
  entry: (engine: EngineKind, item: T) => string,
): string | null {
  if (items.length === 0) return null;
  let text = `[${entry(engine, items[0]!)}`;
  for (let i = 1; i < items.length; i++) text += `,${entry(engine, items[i]!)}`;
  return `${text}]`;
}

const reasonEntry = (e: EngineKind, r: PolicyOverrideReason) =>
  `[${encodeJsonString(e, r.type)},${encodeJsonString(e, r.comment)}]`;
const dkimEntry = (e: EngineKind, r: DkimAuthResult) =>
  `[${encodeJsonString(e, r.domain)},${encodeJsonString(e, r.selector)},${encodeJsonString(e, r.result)},${encodeJsonString(e, r.humanResult)}]`;
const spfEntry = (e: EngineKind, r: SpfAuthResult) =>
  `[${encodeJsonString(e, r.domain)},${encodeJsonString(e, r.scope)},${encodeJsonString(e, r.result)},${encodeJsonString(e, r.humanResult)}]`;

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
export function addedUp(total: number, count: number, index: number): number {
  const messages = total + count;
  if (!Number.isSafeInteger(messages)) {
    throw new StoreInputError('message-total-too-large', { record: index, field: 'count' });
  }
  return messages;
}

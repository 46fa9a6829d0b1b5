/**
 * Many parsed aggregate reports stored in one transaction: one multi-row INSERT of their report
 * rows, their records' rows together, one commit. Each report is still all or nothing: the
 * values the store refuses are found before the transaction (that report alone is refused), and
 * should the transaction fail anyway, the reports are stored again one transaction each, so one
 * bad report never takes the others down with it.
 *
 * Why: a commit per report costs more than the report (every b-tree page it touches is written
 * to the WAL again per commit); batches of small reports make ingest several times faster.
 */
import { CompiledQuery, type Kysely, sql } from 'kysely';
import {
  addPreparedToRollup,
  isPrepared,
  type PreparedRows,
  preparedRecords,
  prepareRecords,
  RecordRows,
  type ReportRow,
  reportKey,
  reportRow,
} from './aggregate-rows.ts';
import { copyColumnsOf, duplicateOutcome, keepReportCopy } from './copies.ts';
import { CopyRows } from './copy-text.ts';
import {
  type CopyStanding,
  countsOver,
  STORED_COPY_COLUMNS,
  type StoredCopy,
  type StoredCopyRow,
  storedCopy,
  storedCopyOfRow,
} from './counted.ts';
import { asFewStatements, type ColumnSpec, RowWriter } from './engine.ts';
import { StoreInputError } from './errors.ts';
import { firstFreeId } from './ids.ts';
import { packRaw, rawBytes, sha256Hex } from './raw.ts';
import type { Database } from './schema.ts';
import type { KyselyStore } from './store.ts';
import type { AggregateBatchItem, BatchOutcome, InsertOptions, InsertOutcome } from './types.ts';
import { quarantineRelease } from './writer.ts';

interface Prepared {
  item: AggregateBatchItem;
  row: ReturnType<typeof reportRow>;
  key: string;
  records: PreparedRows;
}

export async function insertAggregateBatch(
  store: KyselyStore,
  items: readonly AggregateBatchItem[],
  options: InsertOptions = {},
): Promise<BatchOutcome[]> {
  const outcomes = new Array<BatchOutcome | undefined>(items.length);
  const prepared: (Prepared & { at: number })[] = [];
  for (const [at, item] of items.entries()) {
    try {
      prepared.push({ at, ...(await prepare(store, item)) });
    } catch (error) {
      if (!(error instanceof StoreInputError)) throw error;
      outcomes[at] = error;
    }
  }

  // The same report twice in one batch: the copy that counts of them is written (counted.ts),
  // the others are its duplicates.
  const fullest = new Map<string, Prepared & { at: number }>();
  for (const p of prepared) {
    const other = fullest.get(p.key);
    if (other === undefined || countsOver(standing(p), standing(other))) fullest.set(p.key, p);
  }
  const fresh = [...fullest.values()];
  const repeats = prepared.filter((p) => fullest.get(p.key) !== p);

  let written: Map<number, InsertOutcome>;
  let contenders: (Prepared & { at: number })[];
  try {
    ({ outcomes: written, contenders } = await writeTogether(store, fresh, options));
  } catch (error) {
    // One report alone fails again alone, unless another writer stored it meanwhile (see copyReportRows).
    if (fresh.length <= 1 && !(error instanceof StoreInputError) && !storedMeanwhile(error)) throw error;
    written = await writeOneByOne(store, fresh, options, outcomes);
    contenders = [];
  }
  for (const [at, outcome] of written) outcomes[at] = outcome;
  // Fuller copies of stored reports take the count over one transaction each (rare: a report
  // sent again with more in it), as a report stored alone does.
  for (const [at, outcome] of await writeOneByOne(store, contenders, options, outcomes))
    outcomes[at] = outcome;
  for (const repeat of repeats) {
    const stored = outcomes[fullest.get(repeat.key)!.at];
    if (stored === undefined || stored instanceof StoreInputError) {
      outcomes[repeat.at] = stored;
      continue;
    }
    // Rare (the same report twice among a batch's inputs), so statements of their own; a crash
    // before them loses nothing: the input stored again finds the report and keeps the copy then.
    const counted = await storedCopy(store.db, repeat.row);
    const copy = await keepReportCopy(
      store.db,
      'report_copies',
      { id: counted.id, raw_sha256: counted.sha256 },
      copyColumnsOf(repeat.row),
    );
    outcomes[repeat.at] = duplicateOutcome(counted.id, copy);
  }
  return outcomes.map((outcome, at) => {
    if (outcome === undefined) throw new Error(`report ${at} of the batch has no outcome`);
    return outcome;
  });
}

/** How a prepared report stands against another copy of it. */
function standing(p: Prepared): CopyStanding {
  return { messages: p.records.messages, records: p.records.count, sha256: p.row.raw_sha256 };
}

/** Everything done before the transaction: checks, rows, the raw bytes compressed. */
async function prepare(store: KyselyStore, item: AggregateBatchItem): Promise<Prepared> {
  const { report, source } = item;
  // Checked now, so that a bad report is refused alone; its rows get its id once it has one.
  const records = isPrepared(report.records)
    ? report.records
    : prepareRecords(store.engine, report, report.records);
  if ('refused' in records) throw new StoreInputError(records.refused.code, records.refused.args);
  if (records.engine !== store.engine) {
    throw new Error(`records prepared for ${records.engine} given to a ${store.engine} store`);
  }
  const packed = item.packed ?? (await packRaw(item.raw, sha256Hex(item.raw)));
  const row = reportRow(store, await store.reporterId(report.reporter), report, source, packed);
  row.record_count = records.count;
  row.message_count = records.messages;
  row.extensions = store.json(report.extensions ?? [], true);
  row.warnings = store.json(report.warnings ?? [], true);
  return { item, row, key: reportKey(row), records };
}

async function writeTogether(
  store: KyselyStore,
  reports: readonly (Prepared & { at: number })[],
  options: InsertOptions,
): Promise<{ outcomes: Map<number, InsertOutcome>; contenders: (Prepared & { at: number })[] }> {
  const outcomes = new Map<number, InsertOutcome>();
  const contenders: (Prepared & { at: number })[] = [];
  if (reports.length === 0) return { outcomes, contenders };
  // In key order: concurrent batches (PostgreSQL) holding the same report wait on it in one order.
  const ordered = [...reports].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const target = store.rollupTarget;
  let staged = 0;
  await store.db.transaction().execute(async (trx) => {
    const rows = ordered.map((p) => p.row);
    const { ids, found } =
      store.engine === 'postgres'
        ? await copyReportRows(trx, rows)
        : { ids: await insertReportRows(trx, rows), found: new Map<string, StoredCopy>() };
    const all = new RecordRows(store);
    const stored: (Prepared & { at: number; id: number })[] = [];
    for (const p of reports) {
      const id = ids.get(p.key);
      if (id === undefined) {
        // PostgreSQL's look read it already; SQLite reads it now (in-process, a lookup costs little).
        const stored = found.get(p.key) ?? (await storedCopy(trx, p.row));
        // A fuller copy is written after this transaction; a copy that counts the less, kept now
        // (the counted copy only ever gets fuller, so its row read now decides that for good).
        if (p.row.raw_sha256 !== stored.sha256 && countsOver(standing(p), stored)) {
          contenders.push(p);
          continue;
        }
        const copy = await keepReportCopy(
          trx,
          'report_copies',
          { id: stored.id, raw_sha256: stored.sha256 },
          copyColumnsOf(p.row),
        );
        store.rollupRevisited([stored.rollupReport]);
        outcomes.set(p.at, duplicateOutcome(stored.id, copy));
        continue;
      }
      all.addPrepared(id, p.records);
      stored.push({ ...p, id });
      outcomes.set(p.at, { status: 'stored', id, records: p.records.count, messages: p.records.messages });
    }
    for (const statement of asFewStatements(store.engine, all.take())) await trx.executeQuery(statement);
    if (stored.length > 0) {
      const hashes = stored.map((p) => p.row.raw_sha256);
      for (const statement of quarantineRelease(trx, store.engine, hashes)) await trx.executeQuery(statement);
    }
    if (options.rollup ?? true) {
      const rollup = store.rollupAccumulator(target);
      for (const { records } of stored) addPreparedToRollup(rollup, records);
      staged = rollup.forFold;
      for (const statement of rollup.take()) await trx.executeQuery(statement);
      await store.rollupWritten(trx, rollup.written);
    }
  });
  if (staged > 0) await store.rollupStaged(staged);
  return { outcomes, contenders };
}

/**
 * SQLite: inserts the report rows not stored yet (by their unique key): their ids by reportKey,
 * given past every id a deleted report had (ids.ts; a row found stored leaves its id unused).
 * As RowWriter writes rows, in statements of a few fixed shapes kept prepared: built by Kysely's
 * query builder, each batch's INSERT was built, compiled and prepared anew for its number of
 * rows (10,000 of the bench's reports: the writing thread's CPU 2.40 s against 2.31, medians of
 * 5 alternating runs).
 */
async function insertReportRows(
  db: Kysely<Database>,
  rows: readonly ReportRow[],
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  // The columns as reportRow makes every row, each of the table's but the id.
  const columns = Object.keys(rows[0]!) as (keyof ReportRow)[];
  let id = (await firstFreeId(db, 'sqlite', 'reports'))!;
  const values: unknown[] = [];
  for (const row of rows) {
    values.push(id++);
    for (const column of columns) values.push(row[column]);
  }
  for (const statement of reportWriter(['id', ...columns]).statements(values)) {
    const { rows: inserted } = await db.executeQuery<{ id: number } & Pick<ReportRow, ReportKeyColumn>>(
      statement,
    );
    for (const row of inserted) ids.set(reportKey(row), row.id);
  }
  return ids;
}

type ReportKeyColumn = 'reporter_id' | 'report_id' | 'policy_domain';

/** SQLite's writers of report rows, by their columns (the same for every row reportRow makes). */
const reportWriters = new Map<string, RowWriter>();

function reportWriter(columns: readonly string[]): RowWriter {
  const key = columns.join(',');
  let writer = reportWriters.get(key);
  if (writer === undefined) {
    writer = new RowWriter(
      'sqlite',
      'reports',
      columns.map((name): ColumnSpec => [name, 'text']),
      'on conflict (reporter_id, report_id, policy_domain) do nothing returning id, reporter_id, report_id, policy_domain',
    );
    reportWriters.set(key, writer);
  }
  return writer;
}

/** PostgreSQL's unique_violation: a report the batch found unstored was stored by another writer before its COPY. */
function storedMeanwhile(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '23505';
}

/**
 * PostgreSQL: insertReportRows by COPY. The multi-row INSERT of a batch's reports, with their 32
 * parameters each and its ON CONFLICT, cost the server twice what a COPY of the same rows does
 * (10,000 of the bench's reports in batches of 50: 1.00 s of server CPU against 0.51 s). COPY
 * has no ON CONFLICT, so the rows already stored are found first, in the same statement that
 * takes ids from the table's sequence for the others; it reads how each stored one stands too
 * (StoredCopy), so that a batch of duplicates (a mailbox ingested again) costs no statement per
 * report. A report stored by another writer between that statement and the COPY makes the COPY
 * fail on the unique key, and the batch is stored again one report at a time
 * (insertAggregateBatch), where the key decides.
 */
async function copyReportRows(
  db: Kysely<Database>,
  rows: readonly ReportRow[],
): Promise<{ ids: Map<string, number>; found: Map<string, StoredCopy> }> {
  const { rows: looked } = await sql<LookedUp>`
    select k.at::int as at, case when r.id is null then nextval(pg_get_serial_sequence('reports', 'id')) end as next,
      ${STORED_COPY_SELECT}
    from unnest(${rows.map((r) => r.reporter_id)}::bigint[], ${rows.map((r) => r.report_id)}::text[],
                ${rows.map((r) => r.policy_domain)}::text[]) with ordinality k(reporter_id, report_id, policy_domain, at)
    left join reports r using (reporter_id, report_id, policy_domain)
    order by k.at`.execute(db);
  const { ids, found, columns, text } = reportRowsText(looked, rows);
  if (text.rows > 0) {
    const copy = `copy reports (id,${columns.join(',')}) from stdin`;
    await db.executeQuery(CompiledQuery.raw(copy, [text.take()]));
  }
  return { ids, found };
}

/** A report of a batch as copyReportRows's lookup gives it: its place, and its stored row or its new id. */
type LookedUp = { at: number; next: number | null } & StoredCopyRow;

const STORED_COPY_SELECT = sql.raw(STORED_COPY_COLUMNS.map((column) => `r.${column}`).join(', '));

/**
 * What copyReportRows's lookup found: the stored reports (how each stands) and the others' ids
 * and rows as COPY text. A function of its own, apart from the statements around it: in the
 * async function, each deopt of this loop as field types settled made V8 optimise it whole
 * again (5 times in a 10k ingest, 245 ms of compiling; now this one once, 13 ms).
 */
function reportRowsText(looked: readonly LookedUp[], rows: readonly ReportRow[]) {
  const ids = new Map<string, number>();
  const found = new Map<string, StoredCopy>();
  // The columns as reportRow makes every row: each of the table's but the id.
  const columns = Object.keys(rows[0]!) as (keyof ReportRow)[];
  const text = new CopyRows();
  const values = new Array<unknown>(columns.length + 1);
  // In the rows' order (their key order, see writeTogether).
  for (const report of looked) {
    const row = rows[report.at - 1]!;
    if (report.next === null) {
      // Stored already: how it stands, for the duplicate or a fuller copy (writeTogether).
      found.set(reportKey(row), storedCopyOfRow(report));
      continue;
    }
    ids.set(reportKey(row), report.next);
    values[0] = report.next;
    for (let c = 0; c < columns.length; c++) values[c + 1] = row[columns[c]!];
    text.add(values, 0, values.length);
  }
  return { ids, found, columns, text };
}

/**
 * Reports each in its own transaction: after a failed batch, so only the bad one fails; and the
 * fuller copies of stored reports, which take the count over as a report stored alone does.
 */
async function writeOneByOne(
  store: KyselyStore,
  reports: readonly (Prepared & { at: number })[],
  options: InsertOptions,
  refused: (BatchOutcome | undefined)[],
): Promise<Map<number, InsertOutcome>> {
  const outcomes = new Map<number, InsertOutcome>();
  for (const p of reports) {
    try {
      const { report, source } = p.item;
      const raw = p.item.raw ?? (await rawBytes(p.item.packed));
      const records = isPrepared(report.records) ? preparedRecords(p.records) : report.records;
      outcomes.set(p.at, await store.insertAggregateReport({ ...report, records }, raw, source, options));
    } catch (error) {
      if (!(error instanceof StoreInputError)) throw error;
      refused[p.at] = error;
    }
  }
  return outcomes;
}

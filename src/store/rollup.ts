/**
 * The rollup maintained at ingest: source_rollup, the table analysis reads instead of the
 * records. Each stored report's records are added up in memory as they are written
 * (RollupAccumulator), and the sums are written in the report's (or batch's) transaction, so a
 * report counts in the rollup entirely or not at all. Summing here rather than in SQL from the
 * stored records halved the rollup's cost: SQL read every record back and grouped its auth
 * results with string_agg.
 *
 * A report stored alone upserts its sums into source_rollup at once. A bulk ingest into SQLite
 * appends its batches' sums to rollup_pending instead and folds them into source_rollup at its
 * end (foldPendingRollup): upserting per batch dirtied a source_rollup page per distinct sender
 * and day, hundreds per commit (measured on the ingest bench: 200 of the 320 MB a run wrote).
 * Folding moves every pending row in one transaction, whoever staged it, so concurrent ingests
 * need not know of each other, and a report's sums are pending or folded all together.
 */
import { CompiledQuery, type Kysely, sql } from 'kysely';
import { type ColumnSpec, type EngineKind, RowWriter } from './engine.ts';
import { CopyRows, copyLine } from './pg-copy.ts';
import {
  orEmpty,
  pushRollupAuth,
  type RollupRecord,
  type RollupReport,
  rollupHeaderFrom,
  rollupId,
  rollupReportOfRow,
  SOURCE_ROLLUP_KEY,
} from './rollup-key.ts';
import type { Database } from './schema.ts';

/**
 * Distinct rollup rows held before they are written: a report with hundreds of thousands of
 * distinct senders is summed in parts (upserts add up), so memory stays bounded.
 */
export const ROLLUP_MAX_PENDING_ROWS = 2_000;

/**
 * Sums records into source_rollup's rows: per day and source, with the disposition, the aligned
 * results, the report's alignment modes and every DKIM and SPF result and override reason (see
 * rollup-key.ts). On SQLite, upserts into source_rollup are summed by key first (one statement
 * may not update a row twice); rows staged in rollup_pending are appended as they come, the fold
 * sums them. On PostgreSQL the rows go by COPY into the session's rollup_incoming, and one
 * statement moves their sums into source_rollup (see MAKE_INCOMING): the server sums them, when
 * the rows may hold a key more than once (see #hashes).
 */
export class RollupAccumulator {
  readonly #text: (value: string | null) => string | null;
  readonly #writer: RowWriter;
  readonly #target: RollupTarget;
  /** SQLite's source_rollup: sums by rollupId. */
  readonly #sums = new Map<string, { key: unknown[]; messages: number }>();
  /** Staged rows, flat: all of them for rollup_pending; on PostgreSQL one key at a time, on its way to #incoming. */
  #rows: unknown[] = [];
  /** PostgreSQL: the rows as COPY text for rollup_incoming. */
  readonly #incoming: CopyRows | undefined;
  /**
   * PostgreSQL: a hash of each key in #incoming, while no two are the same; cleared (and
   * #distinct false) at the first hash seen twice, which may be the same key. Distinct hashes
   * are distinct keys, so the rows need not be summed by key before their upsert (with the
   * source-first sort of MOVE_DISTINCT, the upserts of a 200,000-record report took 2.1 s of the
   * server's time instead of 2.5). Hashes, not keys: summing the keys here instead, on the
   * JavaScript heap, doubled the collector's work on that report.
   */
  readonly #hashes = new Set<number>();
  #distinct = true;
  /** PostgreSQL: whether a part went through rollup_incoming already, in this transaction. */
  #moved = false;
  #staged = 0;

  /**
   * `text`: the engine's form of a string (KyselyStore.text), as the records are stored.
   * `target`: where take()'s statements put the sums.
   */
  constructor(
    engine: EngineKind,
    text: (value: string | null) => string | null,
    target: RollupTarget = 'source_rollup',
  ) {
    this.#text = text;
    this.#target = target;
    if (engine === 'postgres') {
      this.#incoming = new CopyRows();
      this.#writer = new RowWriter(engine, 'rollup_incoming', ROLLUP_COLUMNS);
    } else {
      this.#writer = new RowWriter(
        engine,
        target,
        ROLLUP_COLUMNS,
        target === 'source_rollup'
          ? `on conflict (${SOURCE_ROLLUP_KEY.join(', ')}) do update set ${ADD_MESSAGES}`
          : '',
      );
    }
  }

  /** Rows waiting to be written. */
  get pending(): number {
    return this.#staging ? this.#staged : this.#sums.size;
  }

  /** Whether rows are appended as they come rather than summed by key here. */
  get #staging(): boolean {
    return this.#incoming !== undefined || this.#target === 'rollup_pending';
  }

  /** Called for every record ingested. */
  add(report: RollupReport, record: RollupRecord): void {
    const t = this.#text;
    const pe = record.policyEvaluated;
    const auth: string[] = [];
    pushRollupAuth(t, record, auth);
    this.addParts(
      report,
      record.sourceIp ?? '',
      rollupHeaderFrom(t, record.headerFrom),
      orEmpty(t, pe.disposition),
      orEmpty(t, pe.dkim),
      orEmpty(t, pe.spf),
      auth,
      record.count,
    );
  }

  /**
   * Adds a record given by the parts of its key, already in the engine's form: a record made
   * into a row ahead (PreparedRecords). `auth`: dkim_auth, spf_auth and reasons, from `at`.
   */
  addParts(
    report: RollupReport,
    sourceIp: string,
    headerFrom: string,
    disposition: string,
    dkim: string,
    spf: string,
    auth: readonly unknown[],
    messages: number,
    at = 0,
  ): void {
    // Staged rows go straight into the statement's values; upserts are keyed and summed first.
    const staging = this.#staging;
    const key: unknown[] = staging ? this.#rows : [];
    key.push(
      report.policyDomain,
      report.day,
      sourceIp,
      headerFrom,
      disposition,
      dkim,
      spf,
      report.adkim ?? '',
      report.aspf ?? '',
      auth[at],
      auth[at + 1],
      auth[at + 2],
    );
    if (this.#incoming !== undefined) {
      const keyText = copyLine(key, 0, SOURCE_ROLLUP_KEY.length);
      key.length = 0;
      if (this.#distinct) {
        const hash = keyHash(keyText);
        if (this.#hashes.has(hash)) {
          this.#distinct = false;
          this.#hashes.clear();
        } else this.#hashes.add(hash);
      }
      this.#incoming.addLine(`${keyText}\t${messages}\n`);
      this.#staged++;
      return;
    }
    if (staging) {
      key.push(messages);
      this.#staged++;
      return;
    }
    const id = rollupId(key);
    const row = this.#sums.get(id);
    if (row) row.messages += messages;
    else this.#sums.set(id, { key, messages });
  }

  /**
   * The statements adding every row so far to the target, which are then forgotten. Upserts go
   * in key order, so that concurrent writers (PostgreSQL) lock rows in one order; appends to
   * rollup_pending lock none. On PostgreSQL an accumulator's statements all run in one
   * transaction: rollup_incoming is emptied at each commit.
   */
  take(): CompiledQuery[] {
    if (this.#incoming !== undefined) {
      if (this.#staged === 0) return [];
      const move = this.#distinct ? MOVE_DISTINCT : MOVE_SUMMED;
      // The first part finds the table empty (emptied by the last commit); a later one, the
      // part before it.
      const statements = this.#moved ? [MAKE_INCOMING, EMPTY_INCOMING] : [MAKE_INCOMING];
      statements.push(this.#writer.copy(this.#incoming.take()), move);
      this.#staged = 0;
      this.#hashes.clear();
      this.#distinct = true;
      this.#moved = true;
      return statements;
    }
    if (this.#target === 'rollup_pending') {
      const statements = this.#writer.statements(this.#rows);
      this.#rows = [];
      this.#staged = 0;
      return statements;
    }
    const values: unknown[] = [];
    for (const id of [...this.#sums.keys()].sort()) {
      const { key, messages } = this.#sums.get(id)!;
      for (let i = 0; i < key.length; i++) values.push(key[i]);
      values.push(messages);
    }
    this.#sums.clear();
    return this.#writer.statements(values);
  }
}

/** FNV-1a over the UTF-16 code units of `text`. */
function keyHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash;
}

/** Where a RollupAccumulator's sums go: into source_rollup, or to rollup_pending to be folded later. */
export type RollupTarget = 'source_rollup' | 'rollup_pending';

const ROLLUP_COLUMNS: readonly ColumnSpec[] = [
  ...SOURCE_ROLLUP_KEY.map((name): ColumnSpec => [name, name === 'day' ? 'int' : 'text']),
  ['messages', 'int'],
];

const ADD_MESSAGES = 'messages = source_rollup.messages + excluded.messages';

/**
 * PostgreSQL: where a part's rollup rows wait, by COPY, for MOVE_DISTINCT or MOVE_SUMMED to add
 * them to source_rollup. Emptied at each commit (ON COMMIT DELETE ROWS: a batch of reports is
 * one part, and emptying it by a statement of its own took 2 ms a batch), and before each later
 * part of the same transaction by EMPTY_INCOMING; rows of a transaction rolled back are gone
 * with it.
 * A temporary table is the session's own and written without WAL; made where it is missing by
 * the statements that use it, as any pooled connection may be a new session (a role refused
 * temporary tables is told so before, by KyselyStore's check of its privilege). Summing
 * in the server instead of here took the rollup's keys and sums off the JavaScript heap, where
 * thousands of them waited for each upsert and were copied by the collector again and again (a
 * third of the ingest's time on a 200,000-record report), and its array literals with them.
 */
const MAKE_INCOMING = CompiledQuery.raw(
  `create temporary table if not exists rollup_incoming (${ROLLUP_COLUMNS.map(
    ([name, type]) => `${name} ${type === 'int' ? 'bigint' : 'text'} not null`,
  ).join(', ')}) on commit delete rows`,
);

/**
 * The statements adding rollup_incoming's rows to source_rollup, in key order (concurrent
 * writers lock rows in one order): summed by key first, as one upsert may not update a row
 * twice, or as they are when their keys are known to be distinct.
 */
const [MOVE_SUMMED, MOVE_DISTINCT] = (() => {
  const key = SOURCE_ROLLUP_KEY.join(', ');
  // Any one order does for the locks. Byte order spares the collation's comparisons, and the
  // source first tells rows apart by the first bytes PostgreSQL sorts by (its abbreviated keys):
  // a 5,000-row part whose domain and day are all the same sorted in 13 ms instead of 52.
  const order = ['source_ip', ...SOURCE_ROLLUP_KEY.filter((column) => column !== 'source_ip')]
    .map((column) => (column === 'day' ? column : `${column} collate "C"`))
    .join(', ');
  const upsert = `insert into source_rollup (${key}, messages)`;
  const added = `order by ${order} on conflict (${key}) do update set ${ADD_MESSAGES}`;
  return [
    CompiledQuery.raw(`${upsert} select ${key}, sum(messages) from rollup_incoming group by ${key} ${added}`),
    CompiledQuery.raw(`${upsert} select ${key}, messages from rollup_incoming ${added}`),
  ];
})();

/**
 * Empties rollup_incoming for a later part of a transaction. Deleting its rows instead left them
 * dead in the table, where every later part's statement read them again (a temporary table is
 * never vacuumed): 0.4 s of the server's 3.5 s on a 200,000-record report.
 */
const EMPTY_INCOMING = CompiledQuery.raw('truncate rollup_incoming');

/**
 * Adds every row of rollup_pending to source_rollup and deletes them, in one SQLite write
 * transaction (the only one at a time): each pending row is added exactly once, also when
 * several processes fold. Rows are written in key order, so source_rollup's b-tree is written
 * page after page. Returns the pending rows folded.
 */
export function foldPendingRollup(db: Kysely<Database>): Promise<number> {
  return db.transaction().execute(foldPendingRows);
}

/** foldPendingRollup's work, in a write transaction of the caller's. */
export async function foldPendingRows(trx: Kysely<Database>): Promise<number> {
  const key = sql.raw(SOURCE_ROLLUP_KEY.join(', '));
  // No GROUP BY: SQLite's upsert adds a key's later rows to the row its first one made
  // (measured: 0.31 s for 100,000 rows, 0.45 s summed first). WHERE true: without it SQLite
  // would read ON CONFLICT as a join constraint.
  await sql`insert into source_rollup (${key}, messages)
    select ${key}, messages from rollup_pending where true order by ${key}
    on conflict (${key}) do update set ${sql.raw(ADD_MESSAGES)}`.execute(trx);
  const deleted = await sql`delete from rollup_pending`.execute(trx);
  return Number(deleted.numAffectedRows ?? 0);
}

/** Records read back per step of a rebuild: memory stays bounded on a store of any size. */
const REBUILD_RECORDS_PER_STEP = 20_000;

type Text = string | null;

/** A stored record read back with what the rollup keeps of its children. */
interface StoredRecord extends RollupRecord {
  reportId: number;
  policyEvaluated: RollupRecord['policyEvaluated'] & { reasons: { type: Text }[] };
  authResults: { dkim: { domain: Text; result: Text }[]; spf: { domain: Text; scope: Text; result: Text }[] };
}

/**
 * Sums every stored record into source_rollup again (after a change of its key), a page of
 * reports at a time in id order, as ingest would have: the stored text is already in the
 * engine's form.
 */
// biome-ignore lint/suspicious/noExplicitAny: a migration runs against the schema as it is then.
export async function rebuildSourceRollup(db: Kysely<any>, engine: EngineKind): Promise<void> {
  // PostgreSQL's rollup parts must run in one transaction (RollupAccumulator.take).
  if (engine === 'postgres' && !db.isTransaction) {
    return db.transaction().execute((trx) => rebuildSourceRollup(trx, engine));
  }
  const rollup = new RollupAccumulator(engine, (value) => value);
  let after = 0;
  for (;;) {
    const page = await db
      .selectFrom('reports')
      .select(['id', 'policy_domain', 'date_begin', 'date_end', 'adkim', 'aspf', 'record_count'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(1_000)
      .execute();
    if (page.length === 0) break;
    // Reports holding about REBUILD_RECORDS_PER_STEP records, one at least.
    const heads = new Map<number, RollupReport>();
    let records = 0;
    for (const r of page) {
      if (heads.size > 0 && records + Number(r.record_count) > REBUILD_RECORDS_PER_STEP) break;
      records += Number(r.record_count);
      after = Number(r.id);
      heads.set(after, rollupReportOfRow(r));
    }
    const rows = (table: string, columns: string[]) => {
      const query = db
        .selectFrom(table)
        .select(['report_id', 'record_index', ...columns])
        .where('report_id', 'in', [...heads.keys()])
        .orderBy('report_id')
        .orderBy('record_index');
      return (table === 'records' ? query : query.orderBy('ordinal')).execute();
    };
    const stored = new Map<string, StoredRecord>();
    const key = (row: Record<string, unknown>) => `${row.report_id}:${row.record_index}`;
    for (const r of await rows('records', [
      'source_ip',
      'count',
      'header_from',
      'disposition',
      'dkim',
      'spf',
    ])) {
      stored.set(key(r), {
        reportId: Number(r.report_id),
        sourceIp: r.source_ip,
        count: Number(r.count),
        headerFrom: r.header_from,
        policyEvaluated: { disposition: r.disposition, dkim: r.dkim, spf: r.spf, reasons: [] },
        authResults: { dkim: [], spf: [] },
      });
    }
    for (const r of await rows('policy_override_reasons', ['type'])) {
      stored.get(key(r))?.policyEvaluated.reasons.push({ type: r.type });
    }
    for (const r of await rows('dkim_auth_results', ['domain', 'result'])) {
      stored.get(key(r))?.authResults.dkim.push({ domain: r.domain, result: r.result });
    }
    for (const r of await rows('spf_auth_results', ['domain', 'scope', 'result'])) {
      stored.get(key(r))?.authResults.spf.push({ domain: r.domain, scope: r.scope, result: r.result });
    }
    for (const record of stored.values()) rollup.add(heads.get(record.reportId)!, record);
    for (const statement of rollup.take()) await db.executeQuery(statement);
  }
}

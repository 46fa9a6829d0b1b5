/**
 * The rollup maintained at ingest: source_rollup, the table analysis reads instead of the
 * records. Each stored report's records are added up in memory as they are written
 * (RollupAccumulator), and the sums are written in the report's (or batch's) transaction, so a
 * report counts in the rollup entirely or not at all. Summing here rather than in SQL from the
 * stored records halved the rollup's cost: SQL read every record back and grouped its auth
 * results with string_agg.
 *
 * SQLite: a report stored alone upserts its sums into source_rollup at once. A bulk ingest
 * appends its batches' sums to rollup_pending instead and folds them into source_rollup at its
 * end (foldPendingRollup): upserting per batch dirtied a source_rollup page per distinct sender
 * and day, hundreds per commit (measured on the ingest bench: 200 of the 320 MB a run wrote).
 * Folding moves every pending row in one transaction, whoever staged it, so concurrent ingests
 * need not know of each other, and a report's sums are pending or folded all together.
 *
 * PostgreSQL: sums are appended to source_rollup, which has no unique key there, and the rows of
 * a key are merged by compactRollup: in the writing transaction, or for a bulk ingest at its end,
 * in the slices that need it (rollup-appends.ts; see migration 0013-rollup-appended). Readers
 * sum a key's rows, so a slice not compacted yet (a killed run's) reads the same.
 */
import { type CompiledQuery, type Kysely, sql } from 'kysely';
import { CopyRows } from './copy-text.ts';
import { type ColumnSpec, type EngineKind, RowWriter } from './engine.ts';
import type { SliceAppends } from './rollup-appends.ts';
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
 * Rollup rows held before they are written: a report with hundreds of thousands of distinct
 * senders is written in parts (upserts add up on SQLite, appends are merged on PostgreSQL), so
 * memory stays bounded.
 */
export const ROLLUP_MAX_PENDING_ROWS = 2_000;

/**
 * Sums records into source_rollup's rows: per day and source, with the disposition, the aligned
 * results, the report's alignment modes and every DKIM and SPF result and override reason (see
 * rollup-key.ts). On SQLite, upserts into source_rollup are summed by key first (one statement
 * may not update a row twice); rows staged in rollup_pending are appended as they come, the fold
 * sums them. On PostgreSQL the rows are appended to source_rollup by COPY as they come: a key
 * may have several rows there until compactRollup merges them, and every reader sums a key's
 * rows (see the migration 0013-rollup-appended). The days of the policy domains written to are
 * kept (`slices`), for the compaction.
 */
export class RollupAccumulator {
  readonly #text: (value: string | null) => string | null;
  readonly #writer: RowWriter;
  readonly #target: RollupTarget;
  /** SQLite's source_rollup: sums by rollupId. */
  readonly #sums = new Map<string, { key: unknown[]; messages: number }>();
  /** Staged rows, flat: all of them for rollup_pending; on PostgreSQL one row at a time, on its way to #copy. */
  #rows: unknown[] = [];
  /** PostgreSQL: the rows as COPY text for source_rollup. */
  readonly #copy: CopyRows | undefined;
  #staged = 0;
  /**
   * The slices rows went to, by `policy domain NUL day`, with the rows added to each (and
   * their keys' hashes when asked for: `appends`); the report last added and its slice's, to skip
   * their lookup.
   */
  readonly #slices = new Map<string, SliceAppends>();
  #lastReport: RollupReport | undefined;
  #lastSlice: SliceAppends | undefined;
  /** PostgreSQL: keep the hash of each row's key (`written.appends`). */
  readonly #appends: boolean;
  /**
   * The source addresses of the rows, when asked for (`sources`), for a compaction of only their
   * keys; null once there are more than ROLLUP_COMPACT_SOURCES_MAX.
   */
  #sources: Set<string> | null | undefined;

  /**
   * `text`: the engine's form of a string (KyselyStore.text), as the records are stored.
   * `target`: where take()'s statements put the sums. `sources`: keep the rows' source
   * addresses (`written`). `appends` (PostgreSQL): keep what was appended to each slice, each
   * row's key hashed (`written`), for a bulk run's folds (rollup-appends.ts).
   */
  constructor(
    engine: EngineKind,
    text: (value: string | null) => string | null,
    {
      target = 'source_rollup',
      sources = false,
      appends = false,
    }: { target?: RollupTarget; sources?: boolean; appends?: boolean } = {},
  ) {
    this.#text = text;
    this.#target = target;
    if (sources) this.#sources = new Set();
    this.#appends = appends && engine === 'postgres';
    if (engine === 'postgres') {
      this.#copy = new CopyRows();
      this.#writer = new RowWriter(engine, 'source_rollup', ROLLUP_COLUMNS);
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

  /**
   * Rows waiting that a fold takes once written (staged in rollup_pending, or appended to
   * source_rollup on PostgreSQL for a fold to compact); 0 when they are summed into
   * source_rollup as they are written.
   */
  get forFold(): number {
    return this.#staging ? this.#staged : 0;
  }

  /** The slices (policy domain and day) every row so far went to. */
  get slices(): RollupSlice[] {
    return [...this.#slices.values()].map((appended) => appended.slice);
  }

  /**
   * Where the rows so far went: their slices, their source addresses when kept and few, and
   * what was appended to each slice when kept.
   */
  get written(): RollupWritten {
    return {
      slices: this.slices,
      ...(this.#sources ? { sources: [...this.#sources] } : {}),
      ...(this.#appends ? { appends: [...this.#slices.values()] } : {}),
    };
  }

  /** Whether rows are appended as they come rather than summed by key here. */
  get #staging(): boolean {
    return this.#copy !== undefined || this.#target === 'rollup_pending';
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
    // A record of 0 messages adds nothing to any sum, and a key of 0 messages in the rollup would
    // name a sender that sent nothing (PostgreSQL's compaction drops such keys anyway).
    if (messages === 0) return;
    if (report !== this.#lastReport) {
      this.#lastReport = report;
      const slice = sliceKey(report);
      this.#lastSlice = this.#slices.get(slice);
      if (this.#lastSlice === undefined) {
        this.#lastSlice = {
          slice: { policyDomain: report.policyDomain, day: report.day },
          rows: 0,
          keys: this.#appends ? [] : null,
        };
        this.#slices.set(slice, this.#lastSlice);
      }
    }
    const appended = this.#lastSlice!;
    appended.rows++;
    if (this.#sources) {
      this.#sources.add(sourceIp);
      if (this.#sources.size > ROLLUP_COMPACT_SOURCES_MAX) this.#sources = null;
    }
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
    if (staging) {
      key.push(messages);
      this.#staged++;
      if (this.#copy !== undefined) {
        this.#copy.add(key, 0, ROLLUP_COLUMNS.length);
        key.length = 0;
        // A withdrawn copy's negated row meets its key's row: the slice must be compacted.
        if (appended.keys !== null) {
          if (messages < 0) appended.keys = null;
          else appended.keys.push(this.#copy.lastRowHash(SOURCE_ROLLUP_KEY.length));
        }
      }
      return;
    }
    const id = rollupId(key);
    const row = this.#sums.get(id);
    if (row) row.messages += messages;
    else this.#sums.set(id, { key, messages });
  }

  /**
   * The statements adding every row so far to the target, which are then forgotten (the slices
   * stay). Upserts go in key order, so that concurrent writers (SQLite's source_rollup) lock
   * rows in one order; appends lock none.
   */
  take(): CompiledQuery[] {
    if (this.#copy !== undefined) {
      if (this.#staged === 0) return [];
      this.#staged = 0;
      return [this.#writer.copy(this.#copy.take())];
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

/** Where a RollupAccumulator's sums go: into source_rollup, or to rollup_pending to be folded later. */
export type RollupTarget = 'source_rollup' | 'rollup_pending';

/** A policy domain's day in source_rollup: what compactRollup merges at a time. */
export interface RollupSlice {
  policyDomain: string;
  day: number;
}

/** A slice as one string, for the sets of slices kept while writing. */
export function sliceKey(slice: RollupSlice): string {
  return `${slice.policyDomain}\u0000${slice.day}`;
}

/** The slices rows went to and, when known, every source address among them and what each slice was given. */
export interface RollupWritten {
  slices: RollupSlice[];
  sources?: string[];
  appends?: SliceAppends[];
}

/**
 * Source addresses a compaction looks for at most; a transaction that wrote more compacts its
 * slices whole. One report's are a few dozen: looking for them, a compaction of a 20,000-row
 * slice took 4 ms instead of 24.
 */
const ROLLUP_COMPACT_SOURCES_MAX = 1_000;

const ROLLUP_COLUMNS: readonly ColumnSpec[] = [
  ...SOURCE_ROLLUP_KEY.map((name): ColumnSpec => [name, name === 'day' ? 'int' : 'text']),
  ['messages', 'int'],
];

const ADD_MESSAGES = 'messages = source_rollup.messages + excluded.messages';

/** Slices compacted per statement: a statement's parameters and locks stay bounded. */
const ROLLUP_COMPACT_SLICES = 1_000;
/** Statements compactRollup runs at once outside a transaction, each on its own pooled connection. */
const ROLLUP_COMPACT_AT_ONCE = 4;

/**
 * PostgreSQL: merges the rows of each key of these slices into one and deletes the keys summing
 * to 0 (a withdrawn copy's), so that source_rollup holds what one upsert per key would have left.
 * Appends never wait for it and readers sum a key's rows, so it only saves reading. The rows are
 * found by the (policy_domain, day) index and deleted by their ctid, and only the rows the
 * statement deleted are summed again: rows another compaction deleted first are skipped, rows
 * appended meanwhile stay as they are, so no message is counted twice or lost whoever runs at
 * the same time (at worst a key keeps two rows until the next compaction). A TID scan deletes in
 * ctid order, so two compactions never wait on each other in a cycle. With `sources`, only the
 * keys of those source addresses are merged (a writing transaction's own). One statement per
 * ROLLUP_COMPACT_SLICES slices, in `db`'s transaction when it is one, else several at once.
 */
export async function compactRollup(
  db: Kysely<Database>,
  slices: readonly RollupSlice[],
  sources?: readonly string[],
): Promise<void> {
  if (!db.isTransaction && slices.length > 1) {
    // Outside a transaction (a bulk ingest's fold, which the ingest waits for with nothing else
    // to do), a part of the slices per pooled connection, so that the server merges them on
    // several cores at once.
    const size = Math.ceil(slices.length / ROLLUP_COMPACT_AT_ONCE);
    const parts: RollupSlice[][] = [];
    for (let from = 0; from < slices.length; from += size) parts.push(slices.slice(from, from + size));
    await Promise.all(parts.map((part) => compactSlices(db, part, sources)));
    return;
  }
  await compactSlices(db, slices, sources);
}

/**
 * PostgreSQL: the slices holding a key in several rows or a key summing to 0, which a bulk ingest
 * stopped before its closing compaction (killed, the machine down) leaves: readers sum them, so
 * only reading is slower. One scan of the rollup, grouped by its key.
 */
export async function uncompactedSlices(db: Kysely<Database>): Promise<RollupSlice[]> {
  const key = sql.raw(SOURCE_ROLLUP_KEY.join(', '));
  const { rows } = await sql<{ policy_domain: string; day: number | string }>`
    select distinct policy_domain, day from (
      select policy_domain, day from source_rollup group by ${key} having count(*) > 1 or sum(messages) = 0
    ) k`.execute(db);
  return rows.map((row) => ({ policyDomain: row.policy_domain, day: Number(row.day) }));
}

/** compactRollup's statements for `slices`, one after the other. */
async function compactSlices(
  db: Kysely<Database>,
  slices: readonly RollupSlice[],
  sources: readonly string[] | undefined,
): Promise<void> {
  const only = sources === undefined ? sql`` : sql`where r.source_ip = any(${sources}::text[])`;
  for (let from = 0; from < slices.length; from += ROLLUP_COMPACT_SLICES) {
    const part = slices.slice(from, from + ROLLUP_COMPACT_SLICES);
    await sql`with merged as (
        select unnest(array_agg(r.ctid)) as row
        from source_rollup r
        join unnest(${part.map((s) => s.policyDomain)}::text[], ${part.map((s) => s.day)}::bigint[])
          as s(policy_domain, day) on r.policy_domain = s.policy_domain and r.day = s.day
        ${only}
        group by ${GROUPED}
        having count(*) > 1 or min(r.messages) = 0),
      gone as (delete from source_rollup where ctid = any(array(select row from merged)) returning *)
      insert into source_rollup (${KEY}, messages)
      select ${KEY}, sum(messages) from gone group by ${KEY} having sum(messages) <> 0`.execute(db);
  }
}

/**
 * The key as compactRollup groups by it: text in byte order, the source first, so that the sort
 * PostgreSQL picks for a slice's rows compares bytes and tells rows apart by their first ones
 * (150 ms for 100,000 rows instead of 205 in the collation's order, domain first).
 */
const GROUPED = sql.raw(
  ['source_ip', ...SOURCE_ROLLUP_KEY.filter((column) => column !== 'source_ip')]
    .map((column) => (column === 'day' ? 'r.day' : `r.${column} collate "C"`))
    .join(', '),
);

const KEY = sql.raw(SOURCE_ROLLUP_KEY.join(', '));

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
  if (engine === 'postgres') await compactRollup(db, rollup.slices);
}

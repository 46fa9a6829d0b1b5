/**
 * Which of a report's differing copies is counted. A reporter may send one report (reporter,
 * report ID, policy domain) again with other content; one copy's records are counted, the
 * others' raw bytes are kept beside it (copies.ts). The counted one must not depend on the order
 * copies arrive in, which varies with mail delivery and with how many read threads an ingest
 * runs: the fullest copy counts (countsOver), and a fuller copy arriving later takes the count
 * over in one transaction: the stored copy's records are withdrawn from the rollup and deleted
 * (withdrawRecords), and the fuller copy's are written under the same report id.
 */
import type { Kysely, Selectable } from 'kysely';
import { recordOfRow } from './aggregate-rows.ts';
import { duplicateOutcome } from './copies.ts';
import { foldPendingRows, ROLLUP_MAX_PENDING_ROWS, type RollupAccumulator } from './rollup.ts';
import { type RollupReport, rollupReportOfRow } from './rollup-key.ts';
import type { Database } from './schema.ts';
import type { KyselyStore } from './store.ts';
import type { InsertOutcome } from './types.ts';

/** What decides between two copies of a report. */
export interface CopyStanding {
  messages: number;
  records: number;
  sha256: string;
}

/**
 * Whether copy `a` is counted rather than `b`: the one covering more messages, then the one with
 * more records, then the one whose raw SHA-256 (hex) sorts first. A total order, so any order of
 * arrival ends with the same copy counted.
 */
export function countsOver(a: CopyStanding, b: CopyStanding): boolean {
  if (a.messages !== b.messages) return a.messages > b.messages;
  if (a.records !== b.records) return a.records > b.records;
  return a.sha256 < b.sha256;
}

/** The stored report under an identity: its id, how it stands, and its rollup key's parts. */
export interface StoredCopy extends CopyStanding {
  id: number;
  rollupReport: RollupReport;
}

/**
 * The report stored under `key`. `lock` (PostgreSQL, in a transaction): its row is locked until
 * the transaction ends, so that two fuller copies arriving together take the count over one
 * after the other (SQLite has no row locks: its one writer holds the whole database).
 */
export async function storedCopy(
  db: Kysely<Database>,
  key: { reporter_id: number; report_id: string; policy_domain: string },
  lock = false,
): Promise<StoredCopy> {
  const query = db
    .selectFrom('reports')
    .select(STORED_COPY_COLUMNS)
    .where('reporter_id', '=', key.reporter_id)
    .where('report_id', '=', key.report_id)
    .where('policy_domain', '=', key.policy_domain);
  return storedCopyOfRow(await (lock ? query.forUpdate() : query).executeTakeFirstOrThrow());
}

/** The columns of a report's row StoredCopy is made of. */
export const STORED_COPY_COLUMNS = [
  'id',
  'raw_sha256',
  'record_count',
  'message_count',
  'policy_domain',
  'date_begin',
  'date_end',
  'adkim',
  'aspf',
] as const;

/** A report's row as StoredCopy is made of it. */
export type StoredCopyRow = Pick<Selectable<Database['reports']>, (typeof STORED_COPY_COLUMNS)[number]>;

export function storedCopyOfRow(row: StoredCopyRow): StoredCopy {
  return {
    id: row.id,
    sha256: row.raw_sha256,
    records: Number(row.record_count),
    messages: Number(row.message_count),
    rollupReport: rollupReportOfRow(row),
  };
}

/** Whether these raw bytes are kept already as a copy of report `reportId`. */
export async function isKeptCopy(db: Kysely<Database>, reportId: number, sha256: string): Promise<boolean> {
  const row = await db
    .selectFrom('report_copies')
    .select('id')
    .where('report_id', '=', reportId)
    .where('raw_sha256', '=', sha256)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The outcome of copy `ours` counted in place of `stored` (of report `id`), whose bytes were
 * kept as copy `copy`: a duplicate, with what the counted records and messages grew by.
 */
export function recountedOutcome(
  id: number,
  copy: number | undefined,
  ours: CopyStanding,
  stored: CopyStanding,
): InsertOutcome {
  return {
    ...duplicateOutcome(id, copy),
    gained: { records: ours.records - stored.records, messages: ours.messages - stored.messages },
  };
}

/** Stored records read back at once while they are withdrawn: memory stays bounded. */
const WITHDRAW_RECORDS_PER_STEP = 5_000;

/**
 * Takes the counted records of stored report `stored` out, in transaction `trx`: their sums go
 * into `rollup` negated (its statements run as it fills; the caller takes the rest), and their
 * rows are deleted. On SQLite, staged rollup sums are folded first: the report's own may still
 * be staged, and must meet their negation in source_rollup for dropCountedOut to find the rows
 * they leave at 0.
 */
export async function withdrawRecords(
  store: KyselyStore,
  trx: Kysely<Database>,
  stored: StoredCopy,
  rollup: RollupAccumulator | undefined,
): Promise<void> {
  if (rollup) {
    if (store.engine === 'sqlite') await foldPendingRows(trx);
    for (let from = 0; from < stored.records; from += WITHDRAW_RECORDS_PER_STEP) {
      const rows = await trx
        .selectFrom('records')
        .selectAll()
        .where('report_id', '=', stored.id)
        .where('record_index', '>=', from)
        .where('record_index', '<', from + WITHDRAW_RECORDS_PER_STEP)
        .execute();
      for (const row of rows) {
        const record = recordOfRow(store.engine, row);
        rollup.add(stored.rollupReport, { ...record, count: -record.count });
      }
      if (rollup.pending >= ROLLUP_MAX_PENDING_ROWS) {
        for (const statement of rollup.take()) await trx.executeQuery(statement);
      }
    }
  }
  await trx.deleteFrom('records').where('report_id', '=', stored.id).execute();
}

/**
 * SQLite: deletes the rollup rows a withdrawn copy left at 0 messages (after the rollup's
 * statements have run): the rows its day and policy domain hold. The rollup then holds what it
 * would, had the fuller copy come first. A row of another report's records all counting 0 goes
 * with them: it counted nothing. (PostgreSQL's compaction of the slice does the same,
 * compactRollup.)
 */
export async function dropCountedOut(trx: Kysely<Database>, report: RollupReport): Promise<void> {
  await trx
    .deleteFrom('source_rollup')
    .where('policy_domain', '=', report.policyDomain)
    .where('day', '=', report.day)
    .where('messages', '=', 0)
    .execute();
}

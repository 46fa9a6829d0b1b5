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
export const WITHDRAW_RECORDS_PER_STEP = 5_000;

/**
 * Takes the counted records of stored reports `reports` out, in transaction `trx`: their sums go
 * into `rollup` negated (its statements run as it fills; the caller takes the rest), and their
 * rows are deleted. Small reports are read back and deleted together, up to
 * WITHDRAW_RECORDS_PER_STEP records a statement (a prune's batch of 200: a few statements, not
 * 400); a larger one alone, that many records a step. On SQLite, staged rollup sums are folded
 * first: the reports' own may still be staged, and must meet their negation in source_rollup
 * for dropCountedOut to find the rows they leave at 0.
 */
export async function withdrawRecords(
  store: KyselyStore,
  trx: Kysely<Database>,
  reports: readonly StoredCopy[],
  rollup: RollupAccumulator | undefined,
): Promise<void> {
  if (reports.length === 0) return;
  if (rollup && store.engine === 'sqlite') await foldPendingRows(trx);
  let group: StoredCopy[] = [];
  let records = 0;
  const flush = async () => {
    if (group.length === 0) return;
    await withdrawGroup(store, trx, group, rollup);
    group = [];
    records = 0;
  };
  for (const report of reports) {
    if (records + report.records > WITHDRAW_RECORDS_PER_STEP) await flush();
    group.push(report);
    records += report.records;
  }
  await flush();
}

/** Withdraws reports whose records fit a step together, or one report of any size a step at a time. */
async function withdrawGroup(
  store: KyselyStore,
  trx: Kysely<Database>,
  reports: readonly StoredCopy[],
  rollup: RollupAccumulator | undefined,
): Promise<void> {
  const ids = reports.map((report) => report.id);
  if (rollup) {
    const byId = new Map(reports.map((report) => [report.id, report.rollupReport]));
    const largest = Math.max(...reports.map((report) => report.records));
    // One report larger than a step is read back in ranges of its record index.
    for (let from = 0; from < largest; from += WITHDRAW_RECORDS_PER_STEP) {
      let query = trx.selectFrom('records').selectAll().where('report_id', 'in', ids);
      if (largest > WITHDRAW_RECORDS_PER_STEP) {
        query = query
          .where('record_index', '>=', from)
          .where('record_index', '<', from + WITHDRAW_RECORDS_PER_STEP);
      }
      for (const row of await query.execute()) {
        const record = recordOfRow(store.engine, row);
        rollup.add(byId.get(row.report_id)!, { ...record, count: -record.count });
      }
      if (rollup.pending >= ROLLUP_MAX_PENDING_ROWS) {
        for (const statement of rollup.take()) await trx.executeQuery(statement);
      }
    }
  }
  await trx.deleteFrom('records').where('report_id', 'in', ids).execute();
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

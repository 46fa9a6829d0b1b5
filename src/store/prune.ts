/**
 * Retention: deletes what a store has kept longer than its owner wants it kept. Failure reports
 * carry personal data (the recipients, headers and at times the body of someone's mail), so a
 * privacy policy bounds how long they stay; aggregate and SMTP TLS reports are deleted when the
 * period they cover is older than the history wanted; quarantined inputs once nobody looked at
 * them in time. An aggregate report goes with its records, its kept copies and its raw bytes,
 * and its sums are withdrawn from the rollup as a fuller copy's counting over it withdraws them
 * (counted.ts), so that every analysis of the days left reads what the reports left say.
 *
 * Deleted a batch per transaction, oldest first: a stop between batches (Ctrl-C) leaves a store
 * whose every report is whole and whose rollup matches its records.
 */
import { type Kysely, type RawBuilder, sql, type Updateable } from 'kysely';
import { dropCountedOut, STORED_COPY_COLUMNS, storedCopyOfRow, withdrawRecords } from './counted.ts';
import { raiseIdFloor } from './ids.ts';
import type { Database } from './schema.ts';
import type { KyselyStore } from './store.ts';
import type { PruneOptions, PruneTotals } from './types.ts';

/** Reports deleted per transaction: a transaction's locks and the rollup's withdrawn sums stay bounded. */
export const PRUNE_REPORTS_PER_TRANSACTION = 200;
/** Failure reports, TLS reports or quarantined inputs deleted per statement. */
export const PRUNE_ROWS_PER_STATEMENT = 1_000;

export function emptyPruneTotals(): PruneTotals {
  return { aggregateReports: 0, records: 0, messages: 0, tlsReports: 0, failureReports: 0, quarantined: 0 };
}

/**
 * Deletes (or with dryRun counts) what `options` names; the totals of what went. When something
 * went, it is counted in retention.prunes: the dashboard's kept answers are dropped (analysis-cache.ts).
 */
export async function pruneStore(store: KyselyStore, options: PruneOptions): Promise<PruneTotals> {
  if (options.dryRun) return countPrunable(store.db, options);
  const totals = emptyPruneTotals();
  try {
    await deletePrunable(store, options, totals);
  } finally {
    if (Object.values(totals).some((n) => n > 0)) await markPruned(store.db);
  }
  return totals;
}

async function deletePrunable(store: KyselyStore, options: PruneOptions, totals: PruneTotals): Promise<void> {
  const stopped = () => options.signal?.aborted === true;
  const progress = () => options.onProgress?.({ ...totals });
  if (options.reportsBefore !== undefined) {
    await pruneAggregateReports(store, options.reportsBefore, totals, stopped, progress);
    if (!stopped()) await pruneTlsReports(store, options.reportsBefore, totals, stopped, progress);
  }
  if (options.failureReportsBefore !== undefined && !stopped())
    totals.failureReports += await deleteInSteps(
      store,
      'failure_reports',
      failureArrivedBefore(options.failureReportsBefore),
      stopped,
      progress,
    );
  if (options.quarantineBefore !== undefined && !stopped())
    totals.quarantined += await deleteInSteps(
      store,
      'quarantine',
      sql<boolean>`last_seen_at < ${options.quarantineBefore}`,
      stopped,
      progress,
    );
}

/** A failure report whose mail arrived before `before`: by its Arrival-Date, else when it was received or stored. */
function failureArrivedBefore(before: number): RawBuilder<boolean> {
  return sql<boolean>`coalesce(arrival_time, received_at, ingested_at) < ${before}`;
}

async function countPrunable(db: Kysely<Database>, options: PruneOptions): Promise<PruneTotals> {
  const totals = emptyPruneTotals();
  if (options.reportsBefore !== undefined) {
    const aggregate = await db
      .selectFrom('reports')
      .select((eb) => [
        eb.fn.countAll<number | string>().as('reports'),
        eb.fn.sum<number | string | null>('record_count').as('records'),
        eb.fn.sum<number | string | null>('message_count').as('messages'),
      ])
      .where('date_end', '<', options.reportsBefore)
      .executeTakeFirstOrThrow();
    totals.aggregateReports = Number(aggregate.reports);
    totals.records = Number(aggregate.records ?? 0);
    totals.messages = Number(aggregate.messages ?? 0);
    totals.tlsReports = await countWhere(db, 'tls_reports', sql`date_end < ${options.reportsBefore}`);
  }
  if (options.failureReportsBefore !== undefined)
    totals.failureReports = await countWhere(
      db,
      'failure_reports',
      failureArrivedBefore(options.failureReportsBefore),
    );
  if (options.quarantineBefore !== undefined)
    totals.quarantined = await countWhere(db, 'quarantine', sql`last_seen_at < ${options.quarantineBefore}`);
  return totals;
}

async function countWhere(
  db: Kysely<Database>,
  table: 'tls_reports' | 'failure_reports' | 'quarantine',
  where: RawBuilder<boolean>,
): Promise<number> {
  const { rows } = await sql<{
    n: number | string;
  }>`select count(*) as n from ${sql.table(table)} where ${where}`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Aggregate reports ended before `before`, a batch per transaction in id order: each one's
 * records withdrawn from the rollup and deleted, then its kept copies and its row.
 */
async function pruneAggregateReports(
  store: KyselyStore,
  before: number,
  totals: PruneTotals,
  stopped: () => boolean,
  progress: () => void,
): Promise<void> {
  let after = 0;
  while (!stopped()) {
    const done = await store.db.transaction().execute(async (trx) => {
      let query = trx
        .selectFrom('reports')
        .select(STORED_COPY_COLUMNS)
        .where('date_end', '<', before)
        .where('id', '>', after)
        .orderBy('id')
        .limit(PRUNE_REPORTS_PER_TRANSACTION);
      // A fuller copy of one of them taking its count over meanwhile waits for this transaction
      // (its writer locks the stored report's row too), then finds it gone and is stored anew.
      if (store.engine === 'postgres') query = query.forUpdate();
      const rows = await query.execute();
      if (rows.length === 0) return null;
      const rollup = store.rollupAccumulator();
      const stored = rows.map(storedCopyOfRow);
      await withdrawRecords(store, trx, stored, rollup);
      for (const statement of rollup.take()) await trx.executeQuery(statement);
      const ids = stored.map((report) => report.id);
      await raiseIdFloor(trx, store.engine, 'reports');
      await trx.deleteFrom('report_copies').where('report_id', 'in', ids).execute();
      await trx.deleteFrom('reports').where('id', 'in', ids).execute();
      // SQLite keeps a row per key: the keys the withdrawn sums left at 0 go. PostgreSQL's
      // compaction of the slices (rollupWritten) drops them.
      if (store.engine === 'sqlite') {
        const slices = new Map(
          stored.map((r) => [`${r.rollupReport.policyDomain}\u0000${r.rollupReport.day}`, r]),
        );
        for (const report of slices.values()) await dropCountedOut(trx, report.rollupReport);
      }
      await store.rollupWritten(trx, rollup.written);
      return stored;
    });
    if (!done) return;
    after = done.at(-1)!.id;
    totals.aggregateReports += done.length;
    for (const report of done) {
      totals.records += report.records;
      totals.messages += report.messages;
    }
    progress();
  }
}

/** SMTP TLS reports ended before `before`, with their policies, failure details and kept copies. */
async function pruneTlsReports(
  store: KyselyStore,
  before: number,
  totals: PruneTotals,
  stopped: () => boolean,
  progress: () => void,
): Promise<void> {
  while (!stopped()) {
    const gone = await store.db.transaction().execute(async (trx) => {
      const ids = (
        await trx
          .selectFrom('tls_reports')
          .select('id')
          .where('date_end', '<', before)
          .orderBy('id')
          .limit(PRUNE_ROWS_PER_STATEMENT)
          .execute()
      ).map((row) => row.id);
      if (ids.length === 0) return 0;
      await raiseIdFloor(trx, store.engine, 'tls_reports');
      await trx.deleteFrom('tls_policies').where('tls_report_id', 'in', ids).execute();
      await trx.deleteFrom('tls_failure_details').where('tls_report_id', 'in', ids).execute();
      await trx.deleteFrom('tls_report_copies').where('report_id', 'in', ids).execute();
      await trx.deleteFrom('tls_reports').where('id', 'in', ids).execute();
      return ids.length;
    });
    if (gone === 0) return;
    totals.tlsReports += gone;
    progress();
  }
}

/** Deletes the rows of `table` matching `where`, PRUNE_ROWS_PER_STATEMENT at a time; how many went. */
async function deleteInSteps(
  store: KyselyStore,
  table: 'failure_reports' | 'quarantine',
  where: RawBuilder<boolean>,
  stopped: () => boolean,
  progress: () => void,
): Promise<number> {
  let deleted = 0;
  while (!stopped()) {
    const result = await store.db.transaction().execute(async (trx) => {
      await raiseIdFloor(trx, store.engine, table);
      return sql`delete from ${sql.table(table)} where id in
        (select id from ${sql.table(table)} where ${where} order by id limit ${PRUNE_ROWS_PER_STATEMENT})`.execute(
        trx,
      );
    });
    const gone = Number(result.numAffectedRows ?? 0);
    if (gone === 0) break;
    deleted += gone;
    progress();
  }
  return deleted;
}

/** The retention policy a server applies once a day: the days each kind is kept, null for ever. */
export interface RetentionPolicy {
  reportsDays: number | null;
  failureReportsDays: number | null;
  quarantineDays: number | null;
}

/** The policy, when it was last changed, and how its last run went. */
export interface RetentionState extends RetentionPolicy {
  updatedAt: number | null;
  lastRun: { at: number; deleted: PruneTotals | null; error: string | null } | null;
}

const NO_POLICY: RetentionPolicy = { reportsDays: null, failureReportsDays: null, quarantineDays: null };

export async function readRetention(db: Kysely<Database>): Promise<RetentionState> {
  const row = await db.selectFrom('retention').selectAll().where('id', '=', 1).executeTakeFirst();
  if (!row) return { ...NO_POLICY, updatedAt: null, lastRun: null };
  const days = (value: number | string | null) => (value === null ? null : Number(value));
  return {
    reportsDays: days(row.reports_days),
    failureReportsDays: days(row.failure_reports_days),
    quarantineDays: days(row.quarantine_days),
    updatedAt: days(row.updated_at),
    lastRun:
      row.last_run_at === null
        ? null
        : {
            at: Number(row.last_run_at),
            deleted: row.last_run === null ? null : (JSON.parse(row.last_run) as PruneTotals),
            error: row.last_error,
          },
  };
}

export async function writeRetentionPolicy(
  db: Kysely<Database>,
  policy: RetentionPolicy,
  now: number,
): Promise<void> {
  const values = {
    reports_days: policy.reportsDays,
    failure_reports_days: policy.failureReportsDays,
    quarantine_days: policy.quarantineDays,
    updated_at: now,
  };
  await upsertRetention(db, values);
}

/** How a run of the policy went: what it deleted, or why it failed. */
export async function writeRetentionRun(
  db: Kysely<Database>,
  run: { at: number; deleted: PruneTotals | null; error: string | null },
): Promise<void> {
  const values = {
    last_run_at: run.at,
    last_run: run.deleted === null ? null : JSON.stringify(run.deleted),
    last_error: run.error,
  };
  await upsertRetention(db, values);
}

/** Counts a prune that deleted something: deleted reports leave no trace a cache could notice. */
async function markPruned(db: Kysely<Database>): Promise<void> {
  await db
    .insertInto('retention')
    .values({ id: 1, prunes: 1 })
    .onConflict((oc) => oc.column('id').doUpdateSet({ prunes: sql`retention.prunes + 1` }))
    .execute();
}

/** What a policy deletes at `now` (epoch seconds), or null when it keeps everything. */
export function pruneOptionsFor(policy: RetentionPolicy, now: number): PruneOptions | null {
  const before = (days: number | null) => (days === null ? undefined : now - days * 86_400);
  const options: PruneOptions = {};
  const reports = before(policy.reportsDays);
  const failureReports = before(policy.failureReportsDays);
  const quarantine = before(policy.quarantineDays);
  if (reports !== undefined) options.reportsBefore = reports;
  if (failureReports !== undefined) options.failureReportsBefore = failureReports;
  if (quarantine !== undefined) options.quarantineBefore = quarantine;
  return Object.keys(options).length === 0 ? null : options;
}

/** Sets these columns of the retention row, made when missing. */
async function upsertRetention(
  db: Kysely<Database>,
  values: Omit<Updateable<Database['retention']>, 'id' | 'prunes'>,
): Promise<void> {
  await db
    .insertInto('retention')
    .values({ id: 1, ...values })
    .onConflict((oc) => oc.column('id').doUpdateSet(values))
    .execute();
}

/**
 * An aggregate report's policy domain, and the From domain the rollup keys a record by, as
 * lookups compare a domain (lookupDomain: lower case, no trailing dot). Stored as the report
 * wrote them, `Example.JP`, `example.jp.` and `example.jp` were three domains in every analysis,
 * the domain list and the rollup, and one report sent with its domain in another case was a
 * second report, counted twice. What the report wrote stays in its raw bytes, and in the new
 * column policy_domain_raw when it differs.
 *
 * The store is brought to what an ingest of the same reports makes now:
 * - source_rollup's rows whose key changes are taken out and summed again under their new key
 *   (the new key is made of the old one alone: rollupHeaderFrom caps before it normalises), on
 *   SQLite after a killed run's staged sums are folded in (rollup_pending), so they move too;
 * - reports that become one report (same reporter and report ID) keep the fullest copy counted
 *   (countsOver, as ingest decides whatever the order of arrival): the others' records are
 *   withdrawn from the rollup and deleted, their bytes and copies kept as copies of it;
 * - then the reports' rows take the new form.
 * The names are brought to the new form in JavaScript, by lookupDomain itself (SQL's lower()
 * folds ASCII only on SQLite): SQL only picks the rows that may change.
 */
import { type Kysely, type Migration, type Selectable, sql } from 'kysely';
import { recordOfRow } from '../aggregate-rows.ts';
import { copyColumnsOf, keepReportCopy } from '../copies.ts';
import { countsOver, type StoredCopy, storedCopyOfRow, WITHDRAW_RECORDS_PER_STEP } from '../counted.ts';
import type { EngineKind } from '../engine.ts';
import {
  compactRollup,
  foldPendingRows,
  ROLLUP_MAX_PENDING_ROWS,
  RollupAccumulator,
  type RollupSlice,
  sliceKey,
} from '../rollup.ts';
import type { RollupReport } from '../rollup-key.ts';
import type { Database } from '../schema.ts';
import { lookupDomain } from '../values.ts';
import type { AnyDb } from './builders.ts';

/** Days of a policy domain's rollup rows moved per statement: the rows read back stay bounded. */
const DAYS_PER_STEP = 31;
/** From domains named per statement. */
const NAMES_PER_STEP = 500;

export function policyDomainLookup(kind: EngineKind): Migration {
  return {
    async up(before: AnyDb) {
      // The tables this migration reads are as schema.ts has them from here on.
      const db = before as Kysely<Database>;
      await db.schema.alterTable('reports').addColumn('policy_domain_raw', 'text').execute();
      if (kind === 'sqlite') await foldPendingRows(db);
      const rollup = new RollupAccumulator(kind, (value) => value);
      const flush = async (all = false) => {
        if (!all && rollup.pending < ROLLUP_MAX_PENDING_ROWS) return;
        for (const statement of rollup.take()) await db.executeQuery(statement);
      };
      await moveRollupRows(db, kind, rollup, flush);
      const withdrawn = await mergeReports(db, kind, rollup, flush);
      await flush(true);
      if (kind === 'postgres') await compactRollup(db, rollup.slices);
      else {
        // Keys a withdrawn report's records leave at 0 go, as dropCountedOut does at ingest.
        for (const slice of withdrawn) {
          await db
            .deleteFrom('source_rollup')
            .where('policy_domain', '=', slice.policyDomain)
            .where('day', '=', slice.day)
            .where('messages', '=', 0)
            .execute();
        }
      }
      for (const [name, lookup] of await changedNames(db, kind, 'reports', 'policy_domain')) {
        await db
          .updateTable('reports')
          .set({ policy_domain_raw: sql.ref('policy_domain'), policy_domain: lookup })
          .where('policy_domain', '=', name)
          .execute();
      }
    },
  };
}

/**
 * The values of `column` in `table` that lookupDomain changes, with what it makes of them. SQL
 * picks every value that may change (an ASCII capital, a character outside printable ASCII, a
 * space or a dot at an edge), lookupDomain decides.
 */
export async function changedNames(
  db: Kysely<Database>,
  kind: EngineKind,
  table: 'reports' | 'source_rollup' | 'failure_reports' | 'tls_policies',
  column: 'policy_domain' | 'header_from' | 'reported_domain',
): Promise<Map<string, string>> {
  const { rows } = await sql<{
    name: string;
  }>`select distinct ${sql.ref(column)} as name from ${sql.table(table)}
    where ${mayChange(kind, column)}`.execute(db);
  const changed = new Map<string, string>();
  for (const { name } of rows) {
    const lookup = lookupDomain(name);
    if (lookup !== name) changed.set(name, lookup);
  }
  return changed;
}

/** Whether a name may not be in lookupDomain's form: a superset, in either engine's SQL. */
function mayChange(kind: EngineKind, column: string) {
  const ref = sql.ref(column);
  const outsideAscii = kind === 'postgres' ? sql`${ref} ~ '[^ -~]'` : sql`${ref} glob '*[^ -~]*'`;
  return sql`(${ref} <> lower(${ref}) or ${outsideAscii} or ${ref} like '%.' or ${ref} like ' %' or ${ref} like '% ')`;
}

/**
 * Takes out source_rollup's rows whose policy domain or From domain changes and adds them to
 * `rollup` under their new key: every row of a policy domain that changes, a few days at a time;
 * the changing From domains' rows of the others.
 */
async function moveRollupRows(
  db: Kysely<Database>,
  kind: EngineKind,
  rollup: RollupAccumulator,
  flush: () => Promise<void>,
): Promise<void> {
  const policyDomains = await changedNames(db, kind, 'source_rollup', 'policy_domain');
  const froms = await changedNames(db, kind, 'source_rollup', 'header_from');
  const move = async (rows: Selectable<Database['source_rollup']>[]) => {
    for (const row of rows) {
      rollup.addParts(
        {
          policyDomain: lookupDomain(row.policy_domain),
          day: Number(row.day),
          adkim: row.adkim,
          aspf: row.aspf,
        },
        row.source_ip,
        lookupDomain(row.header_from),
        row.disposition,
        row.dkim,
        row.spf,
        [row.dkim_auth, row.spf_auth, row.reasons],
        Number(row.messages),
      );
    }
    await flush();
  };
  for (const name of policyDomains.keys()) {
    const days = await db
      .selectFrom('source_rollup')
      .select('day')
      .distinct()
      .where('policy_domain', '=', name)
      .orderBy('day')
      .execute();
    for (let from = 0; from < days.length; from += DAYS_PER_STEP) {
      const part = days.slice(from, from + DAYS_PER_STEP).map((row) => Number(row.day));
      await move(
        await db
          .deleteFrom('source_rollup')
          .where('policy_domain', '=', name)
          .where('day', 'in', part)
          .returningAll()
          .execute(),
      );
    }
  }
  if (froms.size === 0) return;
  // The From domains that change, under the policy domains that stay (the others moved whole).
  const names = [...froms.keys()];
  for (let from = 0; from < names.length; from += NAMES_PER_STEP) {
    const part = names.slice(from, from + NAMES_PER_STEP);
    const under = await db
      .selectFrom('source_rollup')
      .select('policy_domain')
      .distinct()
      .where('header_from', 'in', part)
      .execute();
    for (const { policy_domain } of under) {
      await move(
        await db
          .deleteFrom('source_rollup')
          .where('policy_domain', '=', policy_domain)
          .where('header_from', 'in', part)
          .returningAll()
          .execute(),
      );
    }
  }
}

/**
 * Reports that become one report under their new policy domain (the same reporter and report
 * ID): the fullest copy stays counted, the others' records are withdrawn into `rollup` and
 * deleted, and their bytes and copies are kept as copies of it. The slices withdrawn from.
 */
async function mergeReports(
  db: Kysely<Database>,
  kind: EngineKind,
  rollup: RollupAccumulator,
  flush: () => Promise<void>,
): Promise<RollupSlice[]> {
  const spellings = new Map<string, string[]>();
  for (const [name, lookup] of await changedNames(db, kind, 'reports', 'policy_domain')) {
    spellings.set(lookup, [...(spellings.get(lookup) ?? [lookup]), name]);
  }
  const withdrawn = new Map<string, RollupSlice>();
  for (const [lookup, names] of spellings) {
    const rows = await db
      .selectFrom('reports as r')
      .select([
        'r.id',
        'r.reporter_id',
        'r.report_id',
        'r.raw_sha256',
        'r.record_count',
        'r.message_count',
        'r.policy_domain',
        'r.date_begin',
        'r.date_end',
        'r.adkim',
        'r.aspf',
      ])
      .where('r.policy_domain', 'in', names)
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('reports as o')
            .select('o.id')
            .whereRef('o.reporter_id', '=', 'r.reporter_id')
            .whereRef('o.report_id', '=', 'r.report_id')
            .whereRef('o.id', '<>', 'r.id')
            .where('o.policy_domain', 'in', names),
        ),
      )
      .orderBy('r.id')
      .execute();
    const groups = new Map<string, StoredCopy[]>();
    for (const row of rows) {
      const key = `${row.reporter_id}\u0000${row.report_id}`;
      const copy = storedCopyOfRow({ ...row, policy_domain: lookup });
      groups.set(key, [...(groups.get(key) ?? []), copy]);
    }
    for (const copies of groups.values()) {
      const counted = copies.reduce((a, b) => (countsOver(b, a) ? b : a));
      for (const other of copies) {
        if (other === counted) continue;
        await withdraw(db, kind, other, rollup);
        await flush();
        withdrawn.set(sliceKey(other.rollupReport), other.rollupReport);
        await keepAsCopy(db, other.id, counted);
      }
    }
  }
  return [...withdrawn.values()];
}

/** Takes a report's records out of the rollup (its sums negated into `rollup`) and deletes them. */
async function withdraw(
  db: Kysely<Database>,
  kind: EngineKind,
  report: StoredCopy,
  rollup: RollupAccumulator,
) {
  const rollupReport: RollupReport = report.rollupReport;
  for (let from = 0; from < report.records; from += WITHDRAW_RECORDS_PER_STEP) {
    const rows = await db
      .selectFrom('records')
      .selectAll()
      .where('report_id', '=', report.id)
      .where('record_index', '>=', from)
      .where('record_index', '<', from + WITHDRAW_RECORDS_PER_STEP)
      .execute();
    for (const row of rows) {
      const record = recordOfRow(kind, row);
      rollup.add(rollupReport, { ...record, count: -record.count });
    }
  }
  await db.deleteFrom('records').where('report_id', '=', report.id).execute();
}

/**
 * Report `id`, no longer counted, kept as copies of `counted`: its bytes, and the copies it kept,
 * each unless `counted` has those bytes already. Then its row goes.
 */
async function keepAsCopy(db: Kysely<Database>, id: number, counted: StoredCopy) {
  const row = await db.selectFrom('reports').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  await keepReportCopy(
    db,
    'report_copies',
    { id: counted.id, raw_sha256: counted.sha256 },
    copyColumnsOf(row),
  );
  const copies = await db.selectFrom('report_copies').selectAll().where('report_id', '=', id).execute();
  for (const copy of copies) {
    await keepReportCopy(
      db,
      'report_copies',
      { id: counted.id, raw_sha256: counted.sha256 },
      copyColumnsOf(copy),
    );
  }
  await db.deleteFrom('report_copies').where('report_id', '=', id).execute();
  await db.deleteFrom('reports').where('id', '=', id).execute();
}

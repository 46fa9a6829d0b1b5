/**
 * Other copies of a stored report: a report whose identity is stored already (an aggregate
 * report's reporter, report ID and policy domain; a TLS report's organisation and report ID) is
 * a duplicate, and is not counted again; when its raw bytes differ from the stored report's,
 * they are kept (report_copies, migration 0011; tls_report_copies, 0012), so that nothing
 * received is lost. Which of an aggregate report's copies is the counted one: counted.ts.
 */
import type { Kysely } from 'kysely';
import type { Database, ReportCopiesTable } from './schema.ts';
import type { InsertOutcome } from './types.ts';

/** A copy's row but its id and report: its raw columns and where it came from. */
export type CopyColumns = Omit<ReportCopiesTable, 'id' | 'report_id'>;

/** Where the copies of each kind of report are kept. */
export type CopiesTable = 'report_copies' | 'tls_report_copies';

/**
 * Keeps `copy` beside the stored report `stored` (in `table`) when its bytes differ from the
 * report's and from every copy kept before. The id of the new copy, or undefined when nothing
 * was new.
 */
export async function keepReportCopy(
  db: Kysely<Database>,
  table: CopiesTable,
  stored: { id: number; raw_sha256: string },
  copy: CopyColumns,
): Promise<number | undefined> {
  if (copy.raw_sha256 === stored.raw_sha256) return undefined;
  const row = await db
    .insertInto(table)
    .values({ ...copy, report_id: stored.id })
    .onConflict((oc) => oc.columns(['report_id', 'raw_sha256']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

/** The columns a copy takes from the report it is a copy of: its raw bytes and where it came from. */
const COPY_COLUMNS = [
  'raw_sha256',
  'raw_size',
  'raw_encoding',
  'raw',
  'source',
  'received_at',
  'ingested_at',
] as const satisfies readonly (keyof CopyColumns)[];

/** A report's row (any table with RawColumns and provenance) made into the row of a copy of it. */
export function copyColumnsOf(row: CopyColumns): CopyColumns {
  const copy: Partial<Record<keyof CopyColumns, unknown>> = {};
  for (const column of COPY_COLUMNS) copy[column] = row[column];
  return copy as CopyColumns;
}

/** The table whose rows have their copies in `table`. */
const COUNTED_IN = { report_copies: 'reports', tls_report_copies: 'tls_reports' } as const;

/**
 * Keeps the raw bytes and provenance of stored report `id` (of the table whose copies `table`
 * holds) as a copy of it, before a fuller copy takes its row (counted.ts). The copy's id, or
 * undefined when those bytes were kept as a copy already.
 */
export async function keepCountedAsCopy(
  db: Kysely<Database>,
  table: CopiesTable,
  id: number,
): Promise<number | undefined> {
  const row = await db
    .insertInto(table)
    .columns(['report_id', ...COPY_COLUMNS])
    .expression((eb) =>
      eb
        .selectFrom(COUNTED_IN[table])
        .select(['id', ...COPY_COLUMNS])
        .where('id', '=', id),
    )
    .onConflict((oc) => oc.columns(['report_id', 'raw_sha256']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

/** Forgets raw bytes kept as a copy of report `id` once they are its counted copy. */
export async function forgetCopy(db: Kysely<Database>, table: CopiesTable, id: number, sha256: string) {
  await db.deleteFrom(table).where('report_id', '=', id).where('raw_sha256', '=', sha256).execute();
}

/** A duplicate of stored report `id`, with the copy kept of it if any. */
export function duplicateOutcome(
  id: number,
  copy: number | undefined,
): Extract<InsertOutcome, { status: 'duplicate' }> {
  return copy === undefined ? { status: 'duplicate', id } : { status: 'duplicate', id, copy };
}

/** The copies kept of a report, oldest first, without their bytes. */
export function listReportCopies(db: Kysely<Database>, table: CopiesTable, reportId: number) {
  return db
    .selectFrom(table)
    .select(['id', 'raw_sha256', 'raw_size', 'source', 'received_at', 'ingested_at'])
    .where('report_id', '=', reportId)
    .orderBy('id')
    .execute();
}

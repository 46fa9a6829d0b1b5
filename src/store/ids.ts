/**
 * Ids of new reports that no deleted report had. SQLite gives a new row the id after the largest
 * in its table, so a deleted report's id, once it was the largest, went to the next report
 * stored. Before rows are deleted, the largest id of their table is kept in id_floors
 * (0027-id-floors); on SQLite a new row takes the id past both that floor and the table's largest,
 * read in its write transaction (the only one at a time). PostgreSQL's sequences give no id twice.
 */
import { type Kysely, sql } from 'kysely';
import type { EngineKind } from './engine.ts';
import type { Database } from './schema.ts';

/** The tables whose ids a reader meets again: in links, the API and the CLI. */
export type ReportTable = 'reports' | 'failure_reports' | 'tls_reports';

/**
 * SQLite: the first id a new row of `table` may take, in the caller's write transaction (rows
 * inserted in it take the ids after it in turn); undefined on PostgreSQL, whose sequence gives it.
 */
export async function firstFreeId(
  db: Kysely<Database>,
  engine: EngineKind,
  table: ReportTable,
): Promise<number | undefined> {
  if (engine === 'postgres') return undefined;
  const { rows } = await sql<{ next: number }>`select max(
      coalesce((select last_id from id_floors where name = ${table}), 0),
      coalesce((select max(id) from ${sql.table(table)}), 0)) + 1 as next`.execute(db);
  return Number(rows[0]!.next);
}

/** Before rows of `table` are deleted, in the deleting transaction: no id up to its largest is given again. */
export async function raiseIdFloor(
  db: Kysely<Database>,
  engine: EngineKind,
  table: ReportTable,
): Promise<void> {
  if (engine === 'postgres') return;
  // WHERE true: without it SQLite would read ON CONFLICT as a join constraint.
  await sql`insert into id_floors (name, last_id)
    select ${table}, coalesce(max(id), 0) from ${sql.table(table)} where true
    on conflict (name) do update set last_id = max(id_floors.last_id, excluded.last_id)`.execute(db);
}

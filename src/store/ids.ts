/**
 * Ids that no deleted row had, for the tables a reader addresses by id (links, the API, the CLI).
 * SQLite gives a new row the id after the largest in its table, so a deleted report's id, once it
 * was the largest, went to the next report stored. Before rows are deleted, the largest id among
 * them (or in their table) is kept in id_floors (0027-id-floors); on SQLite a new row takes the
 * id past both that floor and the table's largest, read in its write transaction (the only one at
 * a time). PostgreSQL's sequences give no id twice: none of this runs there.
 */
import { type CompiledQuery, type Kysely, sql } from 'kysely';
import type { EngineKind } from './engine.ts';
import type { Database } from './schema.ts';

/** The tables whose ids a reader meets again. */
export type IdTable = 'reports' | 'failure_reports' | 'tls_reports' | 'quarantine';

/** A floor raised to `last_id` when that is higher. */
const RAISE = sql`on conflict (name) do update set last_id = max(id_floors.last_id, excluded.last_id)`;

/**
 * SQLite: the first id a new row of `table` may take, in the caller's write transaction (rows
 * inserted in it take the ids after it in turn); undefined on PostgreSQL, whose sequence gives it.
 */
export async function firstFreeId(
  db: Kysely<Database>,
  engine: EngineKind,
  table: IdTable,
): Promise<number | undefined> {
  if (engine === 'postgres') return undefined;
  const { rows } = await sql<{ next: number }>`select max(
      coalesce((select last_id from id_floors where name = ${table}), 0),
      coalesce((select max(id) from ${sql.table(table)}), 0)) + 1 as next`.execute(db);
  return Number(rows[0]!.next);
}

/** Before rows of `table` are deleted, in the deleting transaction: no id up to its largest is given again. */
export async function raiseIdFloor(db: Kysely<Database>, engine: EngineKind, table: IdTable): Promise<void> {
  if (engine === 'postgres') return;
  // WHERE true: without it SQLite would read ON CONFLICT as a join constraint.
  await sql`insert into id_floors (name, last_id)
    select ${table}, coalesce(max(id), 0) from ${sql.table(table)} where true ${RAISE}`.execute(db);
}

/**
 * SQLite: the statement that keeps the id of the quarantined bytes among `sha256s` as the floor,
 * to run before they leave the quarantine (stored as a report at last); it writes only when they
 * are there. Null on PostgreSQL.
 */
export function quarantineFloorOf(
  db: Kysely<Database>,
  engine: EngineKind,
  sha256s: readonly string[],
): CompiledQuery | null {
  if (engine === 'postgres' || sha256s.length === 0) return null;
  return sql`insert into id_floors (name, last_id)
    select 'quarantine', id from quarantine where raw_sha256 in (${sql.join(sha256s)})
    order by id desc limit 1 ${RAISE}`.compile(db);
}

/**
 * On PostgreSQL, `records.report_id` loses its foreign key to `reports`: the check locks the
 * report's row for every record written (FOR KEY SHARE), measured on the ingest bench (100,000
 * records) at 0.7 s of the server's 4.1-4.9 s of CPU, 7% of the run. Only the store writes
 * records, in the transaction that writes their report, as with the results 0008 moved into them
 * (0001 made those without a key for the same reason on PostgreSQL); and nothing deletes
 * reports, so the key's cascade had nothing to do: whatever comes to delete reports deletes
 * their records with them.
 *
 * SQLite keeps its key: its check is a lookup in a page already in memory and measured nothing
 * (11 runs each way), and dropping it there would mean making the table again.
 */
import { type Migration, sql } from 'kysely';
import type { EngineKind } from '../engine.ts';
import type { AnyDb } from './builders.ts';

export function recordsUncheckedKey(kind: EngineKind): Migration {
  return {
    async up(db: AnyDb) {
      if (kind !== 'postgres') return;
      const keys = await sql<{ name: string }>`
        select conname as name from pg_constraint
        where conrelid = 'records'::regclass and contype = 'f'`.execute(db);
      for (const { name } of keys.rows) {
        await sql`alter table records drop constraint ${sql.id(name)}`.execute(db);
      }
    },
  };
}

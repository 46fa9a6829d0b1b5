/**
 * On PostgreSQL, `reports.reporter_id` loses its foreign key to `reporters`, as records lost
 * theirs to reports in 0009: the check runs a query per report row and locks the reporter's row
 * (FOR KEY SHARE) until the batch commits, so batches written at once by the same few reporters
 * share those locks (MultiXacts). Measured on the ingest bench (10,000 reports in batches
 * written four at a time): the server's CPU fell from 2.80 to 2.60 s, the run 4% shorter. The
 * store writes a reporter's row before any report of it, in a transaction of its own
 * (Store.reporterId), and nothing deletes reporters.
 *
 * SQLite keeps its key, for the reasons 0009 gives.
 */
import { type Migration, sql } from 'kysely';
import type { EngineKind } from '../engine.ts';
import type { AnyDb } from './builders.ts';

export function reportsUncheckedReporter(kind: EngineKind): Migration {
  return {
    async up(db: AnyDb) {
      if (kind !== 'postgres') return;
      const keys = await sql<{ name: string }>`
        select conname as name from pg_constraint
        where conrelid = 'reports'::regclass and contype = 'f' and confrelid = 'reporters'::regclass`.execute(
        db,
      );
      for (const { name } of keys.rows) {
        await sql`alter table reports drop constraint ${sql.id(name)}`.execute(db);
      }
    },
  };
}

/**
 * retention: one row (id 1) holding the retention policy `sumi serve` applies once a day (days
 * each kind is kept; null keeps it for ever), how its last run went, and how many times a prune (the
 * policy's or `sumi prune`'s) deleted something: a count the dashboard's answers are kept until
 * it changes (analysis-cache.ts).
 */
import type { Migration } from 'kysely';
import type { EngineKind } from '../engine.ts';
import { type AnyDb, schemaBuilders } from './builders.ts';

export function retention(kind: EngineKind): Migration {
  const { int } = schemaBuilders(kind);
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('retention')
        .addColumn('id', int, (c) => c.primaryKey())
        .addColumn('reports_days', int)
        .addColumn('failure_reports_days', int)
        .addColumn('quarantine_days', int)
        .addColumn('updated_at', int)
        .addColumn('last_run_at', int)
        /** JSON of the last run's PruneTotals. */
        .addColumn('last_run', 'text')
        .addColumn('last_error', 'text')
        .addColumn('prunes', int, (c) => c.notNull().defaultTo(0))
        .execute();
    },
  };
}

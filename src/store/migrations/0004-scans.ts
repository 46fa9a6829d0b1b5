/**
 * Stored survey scans: a named scan with its method, one row per domain (keyed by scan and
 * domain, so a write repeated by a resumed scan or a retried shard replaces the row), and the
 * shards of a scan distributed through a queue.
 */
import type { Migration } from 'kysely';
import type { EngineKind } from '../engine.ts';
import { type AnyDb, schemaBuilders } from './builders.ts';

export function surveyScans(kind: EngineKind): Migration {
  const { int, withId, clustered } = schemaBuilders(kind);
  return {
    async up(db: AnyDb) {
      await withId(db.schema.createTable('survey_scans'))
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('list', 'text', (c) => c.notNull())
        .addColumn('options', 'text', (c) => c.notNull())
        .addColumn('flag_names', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('lines', int)
        .addColumn('invalid', int)
        .addColumn('shards', int)
        .addColumn('started_at', int, (c) => c.notNull())
        .addColumn('finished_at', int)
        .execute();

      await clustered(
        db.schema
          .createTable('survey_results')
          .addColumn('scan_id', int, (c) => c.notNull().references('survey_scans.id').onDelete('cascade'))
          .addColumn('domain', 'text', (c) => c.notNull())
          .addColumn('category', 'text', (c) => c.notNull())
          .addColumn('organisation', 'text')
          .addColumn('measured', int, (c) => c.notNull())
          .addColumn('flags', int, (c) => c.notNull())
          .addColumn('passes', int, (c) => c.notNull())
          .addColumn('policy_domain', 'text')
          .addColumn('answers', 'text', (c) => c.notNull())
          .addColumn('measured_at', int, (c) => c.notNull())
          .addPrimaryKeyConstraint('survey_results_key', ['scan_id', 'domain']),
      ).execute();

      await clustered(
        db.schema
          .createTable('survey_shards')
          .addColumn('scan_id', int, (c) => c.notNull().references('survey_scans.id').onDelete('cascade'))
          .addColumn('shard', int, (c) => c.notNull())
          .addColumn('domains', int, (c) => c.notNull())
          .addColumn('worker', 'text', (c) => c.notNull())
          .addColumn('finished_at', int, (c) => c.notNull())
          .addPrimaryKeyConstraint('survey_shards_key', ['scan_id', 'shard']),
      ).execute();
    },
  };
}

/**
 * quarantine_sources: every place the bytes of a quarantine row came from. The row is one per
 * bytes (raw_sha256), and the same bytes fail from several inputs (two empty files, a mail
 * delivered to two folders): its `source` names only the latest, and the others could not be
 * found by their names. A row's sources go with it (on delete cascade).
 */
import type { Migration } from 'kysely';
import type { EngineKind } from '../engine.ts';
import { type AnyDb, schemaBuilders } from './builders.ts';

export function quarantineSources(kind: EngineKind): Migration {
  const { int } = schemaBuilders(kind);
  return {
    async up(db: AnyDb) {
      // No key on the source itself: a path may be longer than a PostgreSQL index entry holds.
      await db.schema
        .createTable('quarantine_sources')
        .addColumn('quarantine_id', int, (c) => c.notNull().references('quarantine.id').onDelete('cascade'))
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('seen_at', int, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('quarantine_sources_entry')
        .on('quarantine_sources')
        .columns(['quarantine_id', 'seen_at'])
        .execute();
      // The one source each row kept.
      await db
        .insertInto('quarantine_sources')
        .columns(['quarantine_id', 'source', 'seen_at'])
        .expression(db.selectFrom('quarantine').select(['id', 'source', 'last_seen_at']))
        .execute();
    },
  };
}

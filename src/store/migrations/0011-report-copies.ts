/**
 * report_copies: the raw bytes of a report that arrived again under a stored report's identity
 * (reporter, report ID, policy domain) with other bytes. The stored report stays the one counted
 * (its records, the rollup); the other copy is kept beside it rather than dropped, so that
 * nothing received is lost (the shared corpus holds five such groups, up to five copies each,
 * with different records). The same bytes again keep nothing new.
 */
import type { Migration } from 'kysely';
import type { EngineKind } from '../engine.ts';
import { type AnyDb, schemaBuilders } from './builders.ts';

export function reportCopies(kind: EngineKind): Migration {
  const { int, blob, withId } = schemaBuilders(kind);
  return {
    async up(db: AnyDb) {
      await withId(db.schema.createTable('report_copies'))
        .addColumn('report_id', int, (c) => c.notNull().references('reports.id'))
        .addColumn('raw_sha256', 'text', (c) => c.notNull())
        .addColumn('raw_size', int, (c) => c.notNull())
        .addColumn('raw_encoding', 'text', (c) => c.notNull())
        .addColumn('raw', blob, (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('received_at', int)
        .addColumn('ingested_at', int, (c) => c.notNull())
        .addUniqueConstraint('report_copies_report_sha256', ['report_id', 'raw_sha256'])
        .execute();
    },
  };
}

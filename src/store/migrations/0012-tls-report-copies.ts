/**
 * tls_report_copies: as report_copies (0011) for SMTP TLS reports. A TLS report whose
 * organisation and report ID are stored already is a duplicate, counted once; when its bytes
 * differ from the stored report's, they are kept here rather than dropped. Its `report_id` is
 * the stored TLS report's id (tls_reports.id), so that both tables have the same shape.
 */
import type { Migration } from 'kysely';
import type { EngineKind } from '../engine.ts';
import { type AnyDb, schemaBuilders } from './builders.ts';

export function tlsReportCopies(kind: EngineKind): Migration {
  const { int, blob, withId } = schemaBuilders(kind);
  return {
    async up(db: AnyDb) {
      await withId(db.schema.createTable('tls_report_copies'))
        .addColumn('report_id', int, (c) => c.notNull().references('tls_reports.id'))
        .addColumn('raw_sha256', 'text', (c) => c.notNull())
        .addColumn('raw_size', int, (c) => c.notNull())
        .addColumn('raw_encoding', 'text', (c) => c.notNull())
        .addColumn('raw', blob, (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('received_at', int)
        .addColumn('ingested_at', int, (c) => c.notNull())
        .addUniqueConstraint('tls_report_copies_report_sha256', ['report_id', 'raw_sha256'])
        .execute();
    },
  };
}

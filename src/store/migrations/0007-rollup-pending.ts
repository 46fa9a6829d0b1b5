/**
 * rollup_pending: sums waiting to be folded into source_rollup. A bulk ingest appends each
 * batch's sums here, in the batch's transaction, and folds them into source_rollup at its end
 * (rollup.ts, foldPendingRollup). Upserting source_rollup per batch dirtied a page of its
 * b-tree per distinct sender and day, hundreds per commit: two thirds of the bytes an ingest
 * wrote. Appending touches the table's last pages only; the fold writes source_rollup once, in
 * key order. PostgreSQL upserts at once (see KyselyStore.rollupTarget); the table is there too,
 * empty, so that the schema is the same on both engines.
 */
import type { Migration } from 'kysely';
import type { EngineKind } from '../engine.ts';
import { type AnyDb, schemaBuilders } from './builders.ts';

export function rollupPending(kind: EngineKind): Migration {
  const { int, withId, pg } = schemaBuilders(kind);
  return {
    async up(db: AnyDb) {
      // SQLite: AUTOINCREMENT, so that ids are never used again once a fold has emptied the
      // table: a staged row is known by its id (KyselyStore.foldAbandonedRollup).
      const table = db.schema.createTable('rollup_pending');
      await (pg ? withId(table) : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()))
        .addColumn('policy_domain', 'text', (c) => c.notNull())
        .addColumn('day', int, (c) => c.notNull())
        .addColumn('source_ip', 'text', (c) => c.notNull())
        .addColumn('header_from', 'text', (c) => c.notNull())
        .addColumn('disposition', 'text', (c) => c.notNull())
        .addColumn('dkim', 'text', (c) => c.notNull())
        .addColumn('spf', 'text', (c) => c.notNull())
        .addColumn('adkim', 'text', (c) => c.notNull())
        .addColumn('aspf', 'text', (c) => c.notNull())
        .addColumn('dkim_auth', 'text', (c) => c.notNull())
        .addColumn('spf_auth', 'text', (c) => c.notNull())
        .addColumn('reasons', 'text', (c) => c.notNull())
        .addColumn('messages', int, (c) => c.notNull())
        .execute();
    },
  };
}

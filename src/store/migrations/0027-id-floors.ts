/**
 * id_floors: per table a reader addresses by id (aggregate, failure and SMTP TLS reports, the
 * quarantine), the largest id ever deleted from it, or more (ids.ts, raised before deleting).
 * SQLite gives a new row the id after the largest in its table, so once the newest reports were
 * deleted (a retention run, ingesting an old archive last) their ids went to the next reports
 * stored, and a link to a deleted report showed another. Making the tables AUTOINCREMENT would
 * copy every stored report, raw bytes and all; instead new rows take their ids past the floor
 * (ids.ts). PostgreSQL's sequences never give an id twice: the table is there too, empty, so
 * that the schema is the same on both engines. Ids deleted before this migration are not known.
 */
import type { Migration } from 'kysely';
import type { EngineKind } from '../engine.ts';
import { type AnyDb, schemaBuilders } from './builders.ts';

export function idFloors(kind: EngineKind): Migration {
  const { int } = schemaBuilders(kind);
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('id_floors')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('last_id', int, (c) => c.notNull())
        .execute();
    },
  };
}

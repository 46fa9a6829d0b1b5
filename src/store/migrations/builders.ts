/** Column and table shapes every migration spells the same way on both engines. */
import { type CreateTableBuilder, type Kysely, sql } from 'kysely';
import type { EngineKind } from '../engine.ts';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then, not as typed now.
export type AnyDb = Kysely<any>;
// biome-ignore lint/suspicious/noExplicitAny: see AnyDb.
export type Table = CreateTableBuilder<string, any>;

export interface SchemaBuilders {
  pg: boolean;
  /** Integers are 64-bit on both engines. */
  int: 'bigint';
  blob: 'bytea' | 'blob';
  /** SQLite: `integer primary key` is the rowid itself. PostgreSQL: a 64-bit identity. */
  withId(t: Table): Table;
  /**
   * Tables keyed by (parent, position) are clustered on that key in SQLite: no rowid b-tree
   * beside the key's index, and rows land in key order as they are written.
   */
  clustered(t: Table): Table;
}

export function schemaBuilders(kind: EngineKind): SchemaBuilders {
  const pg = kind === 'postgres';
  return {
    pg,
    int: 'bigint',
    blob: pg ? 'bytea' : 'blob',
    withId: (t) =>
      pg
        ? t.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
        : t.addColumn('id', 'integer', (c) => c.primaryKey()),
    clustered: (t) => (pg ? t : t.modifyEnd(sql`without rowid`)),
  };
}

/**
 * One rollup instead of two: source_rollup gains the disposition and daily_rollup (with its
 * unused header_from index) goes. Every stored record was summed into both; the two upserts
 * were a third of an ingest's time (bench/ingest.ts), and every question daily_rollup answered
 * is a GROUP BY over the new source_rollup. The new table is filled again from the stored
 * records, as ingest would have summed them.
 */
import type { Migration } from 'kysely';
import type { EngineKind } from '../engine.ts';
import { rebuildSourceRollup } from '../rollup.ts';
import { type AnyDb, schemaBuilders } from './builders.ts';

export function oneRollup(kind: EngineKind): Migration {
  const { int, clustered } = schemaBuilders(kind);
  return {
    async up(db: AnyDb) {
      await db.schema.dropTable('daily_rollup').execute();
      await db.schema.dropTable('source_rollup').execute();
      // Key: a domain over a period first, then what a sender's fail reason is computed from.
      // Every key column is NOT NULL ('' for "the report did not say") so the upsert matches.
      // On PostgreSQL the key is added after the rebuild, which appends rows and then merges
      // each key's into one (rebuildSourceRollup, as ingest does since 0013-rollup-appended).
      const key = [
        'policy_domain',
        'day',
        'source_ip',
        'header_from',
        'disposition',
        'dkim',
        'spf',
        'adkim',
        'aspf',
        'dkim_auth',
        'spf_auth',
        'reasons',
      ] as const;
      const table = db.schema
        .createTable('source_rollup')
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
        .addColumn('messages', int, (c) => c.notNull());
      if (kind === 'postgres') {
        await table.execute();
        await rebuildSourceRollup(db, kind);
        await db.schema
          .alterTable('source_rollup')
          .addPrimaryKeyConstraint('source_rollup_pk', [...key])
          .execute();
        return;
      }
      await clustered(table.addPrimaryKeyConstraint('source_rollup_pk', [...key])).execute();
      await rebuildSourceRollup(db, kind);
    },
  };
}

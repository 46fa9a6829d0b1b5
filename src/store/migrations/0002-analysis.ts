/**
 * Analysis: the per-sender rollup that sources and simulate read instead of the records, the
 * owner's inventory of their domains, and the owner's marks on senders.
 */
import type { Migration } from 'kysely';
import type { EngineKind } from '../engine.ts';
import { type AnyDb, schemaBuilders } from './builders.ts';

export function analysisTables(kind: EngineKind): Migration {
  const { int, clustered } = schemaBuilders(kind);
  return {
    async up(db: AnyDb) {
      // Key: a domain over a period first, then what a sender's fail reason is computed from.
      // Every key column is NOT NULL ('' for "the report did not say") so the upsert matches.
      await clustered(
        db.schema
          .createTable('source_rollup')
          .addColumn('policy_domain', 'text', (c) => c.notNull())
          .addColumn('day', int, (c) => c.notNull())
          .addColumn('source_ip', 'text', (c) => c.notNull())
          .addColumn('header_from', 'text', (c) => c.notNull())
          .addColumn('dkim', 'text', (c) => c.notNull())
          .addColumn('spf', 'text', (c) => c.notNull())
          .addColumn('adkim', 'text', (c) => c.notNull())
          .addColumn('aspf', 'text', (c) => c.notNull())
          .addColumn('dkim_auth', 'text', (c) => c.notNull())
          .addColumn('spf_auth', 'text', (c) => c.notNull())
          .addColumn('reasons', 'text', (c) => c.notNull())
          .addColumn('messages', int, (c) => c.notNull())
          .addPrimaryKeyConstraint('source_rollup_pk', [
            'policy_domain',
            'day',
            'source_ip',
            'header_from',
            'dkim',
            'spf',
            'adkim',
            'aspf',
            'dkim_auth',
            'spf_auth',
            'reasons',
          ]),
      ).execute();

      await db.schema
        .createTable('domains')
        .addColumn('domain', 'text', (c) => c.primaryKey())
        .addColumn('note', 'text')
        .addColumn('added_at', int, (c) => c.notNull())
        .execute();

      await clustered(
        db.schema
          .createTable('sender_marks')
          .addColumn('domain', 'text', (c) => c.notNull())
          .addColumn('ip', 'text', (c) => c.notNull())
          .addColumn('mark', 'text', (c) => c.notNull())
          .addColumn('note', 'text')
          .addColumn('marked_at', int, (c) => c.notNull())
          .addPrimaryKeyConstraint('sender_marks_pk', ['domain', 'ip']),
      ).execute();
    },
  };
}

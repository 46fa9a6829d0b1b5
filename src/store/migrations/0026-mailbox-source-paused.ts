/**
 * imap_sources.paused_at: an admin may pause a mailbox source the dashboard keeps (its
 * credentials being rotated, the mailbox moved, a source failing noisily) and resume it later,
 * its settings kept; `sumi serve` connects no paused source. The epoch second it was paused at,
 * null while it is watched: the sources kept before are watched, as they were. Who paused it is
 * in the audit log.
 */
import type { Migration } from 'kysely';
import type { EngineKind } from '../engine.ts';
import { type AnyDb, schemaBuilders } from './builders.ts';

export function mailboxSourcePaused(kind: EngineKind): Migration {
  const { int } = schemaBuilders(kind);
  return {
    async up(db: AnyDb) {
      await db.schema.alterTable('imap_sources').addColumn('paused_at', int).execute();
    },
  };
}

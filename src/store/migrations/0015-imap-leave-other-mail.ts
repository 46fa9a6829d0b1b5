/**
 * imap_sources.leave_other_mail: an IMAP source the dashboard keeps may leave mail with nothing
 * like a report in it where it is (`sumi ingest --leave-other-mail`), for a mailbox the reports
 * share with people. 0 for the sources kept before: they keep and move such mail, as they did.
 */
import type { Migration } from 'kysely';
import type { EngineKind } from '../engine.ts';
import { type AnyDb, schemaBuilders } from './builders.ts';

export function imapLeaveOtherMail(kind: EngineKind): Migration {
  const { int } = schemaBuilders(kind);
  return {
    async up(db: AnyDb) {
      await db.schema
        .alterTable('imap_sources')
        .addColumn('leave_other_mail', int, (c) => c.notNull().defaultTo(0))
        .execute();
    },
  };
}

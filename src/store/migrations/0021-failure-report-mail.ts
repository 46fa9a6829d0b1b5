/**
 * failure_reports by the Message-ID of the mail that carried them: a report that comes again in
 * other bytes (CRLF lines, a header added on the way) is found by it (sameFailureReport in
 * store.ts). Not unique: stores may hold such copies from before, and a reporter may give every
 * mail one Message-ID.
 */
import type { Migration } from 'kysely';
import type { AnyDb } from './builders.ts';

export function failureReportMail(): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema
        .createIndex('failure_reports_mail_message_id')
        .on('failure_reports')
        .column('mail_message_id')
        .execute();
    },
  };
}

/**
 * quarantine.error_details: why an input gave no report, as the codes and values of its failures
 * (JSON of QuarantineDetails), so that the reason is said in the reader's language when shown;
 * error_message keeps the English words. Null for the entries kept before: they are shown with
 * their English words, as they were.
 */
import type { Migration } from 'kysely';
import type { AnyDb } from './builders.ts';

export function quarantineDetails(): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema.alterTable('quarantine').addColumn('error_details', 'text').execute();
    },
  };
}

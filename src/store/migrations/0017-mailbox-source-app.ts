/**
 * imap_sources.app: a mailbox source the dashboard keeps may sign in as a Microsoft Entra ID (or
 * other OAuth 2.0) application with the client credentials grant instead of a password: JSON of
 * its client id, the environment variable holding its secret (never the secret), and its tenant
 * or token endpoint. Needed for graph:// sources, which take no password. Null for the sources
 * kept before: they sign in with the password in password_env, as they did.
 */
import type { Migration } from 'kysely';
import type { AnyDb } from './builders.ts';

export function mailboxSourceApp(): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema.alterTable('imap_sources').addColumn('app', 'text').execute();
    },
  };
}

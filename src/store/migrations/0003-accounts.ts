/**
 * Accounts for `sumi serve`: users and their access to domains, sessions, API tokens, the
 * one-time setup link, failed logins (for the lockout), the audit log, domain groups and IMAP
 * sources. Secrets (session ids, API tokens, setup tokens) are kept as SHA-256 hashes,
 * passwords as scrypt hashes.
 */
import type { Migration } from 'kysely';
import type { EngineKind } from '../engine.ts';
import { type AnyDb, schemaBuilders } from './builders.ts';

export function accounts(kind: EngineKind): Migration {
  const { int, withId } = schemaBuilders(kind);
  return {
    async up(db: AnyDb) {
      await withId(db.schema.createTable('users'))
        .addColumn('username', 'text', (c) => c.notNull().unique())
        // Null until the user sets one through the setup link.
        .addColumn('password_hash', 'text')
        .addColumn('role', 'text', (c) => c.notNull())
        // 1: every domain, whatever the access rows say (admins always).
        .addColumn('all_domains', int, (c) => c.notNull())
        .addColumn('created_at', int, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('user_access')
        .addColumn('user_id', int, (c) => c.notNull().references('users.id').onDelete('cascade'))
        // 'domain': one domain (and its subdomains); 'group': every domain of the group.
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('user_access_key', ['user_id', 'kind', 'name'])
        .execute();

      // Domain groups for access (an integrator's client): the domains themselves are the
      // inventory's (analysis), a domain may be in several groups.
      await db.schema
        .createTable('domain_groups')
        .addColumn('group_name', 'text', (c) => c.notNull())
        .addColumn('domain', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('domain_groups_key', ['group_name', 'domain'])
        .execute();

      await db.schema
        .createTable('sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', int, (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('csrf_token', 'text', (c) => c.notNull())
        .addColumn('created_at', int, (c) => c.notNull())
        .addColumn('expires_at', int, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

      await withId(db.schema.createTable('api_tokens'))
        .addColumn('user_id', int, (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        // The first characters, so a person can tell tokens apart without the secret.
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('created_at', int, (c) => c.notNull())
        .addColumn('last_used_at', int)
        .execute();

      await db.schema
        .createTable('setup_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', int, (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('expires_at', int, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('login_failures')
        // 'user:NAME' or 'ip:ADDRESS'.
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('failures', int, (c) => c.notNull())
        .addColumn('first_failed_at', int, (c) => c.notNull())
        .addColumn('locked_until', int, (c) => c.notNull())
        .execute();

      await withId(db.schema.createTable('audit_log'))
        .addColumn('at', int, (c) => c.notNull())
        // No foreign key: the log outlives the users it names.
        .addColumn('user_id', int)
        .addColumn('username', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text')
        .addColumn('detail', 'text')
        .addColumn('ip', 'text')
        .execute();
      await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();

      await withId(db.schema.createTable('imap_sources'))
        // Without a password: the server reads it from the environment variable named here.
        .addColumn('url', 'text', (c) => c.notNull().unique())
        .addColumn('password_env', 'text', (c) => c.notNull())
        .addColumn('archive', 'text', (c) => c.notNull())
        .addColumn('created_at', int, (c) => c.notNull())
        .execute();
    },
  };
}

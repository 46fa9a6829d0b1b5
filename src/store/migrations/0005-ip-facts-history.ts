/**
 * Facts about sending IPs looked up outside ingestion (reverse DNS, cached with the answer's
 * TTL), and the DMARC records `sumi check --store` found, for the policy history.
 */
import type { Migration } from 'kysely';
import type { EngineKind } from '../engine.ts';
import { type AnyDb, schemaBuilders } from './builders.ts';

export function ipFactsHistory(kind: EngineKind): Migration {
  const { int, withId } = schemaBuilders(kind);
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('ip_facts')
        .addColumn('ip', 'text', (c) => c.primaryKey())
        // ok: a PTR name; none: definitely none (NXDOMAIN/NODATA); temporary: could not ask.
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('dns_status', 'text', (c) => c.notNull())
        .addColumn('ptr', 'text')
        .addColumn('ptr_confirmed', int, (c) => c.notNull())
        .addColumn('ptr_org_domain', 'text')
        .addColumn('error', 'text')
        .addColumn('looked_up_at', int, (c) => c.notNull())
        .addColumn('expires_at', int, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('ip_facts_expires').on('ip_facts').column('expires_at').execute();

      await withId(db.schema.createTable('dmarc_checks'))
        .addColumn('domain', 'text', (c) => c.notNull())
        .addColumn('checked_at', int, (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('policy_domain', 'text')
        .addColumn('record', 'text')
        .addColumn('p', 'text')
        .addColumn('sp', 'text')
        .addColumn('np', 'text')
        .addColumn('pct', int)
        .addColumn('testing', int)
        .addColumn('adkim', 'text')
        .addColumn('aspf', 'text')
        .addColumn('rua', 'text')
        .addColumn('ruf', 'text')
        .execute();
      await db.schema
        .createIndex('dmarc_checks_domain_time')
        .on('dmarc_checks')
        .columns(['domain', 'checked_at'])
        .execute();
    },
  };
}

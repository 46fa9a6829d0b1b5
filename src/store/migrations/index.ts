/**
 * The schema, as migrations defined in code (no files to find at run time). A migration, once
 * released, is never edited: changes are new migrations,
 * one file each in this folder, named so that they sort in the order they run, and listed below.
 */
import { type Kysely, type Migration, Migrator } from 'kysely';
import type { EngineKind } from '../engine.ts';
import type { Database } from '../schema.ts';

import { schemaV1 } from './0001-schema.ts';
import { analysisTables } from './0002-analysis.ts';
import { accounts } from './0003-accounts.ts';
import { surveyScans } from './0004-scans.ts';
import { ipFactsHistory } from './0005-ip-facts-history.ts';
import { oneRollup } from './0006-one-rollup.ts';
import { rollupPending } from './0007-rollup-pending.ts';
import { resultsInRecords } from './0008-results-in-records.ts';
import { recordsUncheckedKey } from './0009-records-unchecked-key.ts';
import { reportContact } from './0010-report-contact.ts';
import { reportCopies } from './0011-report-copies.ts';
import { tlsReportCopies } from './0012-tls-report-copies.ts';
import { rollupAppended } from './0013-rollup-appended.ts';
import { reportsUncheckedReporter } from './0014-reports-unchecked-reporter.ts';
import { imapLeaveOtherMail } from './0015-imap-leave-other-mail.ts';
import { quarantineDetails } from './0016-quarantine-details.ts';
import { mailboxSourceApp } from './0017-mailbox-source-app.ts';
import { retention } from './0018-retention.ts';
import { quarantineSources } from './0019-quarantine-sources.ts';
import { lookupDomains } from './0020-lookup-domains.ts';
import { failureReportMail } from './0021-failure-report-mail.ts';
import { failureReportDomains } from './0022-failure-report-domains.ts';
import { policyDomainLookup } from './0023-policy-domain-lookup.ts';
import { otherFeedbackQuarantined } from './0024-other-feedback-quarantined.ts';
import { lookupDomainsUnicode } from './0025-lookup-domains-unicode.ts';
import { mailboxSourcePaused } from './0026-mailbox-source-paused.ts';
import { idFloors } from './0027-id-floors.ts';

/** The table a store lists the migrations applied to it in. */
export const MIGRATION_TABLE = 'sumi_migrations';

/** Every migration, by name; names sort in the order they run. */
export function migrations(kind: EngineKind): Record<string, Migration> {
  return {
    '0001-schema': schemaV1(kind),
    '0002-analysis': analysisTables(kind),
    '0003-accounts': accounts(kind),
    '0004-scans': surveyScans(kind),
    '0005-ip-facts-history': ipFactsHistory(kind),
    '0006-one-rollup': oneRollup(kind),
    '0007-rollup-pending': rollupPending(kind),
    '0008-results-in-records': resultsInRecords(kind),
    '0009-records-unchecked-key': recordsUncheckedKey(kind),
    '0010-report-contact': reportContact(kind),
    '0011-report-copies': reportCopies(kind),
    '0012-tls-report-copies': tlsReportCopies(kind),
    '0013-rollup-appended': rollupAppended(kind),
    '0014-reports-unchecked-reporter': reportsUncheckedReporter(kind),
    '0015-imap-leave-other-mail': imapLeaveOtherMail(kind),
    '0016-quarantine-details': quarantineDetails(),
    '0017-mailbox-source-app': mailboxSourceApp(),
    '0018-retention': retention(kind),
    '0019-quarantine-sources': quarantineSources(kind),
    '0020-lookup-domains': lookupDomains(),
    '0021-failure-report-mail': failureReportMail(),
    '0022-failure-report-domains': failureReportDomains(kind),
    '0023-policy-domain-lookup': policyDomainLookup(kind),
    '0024-other-feedback-quarantined': otherFeedbackQuarantined(kind),
    '0025-lookup-domains-unicode': lookupDomainsUnicode(kind),
    '0026-mailbox-source-paused': mailboxSourcePaused(kind),
    '0027-id-floors': idFloors(kind),
  };
}

/**
 * The newest of the migrations a store lists as applied (`applied`) that this Sumi does not have:
 * a newer Sumi migrated the store, and this one would read and write its rows in an older shape.
 * Undefined when every one is known.
 */
export function unknownMigration(applied: Iterable<string>, kind: EngineKind): string | undefined {
  const known = migrations(kind);
  return [...applied]
    .filter((name) => !Object.hasOwn(known, name))
    .sort()
    .at(-1);
}

/**
 * Brings the schema up to date. Callers serialise concurrent runs (an advisory lock on
 * PostgreSQL, a write transaction on SQLite); `disableTransactions` is for that SQLite case,
 * where the caller's own transaction already wraps the run. `schema`: PostgreSQL's current
 * schema, where the tables are created.
 */
export async function migrateToLatest(
  db: Kysely<Database>,
  kind: EngineKind,
  options: { disableTransactions: boolean; schema?: string },
): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations(kind) },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: 'sumi_migrations_lock',
    // Without a schema, Kysely takes a migration table in any schema of the database for ours.
    ...(options.schema === undefined ? {} : { migrationTableSchema: options.schema }),
    disableTransactions: options.disableTransactions,
    // Migrations up to 0005 are independent (each creates its own tables): a store that has a
    // later one but lacks an earlier (they landed out of order during development) gets the
    // missing one. Later ones may build on earlier ones: pending migrations run in name order.
    allowUnorderedMigrations: true,
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}

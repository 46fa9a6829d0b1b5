/**
 * The domains failure and SMTP TLS reports are looked up by, as lookupDomain writes them: lower
 * case, without a trailing dot. A report naming `Sender.EXAMPLE` or `Acme.Example.` was found by
 * no lookup of its domain (a user limited to it could not see it in the list, yet could open it).
 */
import { type Migration, sql } from 'kysely';
import type { AnyDb } from './builders.ts';

export function lookupDomains(): Migration {
  return {
    async up(db: AnyDb) {
      const lookup = (column: string) => sql`lower(rtrim(trim(${sql.ref(column)}), '.'))`;
      await db
        .updateTable('failure_reports')
        .set({ reported_domain: lookup('reported_domain') })
        .where('reported_domain', 'is not', null)
        .where(sql<boolean>`reported_domain <> ${lookup('reported_domain')}`)
        .execute();
      await db
        .updateTable('tls_policies')
        .set({ policy_domain: lookup('policy_domain') })
        .where('policy_domain', 'is not', null)
        .where(sql<boolean>`policy_domain <> ${lookup('policy_domain')}`)
        .execute();
    },
  };
}

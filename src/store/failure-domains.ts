/**
 * Failure reports by domain: a report is found under each Reported-Domain it names (RFC 5965
 * s3.2 lets it name several), kept in failure_report_domains as lookupDomain writes them.
 */
import { type RawBuilder, type SqlBool, sql } from 'kysely';

/**
 * A WHERE condition on `failure_reports` keeping the reports that name a domain meeting
 * `condition`, a condition on the column `d.domain` (such as auth/scope's scopeCondition).
 */
export function namesReportedDomain(condition: RawBuilder<SqlBool>): RawBuilder<SqlBool> {
  return sql<SqlBool>`exists (select 1 from failure_report_domains as d where d.failure_report_id = failure_reports.id and ${condition})`;
}

/** namesReportedDomain of one domain, given as lookupDomain writes it. */
export function namesDomain(domain: string): RawBuilder<SqlBool> {
  return namesReportedDomain(sql<SqlBool>`d.domain = ${domain}`);
}

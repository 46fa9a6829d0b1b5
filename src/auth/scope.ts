/**
 * Which domains a user may see. A domain grant covers the domain and its subdomains; a group
 * grant covers every domain in the group (domain_groups). Admins, and users marked for every domain,
 * see everything.
 */
import { type RawBuilder, type SqlBool, sql } from 'kysely';
import { lookupDomain } from '../store/values.ts';

export type DomainScope = { all: true } | { all: false; domains: readonly string[] };

export const EVERY_DOMAIN: DomainScope = { all: true };

/** Whether `domain` (any case, a trailing dot or none) is inside the scope. */
export function scopeAllows(scope: DomainScope, domain: string): boolean {
  if (scope.all) return true;
  const name = lookupDomain(domain);
  return scope.domains.some((d) => name === d || name.endsWith(`.${d}`));
}

/**
 * Whether a report naming `domains` (a failure report's every Reported-Domain, RFC 5965 s3.2) is
 * the scope's: any of them inside it.
 */
export function reportsDomainOf(scope: DomainScope, domains: readonly string[]): boolean {
  return domains.some((domain) => scopeAllows(scope, domain));
}

/** `%` and `_` are LIKE wildcards; domain names may hold `_`. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * A WHERE condition keeping rows whose `column` (a column name, or an expression such as
 * `lower(column)` for names kept as sent) is a domain in the scope; a scope of no domains keeps
 * nothing. Values are bound parameters, never spliced into the SQL text.
 */
export function scopeCondition(column: string | RawBuilder<string>, scope: DomainScope): RawBuilder<SqlBool> {
  if (scope.all) return sql<SqlBool>`1 = 1`;
  if (scope.domains.length === 0) return sql<SqlBool>`1 = 0`;
  const ref = typeof column === 'string' ? sql.ref(column) : column;
  const parts = scope.domains.map(
    (d) => sql`(${ref} = ${d} or ${ref} like ${`%.${likeLiteral(d)}`} escape '\\')`,
  );
  return sql<SqlBool>`(${sql.join(parts, sql` or `)})`;
}

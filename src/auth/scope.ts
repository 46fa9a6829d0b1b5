/**
 * Which domains a user may see. A domain grant covers the domain and its subdomains; a group
 * grant covers every domain in the group (domain_groups). Admins, and users marked for every domain,
 * see everything.
 */
import { type RawBuilder, type SqlBool, sql } from 'kysely';

export type DomainScope = { all: true } | { all: false; domains: readonly string[] };

export const EVERY_DOMAIN: DomainScope = { all: true };

/** Whether `domain` (lower case) is inside the scope. */
export function scopeAllows(scope: DomainScope, domain: string): boolean {
  if (scope.all) return true;
  const name = domain.toLowerCase();
  return scope.domains.some((d) => name === d || name.endsWith(`.${d}`));
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

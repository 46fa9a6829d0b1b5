/**
 * The domains failure and SMTP TLS reports are looked up by, brought to lookupDomain's form by
 * lookupDomain itself. Migration 0020 did it with SQL's lower() and trim(), and on SQLite lower()
 * folds ASCII only: a report stored before it naming `BÄCKEREI.example` stayed `bÄckerei.example`,
 * found by no lookup of bäckerei.example (nor are a tab or an ideographic space around a name
 * trimmed). Rows stored since are in the form already; SQL picks the names that may not be
 * (changedNames, as 0023 found the aggregate reports' ones), on both engines, since PostgreSQL's
 * lower() folds as its database's locale says.
 */
import { type Kysely, type Migration, sql } from 'kysely';
import type { EngineKind } from '../engine.ts';
import type { Database } from '../schema.ts';
import { changedNames } from './0023-policy-domain-lookup.ts';
import type { AnyDb } from './builders.ts';

/** The columns 0020 brought to the form in SQL. */
const LOOKUP_COLUMNS = [
  ['failure_reports', 'reported_domain'],
  ['tls_policies', 'policy_domain'],
] as const;

export function lookupDomainsUnicode(kind: EngineKind): Migration {
  return {
    async up(before: AnyDb) {
      // The tables this migration reads are as schema.ts has them from here on.
      const db = before as Kysely<Database>;
      for (const [table, column] of LOOKUP_COLUMNS)
        for (const [name, lookup] of await changedNames(db, kind, table, column))
          await sql`update ${sql.table(table)} set ${sql.ref(column)} = ${lookup}
            where ${sql.ref(column)} = ${name}`.execute(db);
    },
  };
}

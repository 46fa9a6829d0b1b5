/**
 * failure_report_domains: every Reported-Domain of a failure report (RFC 5965 s3.2 lets a report
 * name several), as lookupDomain writes them, so that lists and scopes find a report under each
 * domain it names: failure_reports.reported_domain holds the first only, and a report naming
 * `other.example, a.example` was in no list of a.example. A report's rows go with it (on delete
 * cascade).
 */
import type { Migration } from 'kysely';
import type { EngineKind } from '../engine.ts';
import { decodeText, encodeText } from '../text.ts';
import { lookupDomains } from '../values.ts';
import { type AnyDb, schemaBuilders } from './builders.ts';

/** Stored reports read per step of the backfill, and rows per insert (within SQLite's parameter limit). */
const BACKFILL_PAGE = 1_000;
const ROWS_PER_INSERT = 1_000;

/** A stored report's Reported-Domains, from its reported_domains JSON text (none when unreadable). */
function reportedDomains(kind: EngineKind, json: string): string[] {
  try {
    const names = JSON.parse(decodeText(kind, json)) as unknown;
    return Array.isArray(names) ? names.map(String) : [];
  } catch {
    return [];
  }
}

export function failureReportDomains(kind: EngineKind): Migration {
  const { int, clustered } = schemaBuilders(kind);
  return {
    async up(db: AnyDb) {
      await clustered(
        db.schema
          .createTable('failure_report_domains')
          .addColumn('failure_report_id', int, (c) =>
            c.notNull().references('failure_reports.id').onDelete('cascade'),
          )
          .addColumn('domain', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('failure_report_domains_key', ['failure_report_id', 'domain']),
      ).execute();
      await db.schema
        .createIndex('failure_report_domains_domain')
        .on('failure_report_domains')
        .columns(['domain', 'failure_report_id'])
        .execute();
      let after = 0;
      for (;;) {
        const page: { id: number | string; reported_domains: string }[] = await db
          .selectFrom('failure_reports')
          .select(['id', 'reported_domains'])
          .where('id', '>', after)
          .orderBy('id')
          .limit(BACKFILL_PAGE)
          .execute();
        const rows = page.flatMap((r) =>
          lookupDomains(reportedDomains(kind, r.reported_domains)).map((domain) => ({
            failure_report_id: Number(r.id),
            domain: encodeText(kind, domain),
          })),
        );
        for (let i = 0; i < rows.length; i += ROWS_PER_INSERT)
          await db
            .insertInto('failure_report_domains')
            .values(rows.slice(i, i + ROWS_PER_INSERT))
            .execute();
        const last = page.at(-1);
        if (!last || page.length < BACKFILL_PAGE) break;
        after = Number(last.id);
      }
    },
  };
}

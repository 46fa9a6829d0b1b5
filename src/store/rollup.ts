/**
 * Rollups maintained at ingest: the statements that add stored reports' records to the tables
 * analysis reads instead of the records themselves. They run inside the reports' transaction,
 * after their records are written, so a report counts in every rollup or in none. Each
 * statement covers a whole batch of reports: one statement per report cost as much as writing
 * the report's records.
 */
import { type CompiledQuery, type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from './schema.ts';

export interface RollupTarget {
  /** The stored report's id. */
  reportId: number;
  policyDomain: string;
  /** rollupDay() of the report's window. */
  day: number;
}

/**
 * The reports as a derived table whose columns are (report id, policy domain, day), named
 * column1..column3 by both engines. Not a WITH clause: the writer may run this statement as
 * the main statement of its own WITH chain (asFewStatements), where a second WITH is invalid.
 */
function targetsTable(targets: readonly RollupTarget[]): RawBuilder<unknown> {
  const rows = targets.map(
    (t) => sql`(cast(${t.reportId} as bigint), cast(${t.policyDomain} as text), cast(${t.day} as bigint))`,
  );
  return sql`(values ${sql.join(rows)}) as t`;
}

/**
 * Adds the reports' messages to the daily rollup from their stored records, in the engine: no
 * copy of the reports is kept in memory for it. Rows are upserted in key order so that two
 * batches landing on the same rows (PostgreSQL) lock them in the same order.
 */
function dailyRollup(trx: Kysely<Database>, targets: readonly RollupTarget[]): CompiledQuery {
  return sql`
    insert into daily_rollup (policy_domain, day, source_ip, header_from, disposition, dkim, spf, messages)
    select k.policy_domain, k.day, k.source_ip, k.header_from, k.disposition, k.dkim, k.spf, sum(k.count)
    from (
      select t.column2 as policy_domain, t.column3 as day, coalesce(r.source_ip, '') as source_ip,
        coalesce(r.header_from, '') as header_from, coalesce(r.disposition, '') as disposition,
        coalesce(r.dkim, '') as dkim, coalesce(r.spf, '') as spf, r.count
      from ${targetsTable(targets)} join records r on r.report_id = t.column1
    ) as k
    group by k.policy_domain, k.day, k.source_ip, k.header_from, k.disposition, k.dkim, k.spf
    order by k.policy_domain, k.day, k.source_ip, k.header_from, k.disposition, k.dkim, k.spf
    on conflict (policy_domain, day, source_ip, header_from, disposition, dkim, spf)
    do update set messages = daily_rollup.messages + excluded.messages
  `.compile(trx);
}

/**
 * Caps on the rollup's text key columns: untrusted reports may carry any number of auth results
 * and any length of name, and a PostgreSQL index entry must stay under about 2,700 bytes.
 */
export const SOURCE_ROLLUP_CAPS = { headerFrom: 255, dkimAuth: 800, spfAuth: 500, reasons: 200 } as const;

/**
 * Adds the reports' messages to the per-sender rollup (source_rollup): per record its aligned
 * results, the report's adkim/aspf, every DKIM and SPF result and the override reason types,
 * flattened to text so that a sender's fail reason can be worked out from the rollup alone.
 * Spaces are removed from names: the space separates the entries.
 */
function sourceRollup(trx: Kysely<Database>, targets: readonly RollupTarget[]): CompiledQuery {
  const ids = sql.join(targets.map((t) => sql`cast(${t.reportId} as bigint)`));
  const caps = SOURCE_ROLLUP_CAPS;
  return sql`
    insert into source_rollup (policy_domain, day, source_ip, header_from, dkim, spf, adkim, aspf, dkim_auth, spf_auth, reasons, messages)
    select k.policy_domain, k.day, k.source_ip, k.header_from, k.dkim, k.spf, k.adkim, k.aspf, k.dkim_auth, k.spf_auth, k.reasons, sum(k.count)
    from (
      select t.column2 as policy_domain, t.column3 as day, coalesce(r.source_ip, '') as source_ip,
        substr(coalesce(r.header_from, ''), 1, ${sql.lit(caps.headerFrom)}) as header_from,
        coalesce(r.dkim, '') as dkim, coalesce(r.spf, '') as spf,
        coalesce(p.adkim, '') as adkim, coalesce(p.aspf, '') as aspf,
        coalesce(d.auth, '') as dkim_auth, coalesce(s.auth, '') as spf_auth, coalesce(o.auth, '') as reasons,
        r.count
      from ${targetsTable(targets)}
      join reports p on p.id = t.column1
      join records r on r.report_id = t.column1
      left join (
        select report_id, record_index, substr(string_agg(
          replace(coalesce(domain, ''), ' ', '') || ':' || replace(coalesce(result, ''), ' ', ''), ' ' order by ordinal
        ), 1, ${sql.lit(caps.dkimAuth)}) as auth
        from dkim_auth_results where report_id in (${ids}) group by report_id, record_index
      ) d on d.report_id = r.report_id and d.record_index = r.record_index
      left join (
        select report_id, record_index, substr(string_agg(
          replace(coalesce(domain, ''), ' ', '') || ':' || replace(coalesce(scope, ''), ' ', '') || ':' || replace(coalesce(result, ''), ' ', ''), ' ' order by ordinal
        ), 1, ${sql.lit(caps.spfAuth)}) as auth
        from spf_auth_results where report_id in (${ids}) group by report_id, record_index
      ) s on s.report_id = r.report_id and s.record_index = r.record_index
      left join (
        select report_id, record_index, substr(string_agg(
          replace(coalesce(type, ''), ' ', ''), ' ' order by ordinal
        ), 1, ${sql.lit(caps.reasons)}) as auth
        from policy_override_reasons where report_id in (${ids}) group by report_id, record_index
      ) o on o.report_id = r.report_id and o.record_index = r.record_index
    ) as k
    group by k.policy_domain, k.day, k.source_ip, k.header_from, k.dkim, k.spf, k.adkim, k.aspf, k.dkim_auth, k.spf_auth, k.reasons
    order by k.policy_domain, k.day, k.source_ip, k.header_from, k.dkim, k.spf, k.adkim, k.aspf, k.dkim_auth, k.spf_auth, k.reasons
    on conflict (policy_domain, day, source_ip, header_from, dkim, spf, adkim, aspf, dkim_auth, spf_auth, reasons)
    do update set messages = source_rollup.messages + excluded.messages
  `.compile(trx);
}

/** Reports per rollup statement: at most six parameters each (source rollup), well under SQLite's limit. */
const TARGETS_PER_STATEMENT = 1_000;

/** Every rollup statement for the reports, in the order they run. */
export function rollupStatements(trx: Kysely<Database>, targets: readonly RollupTarget[]): CompiledQuery[] {
  const statements: CompiledQuery[] = [];
  for (let start = 0; start < targets.length; start += TARGETS_PER_STATEMENT) {
    const batch = targets.slice(start, start + TARGETS_PER_STATEMENT);
    statements.push(dailyRollup(trx, batch), sourceRollup(trx, batch));
  }
  return statements;
}

/**
 * Rollups maintained at ingest: the statements that add one stored report's records to the
 * tables analysis reads instead of the records themselves. They run inside the report's
 * transaction, after its records are written, so a report counts in every rollup or in none.
 */
import { type CompiledQuery, type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

export interface RollupTarget {
  /** The stored report's id. */
  reportId: number;
  policyDomain: string;
  /** rollupDay() of the report's window. */
  day: number;
}

/**
 * Adds the report's messages to the daily rollup from its stored records, in the engine: no
 * copy of the report is kept in memory for it. Rows are upserted in key order so that two
 * reports landing on the same rows (PostgreSQL) lock them in the same order.
 */
function dailyRollup(trx: Kysely<Database>, { reportId, policyDomain, day }: RollupTarget): CompiledQuery {
  return sql`
    insert into daily_rollup (policy_domain, day, source_ip, header_from, disposition, dkim, spf, messages)
    select cast(${policyDomain} as text), cast(${day} as bigint), k.source_ip, k.header_from, k.disposition, k.dkim, k.spf, sum(k.count)
    from (
      select coalesce(source_ip, '') as source_ip, coalesce(header_from, '') as header_from,
        coalesce(disposition, '') as disposition, coalesce(dkim, '') as dkim, coalesce(spf, '') as spf, count
      from records where report_id = ${reportId}
    ) as k
    group by k.source_ip, k.header_from, k.disposition, k.dkim, k.spf
    order by k.source_ip, k.header_from, k.disposition, k.dkim, k.spf
    on conflict (policy_domain, day, source_ip, header_from, disposition, dkim, spf)
    do update set messages = daily_rollup.messages + excluded.messages
  `.compile(trx);
}

/** Every rollup statement for one report, in the order they run. */
export function rollupStatements(trx: Kysely<Database>, target: RollupTarget): CompiledQuery[] {
  return [dailyRollup(trx, target)];
}

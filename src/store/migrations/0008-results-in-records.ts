/**
 * A record's override reasons, DKIM and SPF results move into its own row, as JSON lists
 * (`records.reasons`, `dkim_results`, `spf_results`; schema.ts says their form), and their
 * three tables go. They were read only with their record (the report view), never searched,
 * yet were two thirds of the rows an ingest wrote: measured on the ingest bench (100,000
 * records with one DKIM and one SPF result each, into PostgreSQL), with the lists in the
 * record's row the server's CPU fell from 5.6 to 4.3 s, Sumi's from 10.0 to 9.4 s, and the rate
 * rose from 12,100 to 13,800 records/s. Analysis reads source_rollup, not these.
 */
import { type Migration, sql } from 'kysely';
import type { EngineKind } from '../engine.ts';
import type { AnyDb } from './builders.ts';

/** Each old table, the record column its rows move to, and their fields in list order. */
export const MOVED_INTO_RECORDS = [
  { table: 'policy_override_reasons', column: 'reasons', fields: ['type', 'comment'] },
  {
    table: 'dkim_auth_results',
    column: 'dkim_results',
    fields: ['domain', 'selector', 'result', 'human_result'],
  },
  { table: 'spf_auth_results', column: 'spf_results', fields: ['domain', 'scope', 'result', 'human_result'] },
] as const;

export function resultsInRecords(kind: EngineKind): Migration {
  return {
    async up(db: AnyDb) {
      for (const { table, column, fields } of MOVED_INTO_RECORDS) {
        await db.schema.alterTable('records').addColumn(column, 'text').execute();
        const entry = fields.join(', ');
        // The stored strings go into the JSON as they are: already in the engine's text form.
        const list =
          kind === 'postgres'
            ? `json_agg(json_build_array(${entry}) order by ordinal)::text`
            : `json_group_array(json_array(${entry}) order by ordinal)`;
        await sql
          .raw(
            `update records set ${column} = moved.list from (select report_id, record_index, ${list} as list from ${table} group by report_id, record_index) as moved where records.report_id = moved.report_id and records.record_index = moved.record_index`,
          )
          .execute(db);
        await db.schema.dropTable(table).execute();
      }
    },
  };
}

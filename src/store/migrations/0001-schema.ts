/** The first schema: reports, records, auth results, daily rollup, failure and TLS reports, quarantine. */
import type { Migration } from 'kysely';
import type { EngineKind } from '../engine.ts';
import { type AnyDb, schemaBuilders, type Table } from './builders.ts';

export function schemaV1(kind: EngineKind): Migration {
  const { int, blob, withId, clustered } = schemaBuilders(kind);
  const withRaw = (t: Table): Table =>
    t
      .addColumn('raw_sha256', 'text', (c) => c.notNull())
      .addColumn('raw_size', int, (c) => c.notNull())
      .addColumn('raw_encoding', 'text', (c) => c.notNull())
      .addColumn('raw', blob, (c) => c.notNull());

  return {
    async up(db: AnyDb) {
      await withId(db.schema.createTable('reporters'))
        .addColumn('org_name', 'text', (c) => c.notNull().unique())
        .addColumn('email', 'text')
        .addColumn('extra_contact_info', 'text')
        .execute();

      await withRaw(
        withId(db.schema.createTable('reports'))
          .addColumn('reporter_id', int, (c) => c.notNull().references('reporters.id'))
          .addColumn('report_id', 'text', (c) => c.notNull())
          .addColumn('report_id_raw', 'text', (c) => c.notNull())
          .addColumn('policy_domain', 'text', (c) => c.notNull())
          .addColumn('date_begin', int, (c) => c.notNull())
          .addColumn('date_end', int, (c) => c.notNull())
          .addColumn('version', 'text')
          .addColumn('namespace', 'text')
          .addColumn('generator', 'text')
          .addColumn('errors', 'text', (c) => c.notNull())
          .addColumn('adkim', 'text')
          .addColumn('aspf', 'text')
          .addColumn('p', 'text')
          .addColumn('sp', 'text')
          .addColumn('np', 'text')
          .addColumn('pct', int)
          .addColumn('fo', 'text')
          .addColumn('testing', int)
          .addColumn('discovery_method', 'text')
          .addColumn('psd', 'text')
          .addColumn('extensions', 'text')
          .addColumn('warnings', 'text')
          .addColumn('record_count', int, (c) => c.notNull())
          .addColumn('message_count', int, (c) => c.notNull())
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('received_at', int)
          .addColumn('ingested_at', int, (c) => c.notNull())
          .addUniqueConstraint('reports_reporter_report_domain', [
            'reporter_id',
            'report_id',
            'policy_domain',
          ]),
      ).execute();
      await db.schema
        .createIndex('reports_domain_begin')
        .on('reports')
        .columns(['policy_domain', 'date_begin'])
        .execute();
      await db.schema.createIndex('reports_raw_sha256').on('reports').column('raw_sha256').execute();

      // No index on records' source_ip or header_from: each report would dirty a page of each
      // at a scattered place (measured: twice the pages written per small report). Questions
      // by source or From domain go to daily_rollup; a domain's records are reached through
      // reports(policy_domain, date_begin), then the records key.
      await clustered(
        db.schema
          .createTable('records')
          .addColumn('report_id', int, (c) => c.notNull().references('reports.id').onDelete('cascade'))
          .addColumn('record_index', int, (c) => c.notNull())
          .addColumn('source_ip', 'text')
          .addColumn('count', int, (c) => c.notNull())
          .addColumn('disposition', 'text')
          .addColumn('dkim', 'text')
          .addColumn('spf', 'text')
          .addColumn('header_from', 'text')
          .addColumn('envelope_from', 'text')
          .addColumn('envelope_to', 'text')
          .addColumn('extensions', 'text')
          .addPrimaryKeyConstraint('records_pk', ['report_id', 'record_index']),
      ).execute();

      const recordChild = (name: string, build: (t: Table) => Table) =>
        clustered(
          build(
            db.schema
              .createTable(name)
              .addColumn('report_id', int, (c) => c.notNull())
              .addColumn('record_index', int, (c) => c.notNull())
              .addColumn('ordinal', int, (c) => c.notNull()),
          )
            // No foreign key to records: only the store writes these rows, with their record
            // and in its transaction. On PostgreSQL the key check locked the record row of every
            // auth result, a third of the server's time writing a report (bench/store.ts).
            .addPrimaryKeyConstraint(`${name}_pk`, ['report_id', 'record_index', 'ordinal']),
        ).execute();
      await recordChild('policy_override_reasons', (t) =>
        t.addColumn('type', 'text').addColumn('comment', 'text'),
      );
      await recordChild('dkim_auth_results', (t) =>
        t
          .addColumn('domain', 'text')
          .addColumn('selector', 'text')
          .addColumn('result', 'text')
          .addColumn('human_result', 'text'),
      );
      await recordChild('spf_auth_results', (t) =>
        t
          .addColumn('domain', 'text')
          .addColumn('scope', 'text')
          .addColumn('result', 'text')
          .addColumn('human_result', 'text'),
      );

      await clustered(
        db.schema
          .createTable('daily_rollup')
          .addColumn('policy_domain', 'text', (c) => c.notNull())
          .addColumn('day', int, (c) => c.notNull())
          .addColumn('source_ip', 'text', (c) => c.notNull())
          .addColumn('header_from', 'text', (c) => c.notNull())
          .addColumn('disposition', 'text', (c) => c.notNull())
          .addColumn('dkim', 'text', (c) => c.notNull())
          .addColumn('spf', 'text', (c) => c.notNull())
          .addColumn('messages', int, (c) => c.notNull())
          .addPrimaryKeyConstraint('daily_rollup_pk', [
            'policy_domain',
            'day',
            'source_ip',
            'header_from',
            'disposition',
            'dkim',
            'spf',
          ]),
      ).execute();
      // The key serves a domain over a period, by source; this serves one From domain (a
      // subdomain) over a period, whatever policy domain the reporters applied to it.
      await db.schema
        .createIndex('daily_rollup_header_from_day')
        .on('daily_rollup')
        .columns(['header_from', 'day'])
        .execute();

      await withRaw(
        withId(db.schema.createTable('failure_reports'))
          .addColumn('format', 'text', (c) => c.notNull())
          .addColumn('feedback_type', 'text')
          .addColumn('user_agent', 'text')
          .addColumn('version', 'text')
          .addColumn('auth_failure', 'text')
          .addColumn('identity_alignment', 'text')
          .addColumn('delivery_result', 'text')
          .addColumn('arrival_date', 'text')
          .addColumn('arrival_time', int)
          .addColumn('source_ip', 'text')
          .addColumn('source_port', int)
          .addColumn('reporting_mta', 'text')
          .addColumn('original_envelope_id', 'text')
          .addColumn('original_mail_from', 'text')
          .addColumn('original_rcpt_to', 'text', (c) => c.notNull())
          .addColumn('reported_domain', 'text')
          .addColumn('reported_domains', 'text', (c) => c.notNull())
          .addColumn('reported_uris', 'text', (c) => c.notNull())
          .addColumn('authentication_results', 'text', (c) => c.notNull())
          .addColumn('incidents', int)
          .addColumn('dkim_domain', 'text')
          .addColumn('dkim_identity', 'text')
          .addColumn('dkim_selector', 'text')
          .addColumn('spf_dns', 'text')
          .addColumn('fields', 'text', (c) => c.notNull())
          .addColumn('original_form', 'text')
          .addColumn('original_headers', 'text')
          .addColumn('original_from', 'text')
          .addColumn('original_to', 'text')
          .addColumn('original_subject', 'text')
          .addColumn('original_date', 'text')
          .addColumn('original_message_id', 'text')
          .addColumn('redacted', int)
          .addColumn('original_body', 'text')
          .addColumn('original_urls', 'text')
          .addColumn('description', 'text')
          .addColumn('missing', 'text', (c) => c.notNull())
          .addColumn('warnings', 'text')
          .addColumn('mail_from', 'text')
          .addColumn('mail_subject', 'text')
          .addColumn('mail_date', 'text')
          .addColumn('mail_message_id', 'text')
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('received_at', int)
          .addColumn('ingested_at', int, (c) => c.notNull()),
      )
        .addUniqueConstraint('failure_reports_raw_sha256', ['raw_sha256'])
        .execute();
      await db.schema
        .createIndex('failure_reports_domain_arrival')
        .on('failure_reports')
        .columns(['reported_domain', 'arrival_time'])
        .execute();

      await withRaw(
        withId(db.schema.createTable('tls_reports'))
          .addColumn('organization_name', 'text', (c) => c.notNull())
          .addColumn('contact_info', 'text')
          .addColumn('report_id', 'text', (c) => c.notNull())
          .addColumn('date_begin', int, (c) => c.notNull())
          .addColumn('date_end', int, (c) => c.notNull())
          .addColumn('warnings', 'text')
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('received_at', int)
          .addColumn('ingested_at', int, (c) => c.notNull()),
      )
        .addUniqueConstraint('tls_reports_raw_sha256', ['raw_sha256'])
        .addUniqueConstraint('tls_reports_organization_report', ['organization_name', 'report_id'])
        .execute();
      await db.schema.createIndex('tls_reports_begin').on('tls_reports').column('date_begin').execute();

      await clustered(
        db.schema
          .createTable('tls_policies')
          .addColumn('tls_report_id', int, (c) =>
            c.notNull().references('tls_reports.id').onDelete('cascade'),
          )
          .addColumn('policy_index', int, (c) => c.notNull())
          .addColumn('policy_type', 'text', (c) => c.notNull())
          .addColumn('policy_string', 'text', (c) => c.notNull())
          .addColumn('policy_domain', 'text')
          .addColumn('mx_host', 'text', (c) => c.notNull())
          .addColumn('total_successful_session_count', int, (c) => c.notNull())
          .addColumn('total_failure_session_count', int, (c) => c.notNull())
          .addPrimaryKeyConstraint('tls_policies_pk', ['tls_report_id', 'policy_index']),
      ).execute();
      await db.schema.createIndex('tls_policies_domain').on('tls_policies').column('policy_domain').execute();

      await clustered(
        db.schema
          .createTable('tls_failure_details')
          .addColumn('tls_report_id', int, (c) => c.notNull())
          .addColumn('policy_index', int, (c) => c.notNull())
          .addColumn('detail_index', int, (c) => c.notNull())
          .addColumn('result_type', 'text', (c) => c.notNull())
          .addColumn('sending_mta_ip', 'text')
          .addColumn('receiving_mx_hostname', 'text')
          .addColumn('receiving_mx_helo', 'text')
          .addColumn('receiving_ip', 'text')
          .addColumn('failed_session_count', int, (c) => c.notNull())
          .addColumn('additional_information', 'text')
          .addColumn('failure_reason_code', 'text')
          .addPrimaryKeyConstraint('tls_failure_details_pk', [
            'tls_report_id',
            'policy_index',
            'detail_index',
          ])
          .addForeignKeyConstraint(
            'tls_failure_details_policy',
            ['tls_report_id', 'policy_index'],
            'tls_policies',
            ['tls_report_id', 'policy_index'],
            (c) => c.onDelete('cascade'),
          ),
      ).execute();

      await withRaw(
        withId(db.schema.createTable('quarantine'))
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('error_code', 'text', (c) => c.notNull())
          .addColumn('error_message', 'text', (c) => c.notNull())
          .addColumn('first_seen_at', int, (c) => c.notNull())
          .addColumn('last_seen_at', int, (c) => c.notNull())
          .addColumn('times', int, (c) => c.notNull()),
      )
        .addUniqueConstraint('quarantine_raw_sha256', ['raw_sha256'])
        .execute();
    },
  };
}

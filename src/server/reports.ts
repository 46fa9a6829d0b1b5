/**
 * Aggregate and failure reports: lists (search, sort, pages), one report, its raw bytes, and a
 * CSV export. Sort columns and directions come from fixed lists; filters are bound parameters.
 * A report of a domain outside the caller's scope is a 404 in every route.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import { reportsDomainOf, scopeAllows, scopeCondition } from '../auth/scope.ts';
import { csvLine } from '../cli/output.ts';
import type { EngineKind } from '../store/engine.ts';
import { namesDomain, namesReportedDomain } from '../store/failure-domains.ts';
import { decodeText } from '../store/text.ts';
import type { Store } from '../store/types.ts';
import { lookupDomain } from '../store/values.ts';
import { notFound } from './errors.ts';
import { type AnyRouteSpec, addRoute, type Caller, idParams, pageQuery } from './route.ts';

const copyParams = idParams.extend({ copy: z.coerce.number().int().positive() });

/**
 * A report's raw bytes as its XML text. Plain text and sandboxed: a report's XML is never
 * rendered as a page of this origin. A large report is kept in the gzip it came in (it was
 * parsed while decompressed): it is decompressed on the way out, as a stream.
 */
function rawXml(reply: FastifyReply, raw: Buffer, filename: string): Buffer | Readable {
  reply
    .type('text/plain; charset=utf-8')
    .header('content-security-policy', "sandbox; default-src 'none'")
    .header('content-disposition', `inline; filename="${filename}"`);
  return raw[0] === 0x1f && raw[1] === 0x8b ? Readable.from([raw]).pipe(createGunzip()) : raw;
}

/**
 * A report's raw bytes as a file to save, never shown as a page of this origin (a mail's HTML
 * part or a report's text could hold script). `filename` is Sumi's own, ASCII only.
 */
export function download(reply: FastifyReply, raw: Buffer, type: string, filename: string): Buffer {
  reply
    .type(type)
    .header('content-security-policy', "sandbox; default-src 'none'")
    .header('content-disposition', `attachment; filename="${filename}"`);
  return raw;
}

/** Sort keys the API takes, and the columns they mean. */
const REPORT_SORT = {
  begin: 'reports.date_begin',
  end: 'reports.date_end',
  domain: 'reports.policy_domain',
  org: 'reporters.org_name',
  messages: 'reports.message_count',
  records: 'reports.record_count',
  ingested: 'reports.ingested_at',
  id: 'reports.id',
} as const;

/** The longest search text. */
export const SEARCH_MAX_LENGTH = 200;
/** Rows in one CSV export. */
export const EXPORT_MAX_ROWS = 100_000;

const domainFilter = z
  .string()
  .max(253)
  .transform((d) => d.toLowerCase())
  .optional();

const reportListQuery = z.object({
  domain: domainFilter,
  q: z.string().max(SEARCH_MAX_LENGTH).optional(),
  sort: z.enum(Object.keys(REPORT_SORT) as [keyof typeof REPORT_SORT]).default('begin'),
  order: z.enum(['asc', 'desc']).default('desc'),
  ...pageQuery,
});
type ReportListQuery = z.infer<typeof reportListQuery>;

function likeText(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function reportQuery(store: Store, caller: Caller, query: Pick<ReportListQuery, 'domain' | 'q'>) {
  let select = store.db
    .selectFrom('reports')
    .innerJoin('reporters', 'reporters.id', 'reports.reporter_id')
    .where(scopeCondition('reports.policy_domain', caller.scope));
  if (query.domain !== undefined)
    select = select.where('reports.policy_domain', '=', lookupDomain(query.domain));
  if (query.q) {
    const pattern = likeText(query.q);
    select = select.where(
      sql<boolean>`(lower(reporters.org_name) like ${pattern} escape '\\' or lower(reports.report_id) like ${pattern} escape '\\' or reports.policy_domain like ${pattern} escape '\\')`,
    );
  }
  return select;
}

const REPORT_COLUMNS = [
  'reports.id',
  'reporters.org_name',
  'reporters.email',
  'reporters.extra_contact_info',
  'reports.report_id',
  'reports.policy_domain',
  'reports.date_begin',
  'reports.date_end',
  'reports.p',
  'reports.record_count',
  'reports.message_count',
  'reports.source',
  'reports.ingested_at',
] as const;

/**
 * A listed report as the report gave it: its text in the store's form (a NUL or U+FFFF escaped on
 * PostgreSQL, store/text.ts) decoded, as the report's own page is.
 */
function reportSummary(
  engine: EngineKind,
  row: {
    id: number;
    org_name: string;
    email: string | null;
    extra_contact_info: string | null;
    report_id: string;
    policy_domain: string;
    date_begin: number;
    date_end: number;
    p: string | null;
    record_count: number;
    message_count: number;
    source: string;
    ingested_at: number;
  },
) {
  const text = (value: string | null) => (value === null ? null : decodeText(engine, value));
  return {
    id: row.id,
    orgName: decodeText(engine, row.org_name),
    email: text(row.email),
    extraContactInfo: text(row.extra_contact_info),
    reportId: decodeText(engine, row.report_id),
    policyDomain: decodeText(engine, row.policy_domain),
    begin: row.date_begin,
    end: row.date_end,
    p: row.p,
    records: row.record_count,
    messages: row.message_count,
    source: decodeText(engine, row.source),
    ingestedAt: row.ingested_at,
  };
}

const reportSummarySchema = z.object({
  id: z.number(),
  orgName: z.string(),
  email: z.string().nullable(),
  extraContactInfo: z.string().nullable(),
  reportId: z.string(),
  policyDomain: z.string(),
  begin: z.number(),
  end: z.number(),
  p: z.string().nullable(),
  records: z.number(),
  messages: z.number(),
  source: z.string(),
  ingestedAt: z.number(),
});

const failureListQuery = z.object({ domain: domainFilter, ...pageQuery });

export function registerReportRoutes(app: FastifyInstance, registry: AnyRouteSpec[], store: Store): void {
  addRoute(app, registry, {
    method: 'GET',
    url: '/api/reports',
    summary:
      'Aggregate reports, newest first by default; q searches reporter, report ID and domain; sort: begin, end, domain, org, messages, records, ingested, id',
    tag: 'reports',
    access: 'viewer',
    query: reportListQuery,
    response: z.object({ total: z.number(), reports: z.array(reportSummarySchema) }),
    async handler({ query, caller }) {
      const base = reportQuery(store, caller, query);
      const [count, rows] = await Promise.all([
        base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
        base
          .select(REPORT_COLUMNS)
          .orderBy(REPORT_SORT[query.sort], query.order)
          .orderBy('reports.id', query.order)
          .limit(query.limit)
          .offset(query.offset)
          .execute(),
      ]);
      return { total: Number(count.n), reports: rows.map((row) => reportSummary(store.engine, row)) };
    },
  });

  addRoute(app, registry, {
    method: 'GET',
    url: '/api/reports/export',
    summary: 'The reports list (same filters) as CSV',
    tag: 'reports',
    access: 'viewer',
    query: reportListQuery.omit({ limit: true, offset: true }),
    produces: 'text/csv',
    async handler({ query, caller, reply }) {
      const rows = await reportQuery(store, caller, query)
        .select(REPORT_COLUMNS)
        .orderBy(REPORT_SORT[query.sort], query.order)
        .orderBy('reports.id', query.order)
        .limit(EXPORT_MAX_ROWS)
        .execute();
      const header = [
        'id',
        'org_name',
        'report_id',
        'policy_domain',
        'begin',
        'end',
        'p',
        'records',
        'messages',
      ];
      const lines = rows.map((r) =>
        csvLine(
          // A leading = + - @ would make a spreadsheet read the cell as a formula.
          [
            r.id,
            decodeText(store.engine, r.org_name),
            decodeText(store.engine, r.report_id),
            decodeText(store.engine, r.policy_domain),
            r.date_begin,
            r.date_end,
            r.p,
            r.record_count,
            r.message_count,
          ].map((v) => (typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${v}` : v)),
        ),
      );
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="reports.csv"');
      return csvLine(header) + lines.join('');
    },
  });

  addRoute(app, registry, {
    method: 'GET',
    url: '/api/reports/:id',
    summary: 'One aggregate report with its records',
    tag: 'reports',
    access: 'viewer',
    params: idParams,
    async handler({ params, caller }) {
      const report = await store.getAggregateReport(params.id);
      if (!report || !scopeAllows(caller.scope, report.policyPublished.domain))
        throw notFound(`report ${params.id}`);
      return report;
    },
  });

  addRoute(app, registry, {
    method: 'GET',
    url: '/api/reports/:id/raw',
    summary: 'The report as received (decompressed XML), as text',
    tag: 'reports',
    access: 'viewer',
    params: idParams,
    produces: 'text/plain',
    async handler({ params, caller, reply }) {
      const row = await store.db
        .selectFrom('reports')
        .select('policy_domain')
        .where('id', '=', params.id)
        .executeTakeFirst();
      const raw =
        row && scopeAllows(caller.scope, row.policy_domain) && (await store.getRawReport(params.id));
      if (!raw) throw notFound(`report ${params.id}`);
      return rawXml(reply, raw, `report-${params.id}.xml`);
    },
  });

  addRoute(app, registry, {
    method: 'GET',
    url: '/api/reports/:id/copies/:copy/raw',
    summary: 'Another copy received of the report, with other content (decompressed XML), as text',
    tag: 'reports',
    access: 'viewer',
    params: copyParams,
    produces: 'text/plain',
    async handler({ params, caller, reply }) {
      const row = await store.db
        .selectFrom('report_copies')
        .innerJoin('reports', 'reports.id', 'report_copies.report_id')
        .select('reports.policy_domain')
        .where('report_copies.id', '=', params.copy)
        .where('report_copies.report_id', '=', params.id)
        .executeTakeFirst();
      const raw =
        row &&
        scopeAllows(caller.scope, row.policy_domain) &&
        (await store.getRawReport(params.copy, 'copy'));
      if (!raw) throw notFound(`copy ${params.copy} of report ${params.id}`);
      return rawXml(reply, raw, `report-${params.id}-copy-${params.copy}.xml`);
    },
  });

  addRoute(app, registry, {
    method: 'GET',
    url: '/api/failure-reports',
    summary: 'Failure (forensic) reports, newest first, by reported domain',
    tag: 'reports',
    access: 'viewer',
    query: failureListQuery,
    async handler({ query, caller }) {
      const text = (value: string | null) => (value === null ? null : decodeText(store.engine, value));
      // Found under each domain it reports (RFC 5965 lets a report name several); a report
      // naming none is listed only for callers who see every domain.
      let select = store.db.selectFrom('failure_reports');
      if (!caller.scope.all)
        select = select.where(namesReportedDomain(scopeCondition('d.domain', caller.scope)));
      if (query.domain !== undefined) select = select.where(namesDomain(lookupDomain(query.domain)));
      const [count, rows] = await Promise.all([
        select.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
        select
          .select([
            'id',
            'reported_domain',
            'reported_domains',
            'source_ip',
            'arrival_time',
            'auth_failure',
            'delivery_result',
            'original_from',
            'original_subject',
            'reporting_mta',
            'ingested_at',
          ])
          .orderBy('id', 'desc')
          .limit(query.limit)
          .offset(query.offset)
          .execute(),
      ]);
      return {
        total: Number(count.n),
        // As the report said them: text in the store's form (a NUL escaped on PostgreSQL) is decoded.
        reports: rows.map((r) => ({
          id: r.id,
          reportedDomain: text(r.reported_domain),
          reportedDomains: JSON.parse(decodeText(store.engine, r.reported_domains)) as string[],
          sourceIp: text(r.source_ip),
          arrivalTime: r.arrival_time,
          authFailure: text(r.auth_failure),
          deliveryResult: text(r.delivery_result),
          originalFrom: text(r.original_from),
          originalSubject: text(r.original_subject),
          reportingMta: text(r.reporting_mta),
          ingestedAt: r.ingested_at,
        })),
      };
    },
  });

  addRoute(app, registry, {
    method: 'GET',
    url: '/api/failure-reports/:id/raw',
    summary: 'The failure report as received (the mail that carried it), to save as an .eml file',
    tag: 'reports',
    access: 'viewer',
    params: idParams,
    produces: 'message/rfc822',
    async handler({ params, caller, reply }) {
      const row = await store.db
        .selectFrom('failure_reports')
        .select('reported_domains')
        .where('id', '=', params.id)
        .executeTakeFirst();
      // Who may open the report may have its bytes: they hold nothing its page does not show.
      const visible =
        row !== undefined &&
        (caller.scope.all ||
          reportsDomainOf(
            caller.scope,
            JSON.parse(decodeText(store.engine, row.reported_domains)) as string[],
          ));
      const raw = visible && (await store.getRawReport(params.id, 'failure'));
      if (!raw) throw notFound(`failure report ${params.id}`);
      return download(reply, raw, 'message/rfc822', `failure-report-${params.id}.eml`);
    },
  });

  addRoute(app, registry, {
    method: 'GET',
    url: '/api/failure-reports/:id',
    summary: 'One failure report with its fields and the original message headers',
    tag: 'reports',
    access: 'viewer',
    params: idParams,
    async handler({ params, caller }) {
      const report = await store.getFailureReport(params.id);
      // Visible when any domain it reports is the caller's; one naming none is only for callers
      // who see every domain.
      if (!report || !(caller.scope.all || reportsDomainOf(caller.scope, report.reportedDomains)))
        throw notFound(`failure report ${params.id}`);
      return report;
    },
  });
}

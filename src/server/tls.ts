/**
 * SMTP TLS reports (RFC 8460) as ingest stored them: per policy domain, the sessions that
 * succeeded and failed and why; one domain's failure details and reports; one report. A report
 * may cover several policy domains: a caller sees only the policies of domains in its access,
 * and a domain or report outside it is a 404 like everywhere else. Policy domains are compared
 * in lower case (reports carry them as the sender wrote them).
 */
import type { FastifyInstance } from 'fastify';
import { type RawBuilder, sql } from 'kysely';
import { z } from 'zod';
import { tlsFailureGroups } from '../analysis/tls.ts';
import { type DomainScope, scopeAllows, scopeCondition } from '../auth/scope.ts';
import { decodeText } from '../store/text.ts';
import type { Store } from '../store/types.ts';
import { visibleDomain } from './domains.ts';
import { notFound } from './errors.ts';
import { download } from './reports.ts';
import { type AnyRouteSpec, addRoute, domainParams, idParams, pageQuery, sinceSchema } from './route.ts';

const DAY = 86_400;

const policyDomain = sql<string>`lower(p.policy_domain)`;

/** Reports whose window ends on or after the first day of the last `days` days. */
function sinceDay(days: number, now = Math.floor(Date.now() / 1000)): number {
  return now - (now % DAY) - (days - 1) * DAY;
}

const resultTypeCount = z.object({ resultType: z.string(), sessions: z.number() });

const domainSummary = z.object({
  domain: z.string(),
  reports: z.number(),
  successful: z.number(),
  failed: z.number(),
  /** Failed sessions over all sessions; null without sessions. */
  failureRate: z.number().nullable(),
  /** End of the newest report's window, epoch seconds. */
  lastReport: z.number(),
  resultTypes: z.array(resultTypeCount),
});

const failureGroup = z.object({
  resultType: z.string(),
  sendingMtaIp: z.string().nullable(),
  receivingMxHostname: z.string().nullable(),
  receivingMxHelo: z.string().nullable(),
  receivingIp: z.string().nullable(),
  failureReasonCode: z.string().nullable(),
  additionalInformation: z.string().nullable(),
  sessions: z.number(),
  reports: z.number(),
});

const policyRow = z.object({
  id: z.number(),
  organization: z.string(),
  reportId: z.string(),
  begin: z.number(),
  end: z.number(),
  policyType: z.string(),
  policyString: z.array(z.string()),
  mxHost: z.array(z.string()),
  successful: z.number(),
  failed: z.number(),
  /** Whether the caller may download the report's raw bytes (/api/tls-reports/:id/raw). */
  raw: z.boolean(),
});

export function registerTlsRoutes(app: FastifyInstance, registry: AnyRouteSpec[], store: Store): void {
  const text = (value: string) => decodeText(store.engine, value);
  const list = (value: string) => JSON.parse(text(value)) as string[];

  /** Policies of reports in the period, of domains in `inScope`, joined to their report. */
  const policies = (since: number, inScope: RawBuilder<unknown>) =>
    store.db
      .selectFrom('tls_policies as p')
      .innerJoin('tls_reports as r', 'r.id', 'p.tls_report_id')
      .where('r.date_end', '>=', since)
      .where('p.policy_domain', 'is not', null)
      .where(inScope as RawBuilder<boolean>);

  addRoute(app, registry, {
    method: 'GET',
    url: '/api/tls-reports',
    summary:
      'SMTP TLS reports (RFC 8460) per policy domain over the last days: reports, successful and failed sessions, failures by result type',
    tag: 'tls',
    access: 'viewer',
    query: z.object({ since: sinceSchema }),
    response: z.object({ domains: z.array(domainSummary) }),
    async handler({ query, caller }) {
      const since = sinceDay(query.since);
      const inScope = scopeCondition(policyDomain, caller.scope);
      const [totals, types] = await Promise.all([
        policies(since, inScope)
          .select([
            policyDomain.as('domain'),
            sql<number>`count(distinct p.tls_report_id)`.as('reports'),
            sql<number>`sum(p.total_successful_session_count)`.as('successful'),
            sql<number>`sum(p.total_failure_session_count)`.as('failed'),
            sql<number>`max(r.date_end)`.as('last'),
          ])
          .groupBy(policyDomain)
          .orderBy(policyDomain)
          .execute(),
        policies(since, inScope)
          .innerJoin('tls_failure_details as d', (join) =>
            join
              .onRef('d.tls_report_id', '=', 'p.tls_report_id')
              .onRef('d.policy_index', '=', 'p.policy_index'),
          )
          .select([
            policyDomain.as('domain'),
            'd.result_type',
            sql<number>`sum(d.failed_session_count)`.as('sessions'),
          ])
          .groupBy([policyDomain, 'd.result_type'])
          .execute(),
      ]);
      return {
        domains: totals.map((t) => {
          const successful = Number(t.successful);
          const failed = Number(t.failed);
          return {
            domain: t.domain,
            reports: Number(t.reports),
            successful,
            failed,
            failureRate: successful + failed === 0 ? null : failed / (successful + failed),
            lastReport: Number(t.last),
            resultTypes: types
              .filter((r) => r.domain === t.domain)
              .map((r) => ({ resultType: text(r.result_type), sessions: Number(r.sessions) }))
              .sort((a, b) => b.sessions - a.sessions),
          };
        }),
      };
    },
  });

  addRoute(app, registry, {
    method: 'GET',
    url: '/api/domains/:domain/tls',
    summary:
      "One policy domain's SMTP TLS reports over the last days: totals, failure details grouped (most failed sessions first), and its reports' policies a page at a time, newest first",
    tag: 'tls',
    access: 'viewer',
    params: domainParams,
    query: z.object({ since: sinceSchema, ...pageQuery }),
    response: domainSummary.omit({ resultTypes: true, lastReport: true }).extend({
      lastReport: z.number().nullable(),
      failures: z.array(failureGroup),
      total: z.number(),
      policies: z.array(policyRow),
    }),
    async handler({ params, query, caller }) {
      const domain = visibleDomain(caller, params.domain);
      const since = sinceDay(query.since);
      const ofDomain = sql`lower(p.policy_domain) = ${domain}`;
      const [totals, failures, rows] = await Promise.all([
        policies(since, ofDomain)
          .select([
            sql<number>`count(*)`.as('policies'),
            sql<number>`count(distinct p.tls_report_id)`.as('reports'),
            sql<number>`sum(p.total_successful_session_count)`.as('successful'),
            sql<number>`sum(p.total_failure_session_count)`.as('failed'),
            sql<number | null>`max(r.date_end)`.as('last'),
          ])
          .executeTakeFirstOrThrow(),
        tlsFailureGroups(store, domain, since),
        policies(since, ofDomain)
          .select([
            'r.id',
            'r.organization_name',
            'r.report_id',
            'r.date_begin',
            'r.date_end',
            'p.policy_type',
            'p.policy_string',
            'p.mx_host',
            'p.total_successful_session_count',
            'p.total_failure_session_count',
          ])
          .orderBy('r.date_begin', 'desc')
          .orderBy('r.id', 'desc')
          .orderBy('p.policy_index')
          .limit(query.limit)
          .offset(query.offset)
          .execute(),
      ]);
      const successful = Number(totals.successful ?? 0);
      const failed = Number(totals.failed ?? 0);
      const raw = await rawVisible([...new Set(rows.map((r) => Number(r.id)))], caller.scope);
      return {
        domain,
        reports: Number(totals.reports),
        successful,
        failed,
        failureRate: successful + failed === 0 ? null : failed / (successful + failed),
        lastReport: totals.last === null ? null : Number(totals.last),
        failures: failures.failures,
        total: Number(totals.policies),
        policies: rows.map((r) => ({
          id: r.id,
          organization: text(r.organization_name),
          reportId: text(r.report_id),
          begin: r.date_begin,
          end: r.date_end,
          policyType: text(r.policy_type),
          policyString: list(r.policy_string),
          mxHost: list(r.mx_host),
          successful: r.total_successful_session_count,
          failed: r.total_failure_session_count,
          raw: raw.has(Number(r.id)),
        })),
      };
    },
  });

  /**
   * Whether the caller may have a report's raw bytes: they hold every policy of the report, so
   * only a caller who sees every policy domain it names (a report naming none: every domain).
   */
  const rawVisible = async (ids: readonly number[], scope: DomainScope): Promise<Set<number>> => {
    if (scope.all) return new Set(ids);
    if (ids.length === 0) return new Set();
    const rows = await store.db
      .selectFrom('tls_policies')
      .select(['tls_report_id', 'policy_domain'])
      .where('tls_report_id', 'in', ids)
      .execute();
    const seen = new Set<number>();
    const hidden = new Set<number>();
    for (const r of rows) {
      seen.add(Number(r.tls_report_id));
      if (r.policy_domain === null || !scopeAllows(scope, text(r.policy_domain)))
        hidden.add(Number(r.tls_report_id));
    }
    return new Set(ids.filter((id) => seen.has(id) && !hidden.has(id)));
  };

  addRoute(app, registry, {
    method: 'GET',
    url: '/api/tls-reports/:id/raw',
    summary:
      'The SMTP TLS report as received (its JSON), to save as a file; only for callers who see every policy domain it names',
    tag: 'tls',
    access: 'viewer',
    params: idParams,
    produces: 'application/tlsrpt+json',
    async handler({ params, caller, reply }) {
      const raw =
        (await rawVisible([params.id], caller.scope)).has(params.id) &&
        (await store.getRawReport(params.id, 'tls'));
      if (!raw) throw notFound(`TLS report ${params.id}`);
      return download(reply, raw, 'application/tlsrpt+json', `tls-report-${params.id}.json`);
    },
  });

  addRoute(app, registry, {
    method: 'GET',
    url: '/api/tls-reports/:id',
    summary:
      'One SMTP TLS report with the policies of domains in your access (other policies of the report are left out)',
    tag: 'tls',
    access: 'viewer',
    params: idParams,
    async handler({ params, caller }) {
      const report = await store.getTlsReport(params.id);
      const policies = (report?.policies ?? []).filter(
        (p) => p.policyDomain !== null && scopeAllows(caller.scope, p.policyDomain),
      );
      if (!report || (policies.length === 0 && !caller.scope.all)) throw notFound(`TLS report ${params.id}`);
      return caller.scope.all ? report : { ...report, policies };
    },
  });
}

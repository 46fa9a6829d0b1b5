/**
 * A domain's policy history (the published policy per day, its steps back and forth with their
 * effect on the mail) and its failure (ruf) reports grouped by sender and by the identity used:
 * the answers of `sumi history --json` and `sumi failures --json`. A domain outside the caller's
 * scope is a 404; a failure report about another client's domain (a look-alike of this one)
 * is left out for a caller who does not see that domain.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import {
  type FailureItem,
  type FailuresView,
  failureReports,
  type IdentityGroup,
  MAX_FAILURE_REPORTS_READ,
  MAX_GROUP_SUBJECTS,
  type SenderGroup,
} from '../analysis/failures.ts';
import { policyHistory, STEP_WINDOW_DAYS } from '../analysis/history.ts';
import { StoredIpFacts } from '../analysis/ip-facts/index.ts';
import { type Period, PeriodError, parsePeriod } from '../analysis/period.ts';
import { type DomainScope, scopeAllows } from '../auth/scope.ts';
import type { Store } from '../store/types.ts';
import { GZIP_ABOVE_CHARS } from './analysis.ts';
import { type AnalysisCache, approxJsonChars } from './analysis-cache.ts';
import { visibleDomain } from './domains.ts';
import { ApiError } from './errors.ts';
import { failuresViewSchema, policyHistorySchema } from './history-schemas.ts';
import { type AnyRouteSpec, addRoute, domainParams } from './route.ts';

/** History looks further back than the other questions by default, as `sumi history` does: a rollout takes months. */
export const HISTORY_DEFAULT_SINCE = '90d';
/** Failure reports sent in full unless `limit` says otherwise; the counts and groups cover them all. */
export const FAILURE_ITEMS_DEFAULT = 100;

const periodQuery = {
  /** `30d` or a date (`2026-10-01`). */
  since: z.string().max(20).optional(),
  /** A date, inclusive, or `Nd` days before today. */
  until: z.string().max(20).optional(),
};

function period(query: { since?: string | undefined; until?: string | undefined }, since?: string): Period {
  try {
    return parsePeriod({ since: query.since ?? since, until: query.until });
  } catch (error) {
    if (error instanceof PeriodError) throw new ApiError(400, 'bad-request', { details: error.message });
    throw error;
  }
}

/** Relations that put a report in a domain's view (as in analysis/failures.ts). */
const RELATED = new Set(['exact', 'subdomain', 'look-alike']);

/**
 * The view as a caller scoped to some domains may see it: only reports whose reported domain is
 * theirs (as /api/failure-reports lists them), counts and groups made again from those. A
 * look-alike of the domain may be another client's domain in the same store.
 */
export function failuresInScope(view: FailuresView, scope: DomainScope): FailuresView {
  if (scope.all) return view;
  const visible = (item: FailureItem) => {
    const reported = item.reportedDomains[0];
    return reported !== undefined && scopeAllows(scope, reported);
  };
  if (view.items.every(visible)) return view;
  const items = view.items.filter(visible);
  const network = new Map(view.bySender.map((s) => [s.ip, s]));
  const senders = new Map<string, SenderGroup>();
  const identities = new Map<string, IdentityGroup>();
  const addSubject = (subjects: string[], subject: string | null) => {
    if (subject !== null && subjects.length < MAX_GROUP_SUBJECTS && !subjects.includes(subject))
      subjects.push(subject);
  };
  // Oldest first, as the view reads them, so first/last and subjects come in the same order.
  for (const item of [...items].reverse()) {
    const ip = item.sourceIp ?? '';
    let s = senders.get(ip);
    if (!s) {
      const known = network.get(ip);
      s = {
        ip,
        ptr: known?.ptr ?? null,
        asn: known?.asn ?? null,
        asOrg: known?.asOrg ?? null,
        country: known?.country ?? null,
        reports: 0,
        incidents: 0,
        first: item.arrival,
        last: item.arrival,
        fromDomains: [],
        subjects: [],
      };
      senders.set(ip, s);
    }
    s.reports++;
    s.incidents += item.incidents;
    if (item.arrival !== null) {
      if (s.first === null || item.arrival < s.first) s.first = item.arrival;
      if (s.last === null || item.arrival > s.last) s.last = item.arrival;
    }
    if (item.from && !s.fromDomains.includes(item.from.domain)) s.fromDomains.push(item.from.domain);
    addSubject(s.subjects, item.subject);
    const seen = new Set<string>();
    for (const id of [item.from, item.mailFrom, item.replyTo]) {
      if (!id || !RELATED.has(id.relation) || seen.has(id.domain)) continue;
      seen.add(id.domain);
      let g = identities.get(id.domain);
      if (!g) {
        g = {
          domain: id.domain,
          relation: id.relation,
          ...(id.why ? { why: id.why } : {}),
          reports: 0,
          incidents: 0,
          senders: [],
          subjects: [],
        };
        identities.set(id.domain, g);
      }
      g.reports++;
      g.incidents += item.incidents;
      if (ip && !g.senders.includes(ip)) g.senders.push(ip);
      addSubject(g.subjects, item.subject);
    }
  }
  const count = (part: FailureItem['carries'][number]) =>
    items.filter((i) => i.carries.includes(part)).length;
  const carried = {
    headers: count('headers'),
    subject: count('subject'),
    body: count('body'),
    urls: count('urls'),
    redacted: items.filter((i) => i.redactedByReporter).length,
    noOriginal: items.filter((i) => i.originalForm === null).length,
  };
  const cannotTell = ['aggregate-no-content', 'ruf-sample'];
  if (carried.noOriginal > 0) cannotTell.push('no-original');
  if (carried.body < items.length) cannotTell.push('headers-only');
  if (carried.redacted > 0) cannotTell.push('redacted');
  if (items.length === 0) cannotTell.push('no-ruf');
  return {
    ...view,
    reports: items.length,
    incidents: items.reduce((n, i) => n + i.incidents, 0),
    carried,
    bySender: [...senders.values()].sort((a, b) => b.incidents - a.incidents || a.ip.localeCompare(b.ip)),
    byIdentity: [...identities.values()].sort(
      (a, b) => b.incidents - a.incidents || a.domain.localeCompare(b.domain),
    ),
    items,
    cannotTell,
  };
}

export function registerHistoryRoutes(
  app: FastifyInstance,
  registry: AnyRouteSpec[],
  store: Store,
  cache: AnalysisCache,
): void {
  /** One answer as JSON, kept until the domain's reports change, gzipped when large (as the analysis routes do). */
  const send = async (reply: FastifyReply, domain: string, key: string, compute: () => Promise<unknown>) => {
    const json = await cache.json(domain, key, compute);
    reply.type('application/json; charset=utf-8').header('vary', 'accept-encoding');
    const accepts = reply.request.headers['accept-encoding'] ?? '';
    if (json.length >= GZIP_ABOVE_CHARS && /\bgzip\b/.test(accepts)) {
      return reply.header('content-encoding', 'gzip').send(await cache.gzipped(key, json));
    }
    return reply.send(json);
  };

  addRoute(app, registry, {
    method: 'GET',
    url: '/api/domains/:domain/history',
    summary: `The published DMARC policy per day (from the reports' policy_published and stored checks) and each step between policies with the mail of the ${STEP_WINDOW_DAYS} days before and after it (since defaults to ${HISTORY_DEFAULT_SINCE})`,
    tag: 'analysis',
    access: 'viewer',
    params: domainParams,
    query: z.object(periodQuery),
    response: policyHistorySchema,
    async handler({ reply, params, query, caller }) {
      const domain = visibleDomain(caller, params.domain);
      const within = period(query, HISTORY_DEFAULT_SINCE);
      // A check stored by `sumi check --store` shows once the kept answer expires (a minute at most).
      return send(reply, domain, JSON.stringify([domain, 'history', within]), () =>
        policyHistory(store, domain, within),
      );
    },
  });

  addRoute(app, registry, {
    method: 'GET',
    url: '/api/domains/:domain/failures',
    summary:
      'Failure (ruf) reports of the domain, its subdomains and look-alikes: what each carries, grouped by sender and by the identity used, with what aggregate data cannot tell; items holds the newest limit reports (reports counts them all)',
    tag: 'analysis',
    access: 'viewer',
    params: domainParams,
    query: z.object({
      ...periodQuery,
      limit: z.coerce.number().int().min(0).max(MAX_FAILURE_REPORTS_READ).default(FAILURE_ITEMS_DEFAULT),
    }),
    response: failuresViewSchema,
    async handler({ reply, params, query, caller }) {
      const domain = visibleDomain(caller, params.domain);
      const within = period(query);
      // The whole view is kept once; each caller's scope and limit is cut from it. Names of
      // senders come from the stored reverse DNS only: a page view never waits on lookups. A
      // failure report stored by another process shows once the kept answer expires (a minute).
      const view = () =>
        cache.value(
          domain,
          JSON.stringify([domain, 'failures-view', within]),
          () => failureReports(store, domain, { period: within, ipFacts: new StoredIpFacts(store) }),
          (v) => approxJsonChars(v.items) + approxJsonChars(v.bySender) + approxJsonChars(v.byIdentity),
        );
      const scope = caller.scope.all ? 'all' : [...caller.scope.domains].sort();
      return send(
        reply,
        domain,
        JSON.stringify([domain, 'failures', within, scope, query.limit]),
        async () => {
          const seen = failuresInScope(await view(), caller.scope);
          return { ...seen, items: seen.items.slice(0, query.limit) };
        },
      );
    },
  });
}

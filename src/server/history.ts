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
  groupFailures,
  MAX_FAILURE_REPORTS_READ,
} from '../analysis/failures.ts';
import { policyHistory, STEP_WINDOW_DAYS } from '../analysis/history.ts';
import { StoredIpFacts } from '../analysis/ip-facts/index.ts';
import { type DomainScope, reportsDomainOf } from '../auth/scope.ts';
import type { Store } from '../store/types.ts';
import { type AnalysisCache, type AnswerReads, approxJsonChars } from './analysis-cache.ts';
import { period, periodQuery, sendAnswer } from './answers.ts';
import { visibleDomain } from './domains.ts';
import { failuresViewSchema, policyHistorySchema } from './history-schemas.ts';
import { type AnyRouteSpec, addRoute, domainParams } from './route.ts';

/** History looks further back than the other questions by default, as `sumi history` does: a rollout takes months. */
export const HISTORY_DEFAULT_SINCE = '90d';
/** Failure reports sent in full unless `limit` says otherwise; the counts and groups cover them all. */
export const FAILURE_ITEMS_DEFAULT = 100;

/**
 * The view as one caller may see it: a user limited to some domains sees only the reports of
 * those (a look-alike of the domain can be another client's domain in the same store).
 */
export function failuresInScope(view: FailuresView, scope: DomainScope): FailuresView {
  if (scope.all) return view;
  const visible = (item: FailureItem) => reportsDomainOf(scope, item.reportedDomains);
  if (view.items.every(visible)) return view;
  const network = new Map(view.bySender.map((s) => [s.ip, s]));
  return { ...view, ...groupFailures(view.items.filter(visible), (ip) => network.get(ip)) };
}

export function registerHistoryRoutes(
  app: FastifyInstance,
  registry: AnyRouteSpec[],
  store: Store,
  cache: AnalysisCache,
): void {
  const send = (
    reply: FastifyReply,
    domain: string,
    key: string,
    compute: () => Promise<unknown>,
    reads: AnswerReads = {},
  ) => sendAnswer(reply, cache, domain, key, compute, reads);

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
      // A check stored by `sumi check --store` shows within ANALYSIS_VERSION_MS (AnalysisCache).
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
      // failure report stored by another process shows within ANALYSIS_VERSION_MS.
      const reads = { failureReports: true };
      const view = () =>
        cache.value(
          domain,
          JSON.stringify([domain, 'failures-view', within]),
          () => failureReports(store, domain, { period: within, ipFacts: new StoredIpFacts(store) }),
          (v) => approxJsonChars(v.items) + approxJsonChars(v.bySender) + approxJsonChars(v.byIdentity),
          reads,
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
        reads,
      );
    },
  });
}

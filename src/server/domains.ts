/**
 * The domains a caller may see, each with its policy, volume, pass rate, daily trend and next
 * step; and the live check of one domain. A domain outside the caller's scope is a 404, as if
 * it did not exist.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { describeNextStep, domainOverviews } from '../analysis/overview.ts';
import { parsePeriod } from '../analysis/period.ts';
import { type DomainScope, scopeAllows, scopeCondition } from '../auth/scope.ts';
import { type CheckContext, checkDomain, describeCheck, InvalidDomainError } from '../check/index.ts';
import type { Lang } from '../i18n/lang.ts';
import type { Store } from '../store/types.ts';
import { ApiError, notFound, requestLang } from './errors.ts';
import { type AnyRouteSpec, addRoute, type Caller, domainParams, sinceSchema } from './route.ts';

/** The overview of every domain the caller may see over its last `days`, as the API gives it: the next step in words. */
export async function domainOverviewsFor(
  store: Store,
  scope: DomainScope,
  days: number,
  lang: Lang,
  inventory: readonly string[],
  now = Math.floor(Date.now() / 1000),
) {
  const filter = {
    condition: (column: string) => scopeCondition(column, scope),
    allows: (domain: string) => scopeAllows(scope, domain),
  };
  const overviews = await domainOverviews(store, parsePeriod({ since: `${days}d` }, now), {
    inventory,
    filter,
  });
  return overviews.map(({ next, ...overview }) => ({ ...overview, next: describeNextStep(next, lang) }));
}

/** The domain of a /api/domains/:domain route, or a 404 when the caller may not see it. */
export function visibleDomain(caller: Caller, domain: string): string {
  if (!scopeAllows(caller.scope, domain)) throw notFound(domain);
  return domain;
}

const overviewSchema = z.object({
  domain: z.string(),
  policy: z
    .object({ p: z.string().nullable(), sp: z.string().nullable(), pct: z.number().nullable() })
    .nullable(),
  messages: z.number(),
  passRate: z.number().nullable(),
  trend: z.array(z.object({ day: z.string(), messages: z.number(), pass: z.number() })),
  next: z.object({ code: z.string(), text: z.string() }),
});

export interface CheckSession {
  context: CheckContext;
  close(): void;
}

export interface DomainRouteOptions {
  store: Store;
  /** The inventory's domains, shown even before any report arrives. */
  inventory: () => Promise<string[]>;
  /** Resolver and fetcher for one live check (a fresh DNS cache each time), closed after it. */
  checkSession: () => Promise<CheckSession>;
}

export function registerDomainRoutes(
  app: FastifyInstance,
  registry: AnyRouteSpec[],
  options: DomainRouteOptions,
): void {
  addRoute(app, registry, {
    method: 'GET',
    url: '/api/domains',
    summary:
      'Domains the caller may see: policy, messages, DMARC pass rate, the daily trend (the days with mail) and the next step',
    tag: 'domains',
    access: 'viewer',
    query: z.object({ since: sinceSchema }),
    response: z.object({ domains: z.array(overviewSchema) }),
    async handler({ request, query, caller }) {
      const domains = await domainOverviewsFor(
        options.store,
        caller.scope,
        query.since,
        requestLang(request),
        await options.inventory(),
      );
      return { domains };
    },
  });

  addRoute(app, registry, {
    method: 'GET',
    url: '/api/domains/:domain/check',
    summary: 'Live check of the domain (as `sumi check --json`): records, findings with fixes',
    tag: 'domains',
    access: 'viewer',
    params: domainParams,
    async handler({ request, params, caller }) {
      const domain = visibleDomain(caller, params.domain);
      const session = await options.checkSession();
      try {
        const check = await checkDomain(domain, session.context);
        return describeCheck(check, requestLang(request));
      } catch (error) {
        if (error instanceof InvalidDomainError) throw new ApiError(400, 'bad-domain', { domain });
        throw error;
      } finally {
        session.close();
      }
    },
  });
}

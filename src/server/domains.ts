/**
 * The domains a caller may see, each with its policy, volume, pass rate, daily trend and next
 * step; and the live check of one domain. A domain outside the caller's scope is a 404, as if
 * it did not exist.
 */
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import { type DomainScope, scopeAllows, scopeCondition } from '../auth/scope.ts';
import { type CheckContext, checkDomain, describeCheck, InvalidDomainError } from '../check/index.ts';
import type { Lang } from '../i18n/lang.ts';
import { serverText } from '../i18n/server.ts';
import { translate } from '../i18n/translate.ts';
import type { Store } from '../store/types.ts';
import { ApiError, notFound, requestLang } from './errors.ts';
import { type AnyRouteSpec, addRoute, type Caller, domainParams, sinceSchema } from './route.ts';

const DAY = 86_400;
/** Below this share of passing mail, the next step is fixing senders, not enforcing. */
export const ENFORCE_PASS_RATE = 0.98;

export type NextStep = 'publish-dmarc' | 'fix-senders' | 'quarantine' | 'reject' | 'watch' | 'no-data';

export function nextStep(policy: string | null, messages: number, passRate: number | null): NextStep {
  if (policy === null) return messages === 0 ? 'publish-dmarc' : 'fix-senders';
  if (messages === 0 || passRate === null) return 'no-data';
  // Enforced already: failing mail is then mostly spoofing, which the policy is there to stop.
  if (policy === 'reject') return 'watch';
  if (passRate < ENFORCE_PASS_RATE) return 'fix-senders';
  if (policy === 'none') return 'quarantine';
  return policy === 'quarantine' ? 'reject' : 'watch';
}

export interface DomainOverview {
  domain: string;
  policy: { p: string | null; sp: string | null; pct: number | null } | null;
  messages: number;
  passRate: number | null;
  trend: { day: string; messages: number; pass: number }[];
  next: { code: NextStep; text: string };
}

/**
 * One overview per domain in scope: every policy domain with reports, and every domain the
 * caller names in `extra` (the inventory). Two queries whatever the number of domains.
 */
export async function domainOverviews(
  store: Store,
  scope: DomainScope,
  days: number,
  lang: Lang,
  extra: readonly string[] = [],
  now = Math.floor(Date.now() / 1000),
): Promise<DomainOverview[]> {
  const today = now - (now % DAY);
  const since = today - (days - 1) * DAY;
  const volume = await store.db
    .selectFrom('source_rollup')
    .select([
      'policy_domain',
      'day',
      sql<number>`sum(messages)`.as('messages'),
      sql<number>`sum(case when dkim = 'pass' or spf = 'pass' then messages else 0 end)`.as('pass'),
    ])
    .where('day', '>=', since)
    .where(scopeCondition('policy_domain', scope))
    .groupBy(['policy_domain', 'day'])
    .execute();
  // The policy of each domain's latest report: the newest window start per domain (read off
  // the reports_domain_begin index), then the reports starting then.
  const policies = await store.db
    .selectFrom('reports as r')
    .innerJoin(
      (eb) =>
        eb
          .selectFrom('reports')
          .select(['policy_domain', (e) => e.fn.max('date_begin').as('latest')])
          .where(scopeCondition('policy_domain', scope))
          .groupBy('policy_domain')
          .as('l'),
      (join) => join.onRef('l.policy_domain', '=', 'r.policy_domain').onRef('l.latest', '=', 'r.date_begin'),
    )
    .select(['r.policy_domain', 'r.p', 'r.sp', 'r.pct'])
    .orderBy('r.id')
    .execute();
  const names = new Set<string>([
    ...policies.map((p) => p.policy_domain),
    ...volume.map((v) => v.policy_domain),
  ]);
  for (const domain of extra) if (scopeAllows(scope, domain)) names.add(domain);
  const policyOf = new Map(policies.map((p) => [p.policy_domain, { p: p.p, sp: p.sp, pct: p.pct }]));
  return [...names].sort().map((domain) => {
    const trend: DomainOverview['trend'] = [];
    let messages = 0;
    let pass = 0;
    const rows = new Map(volume.filter((v) => v.policy_domain === domain).map((v) => [Number(v.day), v]));
    for (let day = since; day <= today; day += DAY) {
      const row = rows.get(day);
      const m = Number(row?.messages ?? 0);
      const p = Number(row?.pass ?? 0);
      messages += m;
      pass += p;
      trend.push({ day: new Date(day * 1000).toISOString().slice(0, 10), messages: m, pass: p });
    }
    const policy = policyOf.get(domain) ?? null;
    const passRate = messages === 0 ? null : pass / messages;
    const code = nextStep(policy?.p ?? null, messages, passRate);
    return {
      domain,
      policy,
      messages,
      passRate,
      trend,
      next: { code, text: translate(serverText, `next.${code}`, lang) },
    };
  });
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
    summary: 'Domains the caller may see: policy, messages, DMARC pass rate, daily trend and the next step',
    tag: 'domains',
    access: 'viewer',
    query: z.object({ since: sinceSchema }),
    response: z.object({ domains: z.array(overviewSchema) }),
    async handler({ request, query, caller }) {
      const domains = await domainOverviews(
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

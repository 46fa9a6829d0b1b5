/**
 * The analysis of one domain's reports: summary, senders (and one sender), subdomains,
 * reporters, the enforcement simulator, the rollout plan, and the owner's marks on senders. Every route answers
 * 404 for a domain outside the caller's scope.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { InventoryInputError, markSender, SENDER_MARKS, unmarkSender } from '../analysis/inventory.ts';
import type { Period } from '../analysis/period.ts';
import { plan } from '../analysis/plan.ts';
import { reporters } from '../analysis/reporters.ts';
import { simulate } from '../analysis/simulate.ts';
import { type Sender, sources } from '../analysis/sources.ts';
import { subdomains } from '../analysis/subdomains.ts';
import { summary } from '../analysis/summary.ts';
import type { Accounts } from '../auth/accounts.ts';
import type { Lang } from '../i18n/lang.ts';
import { canonicalIp } from '../reports/ip.ts';
import type { Store } from '../store/types.ts';
import { type AnalysisCache, approxJsonChars } from './analysis-cache.ts';
import { period, periodQuery, sendAnswer } from './answers.ts';
import { visibleDomain } from './domains.ts';
import { ApiError, notFound, requestLang } from './errors.ts';
import { type AnyRouteSpec, addRoute, domainParams, okResponse } from './route.ts';
import {
  classCounts,
  SENDER_SORT_KEYS,
  senderPageQuery,
  senderSchema,
  sendersPageSchema,
  sortedSenders,
} from './senders.ts';

const senderParams = domainParams.extend({ ip: z.string().max(64) });

function senderIp(text: string): string {
  const ip = canonicalIp(text);
  if (ip === null)
    throw new ApiError(400, 'bad-request', { details: `"${text.slice(0, 64)}" is not an IP address` });
  return ip;
}

const policy = z.enum(['none', 'quarantine', 'reject']);

/**
 * Senders listed in a simulation or among a domain's unknown senders: a big domain has
 * thousands (megabytes of JSON per page view); the senders route pages through them all.
 */
export const LIST_DEFAULT = 100;
export const LIST_MAX = 10_000;
const listLimit = z.coerce.number().int().min(1).max(LIST_MAX).default(LIST_DEFAULT);

export function registerAnalysisRoutes(
  app: FastifyInstance,
  registry: AnyRouteSpec[],
  store: Store,
  accounts: Accounts,
  cache: AnalysisCache,
): void {
  /** One question's answer as JSON, from the cache when the reports have not changed since. */
  const cached = (reply: FastifyReply, domain: string, parts: unknown[], compute: () => Promise<unknown>) =>
    sendAnswer(reply, cache, domain, JSON.stringify([domain, ...parts]), compute);

  addRoute(app, registry, {
    method: 'GET',
    url: '/api/domains/:domain/summary',
    summary: 'Messages, DMARC pass and fail, per-day series and the published policy per day over the period',
    tag: 'analysis',
    access: 'viewer',
    params: domainParams,
    query: z.object(periodQuery),
    async handler({ reply, params, query, caller }) {
      const domain = visibleDomain(caller, params.domain);
      const within = period(query);
      return cached(reply, domain, ['summary', within], () => summary(store, domain, within));
    },
  });

  /**
   * The domain's senders over the period, kept as data: pages and single senders are cut from
   * it; its sorted and filtered views are kept with it (and go with it).
   */
  const allSenders = (domain: string, within: Period, lang: Lang) =>
    cache.value(
      domain,
      JSON.stringify(['sources', domain, within, lang]),
      async () => ({
        result: await sources(store, domain, within, { lang }),
        views: new Map<string, Sender[]>(),
      }),
      // Reason words are shared between senders: in memory, less than half their JSON.
      ({ result }) => approxJsonChars(result.senders) / 2,
    );

  addRoute(app, registry, {
    method: 'GET',
    url: '/api/domains/:domain/senders',
    summary: `Sending IPs with volume, aligned results, known service, class, fail reason and fix, a page at a time (limit, offset); sort: ${SENDER_SORT_KEYS.join(', ')}; class filters by class`,
    tag: 'analysis',
    access: 'viewer',
    params: domainParams,
    query: z.object({ ...periodQuery, ...senderPageQuery }),
    response: sendersPageSchema,
    async handler({ request, reply, params, query, caller }) {
      const domain = visibleDomain(caller, params.domain);
      const within = period(query);
      const lang = requestLang(request);
      const { sort, order, class: only, limit, offset } = query;
      return cached(
        reply,
        domain,
        ['sources-page', within, lang, sort, order, only ?? null, limit, offset],
        async () => {
          const { result, views } = await allSenders(domain, within, lang);
          // Every page of one view is cut from the same sorted list.
          const view = `${sort} ${order} ${only ?? ''}`;
          let list = views.get(view);
          if (!list) {
            list = sortedSenders(result.senders, sort, order, only);
            views.set(view, list);
          }
          return {
            domain: result.domain,
            since: result.since,
            until: result.until,
            messages: result.messages,
            dmarcPass: result.dmarcPass,
            dmarcFail: result.dmarcFail,
            classes: classCounts(result.senders),
            total: list.length,
            offset,
            limit,
            sort,
            order,
            senders: list.slice(offset, offset + limit),
          };
        },
      );
    },
  });

  addRoute(app, registry, {
    method: 'GET',
    url: '/api/domains/:domain/senders/:ip',
    summary: 'One sender of the domain: volume, results, reasons, From domains, mark',
    tag: 'analysis',
    access: 'viewer',
    params: senderParams,
    query: z.object(periodQuery),
    response: z.object({ domain: z.string(), since: z.string(), until: z.string(), sender: senderSchema }),
    async handler({ request, params, query, caller }) {
      const domain = visibleDomain(caller, params.domain);
      const ip = senderIp(params.ip);
      const within = period(query);
      const { result } = await allSenders(domain, within, requestLang(request));
      const sender = result.senders.find((s) => s.ip === ip);
      if (!sender) throw notFound(`${ip} for ${domain}`);
      return { domain: result.domain, since: result.since, until: result.until, sender };
    },
  });

  addRoute(app, registry, {
    method: 'POST',
    url: '/api/domains/:domain/senders/:ip/mark',
    changesAnalysis: true,
    summary: 'Mark a sender as authorised, forwarder or suspicious (overrides its classification)',
    tag: 'analysis',
    access: 'analyst',
    params: senderParams,
    body: z.object({ mark: z.enum(SENDER_MARKS), note: z.string().max(500).optional() }),
    async handler({ request, params, body, caller }) {
      const domain = visibleDomain(caller, params.domain);
      const ip = senderIp(params.ip);
      try {
        const marked = await markSender(store, domain, ip, body.mark, body.note);
        await accounts.audit({
          userId: caller.user.id,
          username: caller.user.username,
          action: 'sender.mark',
          target: `${domain} ${ip}`,
          detail: { mark: body.mark },
          ip: request.ip,
        });
        return marked;
      } catch (error) {
        if (error instanceof InventoryInputError)
          throw new ApiError(400, 'bad-request', { details: error.message });
        throw error;
      }
    },
  });

  addRoute(app, registry, {
    method: 'DELETE',
    url: '/api/domains/:domain/senders/:ip/mark',
    changesAnalysis: true,
    summary: 'Remove the mark on a sender',
    tag: 'analysis',
    access: 'analyst',
    params: senderParams,
    response: okResponse,
    async handler({ request, params, caller }) {
      const domain = visibleDomain(caller, params.domain);
      const ip = senderIp(params.ip);
      if (!(await unmarkSender(store, domain, ip))) throw notFound(`mark on ${ip}`);
      await accounts.audit({
        userId: caller.user.id,
        username: caller.user.username,
        action: 'sender.unmark',
        target: `${domain} ${ip}`,
        ip: request.ip,
      });
      return { ok: true };
    },
  });

  addRoute(app, registry, {
    method: 'GET',
    url: '/api/domains/:domain/subdomains',
    summary:
      'From subdomains seen in the reports (shadow subdomains), with volume, senders and inventory status; the senders nobody named, most mail first, up to limit (unknownSendersTotal counts them all)',
    tag: 'analysis',
    access: 'viewer',
    params: domainParams,
    query: z.object({ ...periodQuery, limit: listLimit }),
    async handler({ request, reply, params, query, caller }) {
      const domain = visibleDomain(caller, params.domain);
      const within = period(query);
      const lang = requestLang(request);
      // Only the answer as sent is kept: another limit is rarely asked.
      return cached(reply, domain, ['subdomains', within, lang, query.limit], async () => {
        const result = await subdomains(store, domain, within, { lang });
        return {
          ...result,
          unknownSenders: result.unknownSenders.slice(0, query.limit),
          unknownSendersTotal: result.unknownSenders.length,
        };
      });
    },
  });

  addRoute(app, registry, {
    method: 'GET',
    url: '/api/domains/:domain/reporters',
    summary: 'Who reports on the domain: share, cadence, gaps, reporters that stopped',
    tag: 'analysis',
    access: 'viewer',
    params: domainParams,
    query: z.object(periodQuery),
    async handler({ reply, params, query, caller }) {
      const domain = visibleDomain(caller, params.domain);
      const within = period(query);
      return cached(reply, domain, ['reporters', within], () => reporters(store, domain, within));
    },
  });

  addRoute(app, registry, {
    method: 'GET',
    url: '/api/domains/:domain/simulate',
    summary:
      'What a stricter policy would do to the mail of the period: legitimate mail at risk, by sender (up to limit, legitimate first; senders_total counts them all)',
    tag: 'analysis',
    access: 'viewer',
    params: domainParams,
    query: z.object({
      policy: policy.default('quarantine'),
      sp: policy.optional(),
      np: policy.optional(),
      pct: z.coerce.number().int().min(0).max(100).optional(),
      limit: listLimit,
      ...periodQuery,
    }),
    async handler({ request, reply, params, query, caller }) {
      const domain = visibleDomain(caller, params.domain);
      const within = period(query);
      const lang = requestLang(request);
      const { policy: p, sp, np, pct, limit } = query;
      // Only the answer as sent is kept: another limit is rarely asked.
      return cached(reply, domain, ['simulate', within, lang, p, sp, np, pct, limit], async () => {
        const result = await simulate(store, domain, {
          policy: p,
          period: within,
          lang,
          ...(sp ? { sp } : {}),
          ...(np ? { np } : {}),
          ...(pct !== undefined ? { pct } : {}),
        });
        return { ...result, senders: result.senders.slice(0, limit), senders_total: result.senders.length };
      });
    },
  });

  addRoute(app, registry, {
    method: 'GET',
    url: '/api/domains/:domain/plan',
    summary:
      'The rollout plan: each step (monitor, fix senders, quarantine, reject, BIMI) with its criteria, blockers and record',
    tag: 'analysis',
    access: 'viewer',
    params: domainParams,
    async handler({ request, reply, params, caller }) {
      const domain = visibleDomain(caller, params.domain);
      const now = Math.floor(Date.now() / 1000);
      const lang = requestLang(request);
      // The plan counts whole days: the same answer all day.
      return cached(reply, domain, ['plan', lang, now - (now % 86_400)], () =>
        plan(store, domain, { now, lang }),
      );
    },
  });
}

/**
 * The quarantine over HTTP, for admins: the inputs kept because they gave no report (whose
 * domain is unknown, so no scope can allow them), their bytes, and reading them again with this
 * version (ingest/quarantine.ts), as `sumi quarantine` does.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Accounts } from '../auth/accounts.ts';
import { quarantineReasonIn, totalsAnswer } from '../ingest/describe.ts';
import { retryQuarantined } from '../ingest/quarantine.ts';
import type { Store } from '../store/types.ts';
import { notFound, requestLang } from './errors.ts';
import { type AnyRouteSpec, addRoute, idParams, pageQuery } from './route.ts';
import { ingestSummarySchema } from './uploads.ts';

/**
 * Entries read again by one request at most (each is read and stored in turn: a request stays
 * short); without ids, the latest this many.
 */
export const RETRY_MAX_ENTRIES = 1000;

export function registerQuarantineRoutes(
  app: FastifyInstance,
  registry: AnyRouteSpec[],
  store: Store,
  accounts: Accounts,
): void {
  addRoute(app, registry, {
    method: 'GET',
    url: '/api/quarantine',
    summary:
      'Inputs kept because they gave no report: where they came from, why (errorMessage, without the source in front), when, how often; latest first, a page at a time (total: how many there are)',
    tag: 'reports',
    access: 'admin',
    query: z.object(pageQuery),
    async handler({ query, request }) {
      const [count, entries] = await Promise.all([
        store.db
          .selectFrom('quarantine')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow(),
        store.listQuarantine({ limit: query.limit, offset: query.offset }),
      ]);
      const lang = requestLang(request);
      return {
        total: Number(count.n),
        entries: entries.map((entry) => {
          // How the reason is kept, not what a reader needs: errorMessage says it in their language.
          const { errorDetails, ...shown } = entry;
          return { ...shown, errorMessage: quarantineReasonIn(entry, lang) };
        }),
      };
    },
  });

  addRoute(app, registry, {
    method: 'GET',
    url: '/api/quarantine/:id/raw',
    summary: 'A quarantined input as it was received (a download: it may be a mail, a zip, anything)',
    tag: 'reports',
    access: 'admin',
    params: idParams,
    produces: 'application/octet-stream',
    async handler({ params, reply }) {
      const raw = await store.getRawReport(params.id, 'quarantine');
      if (!raw) throw notFound(`quarantine entry ${params.id}`);
      reply
        .type('application/octet-stream')
        .header('content-security-policy', "sandbox; default-src 'none'")
        .header('content-disposition', `attachment; filename="quarantine-${params.id}"`);
      return raw;
    },
  });

  addRoute(app, registry, {
    method: 'POST',
    url: '/api/quarantine/retry',
    changesAnalysis: true,
    summary: `Reads quarantined inputs again with this version (the ids given, or the latest; at most ${RETRY_MAX_ENTRIES}): those that now give their reports are stored and leave the quarantine; answers as \`sumi quarantine retry --json\``,
    tag: 'reports',
    access: 'admin',
    body: z.object({ ids: z.array(z.number().int().positive()).max(RETRY_MAX_ENTRIES).optional() }),
    response: ingestSummarySchema.extend({ retried: z.number(), released: z.number() }),
    async handler({ request, body, caller }) {
      if (body.ids) {
        // As for any other id: one that names no entry (never, or taken out since) is a 404,
        // before anything is read again.
        const found = new Set(
          (await store.listQuarantine({ ids: body.ids, limit: body.ids.length })).map((entry) => entry.id),
        );
        const missing = [...new Set(body.ids.filter((id) => !found.has(id)))];
        if (missing.length > 0)
          throw notFound(`quarantine ${missing.length === 1 ? 'entry' : 'entries'} ${missing.join(', ')}`);
      }
      const retry = await retryQuarantined(store, {
        limit: RETRY_MAX_ENTRIES,
        ...(body.ids ? { ids: body.ids } : {}),
      });
      await accounts.audit({
        userId: caller.user.id,
        username: caller.user.username,
        action: 'quarantine-retry',
        target: body.ids ? body.ids.join(', ').slice(0, 1000) : 'all',
        detail: { retried: retry.retried, released: retry.released, reports: retry.totals.reports },
        ip: request.ip,
      });
      return {
        retried: retry.retried,
        released: retry.released,
        ...totalsAnswer(retry.totals, requestLang(request)),
      };
    },
  });
}

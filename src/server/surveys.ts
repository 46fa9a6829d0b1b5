/**
 * Stored survey scans (`sumi survey --db`): the list, and one scan's report recomputed from
 * its results. Surveys span many organisations' domains, so only callers who see every domain
 * see them; others get an empty list and 404s.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { decodeText } from '../store/text.ts';
import type { Store } from '../store/types.ts';
import { findScanById, storedReport } from '../survey/stored.ts';
import { notFound } from './errors.ts';
import { type AnyRouteSpec, addRoute, idParams, pageQuery } from './route.ts';

const scanSchema = z.object({
  id: z.number(),
  name: z.string(),
  list: z.string(),
  status: z.string(),
  lines: z.number().nullable(),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
});

export function registerSurveyRoutes(app: FastifyInstance, registry: AnyRouteSpec[], store: Store): void {
  addRoute(app, registry, {
    method: 'GET',
    url: '/api/surveys',
    summary: 'Stored survey scans, newest first (only for callers who see every domain)',
    tag: 'surveys',
    access: 'viewer',
    query: z.object(pageQuery),
    response: z.object({ surveys: z.array(scanSchema) }),
    async handler({ query, caller }) {
      if (!caller.scope.all) return { surveys: [] };
      const rows = await store.db
        .selectFrom('survey_scans')
        .select(['id', 'name', 'list', 'status', 'lines', 'started_at', 'finished_at'])
        .orderBy('id', 'desc')
        .limit(query.limit)
        .offset(query.offset)
        .execute();
      return {
        surveys: rows.map((r) => ({
          id: r.id,
          name: decodeText(store.engine, r.name),
          list: decodeText(store.engine, r.list),
          status: r.status,
          lines: r.lines,
          startedAt: r.started_at,
          finishedAt: r.finished_at,
        })),
      };
    },
  });

  addRoute(app, registry, {
    method: 'GET',
    url: '/api/surveys/:id',
    summary: 'One survey scan and its report (adoption by category, policies, Wilson intervals)',
    tag: 'surveys',
    access: 'viewer',
    params: idParams,
    async handler({ params, caller }) {
      const scan = caller.scope.all ? await findScanById(store, params.id) : undefined;
      if (!scan) throw notFound(`survey ${params.id}`);
      return { scan, report: await storedReport(store, scan) };
    },
  });
}

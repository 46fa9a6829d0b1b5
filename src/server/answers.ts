/**
 * How an analysis answer goes out, the same for every domain question: the period in the query
 * (`since`, `until`), the answer kept as JSON until the domain's reports change (AnalysisCache),
 * and gzip for large answers to clients that take it.
 */
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { type Period, PeriodError, parsePeriod } from '../analysis/period.ts';
import type { AnalysisCache, AnswerReads } from './analysis-cache.ts';
import { ApiError } from './errors.ts';

/** Answers larger than this go gzipped to clients that take it (a page of senders: 50 KB -> a tenth). */
export const GZIP_ABOVE_CHARS = 32 * 1024;

export const periodQuery = {
  /** `30d` or a date (`2026-10-01`). */
  since: z.string().max(20).optional(),
  /** A date, inclusive, or `Nd` days before today. */
  until: z.string().max(20).optional(),
};

/** The query's period; `since` when the query gives none (else the analysis default). */
export function period(
  query: { since?: string | undefined; until?: string | undefined },
  since?: string,
): Period {
  try {
    return parsePeriod({ since: query.since ?? since, until: query.until });
  } catch (error) {
    if (error instanceof PeriodError) throw new ApiError(400, 'bad-request', { details: error.message });
    throw error;
  }
}

/** Sends the answer kept under `key` (computed when missing), gzipped when large and accepted. */
export async function sendAnswer(
  reply: FastifyReply,
  cache: AnalysisCache,
  domain: string,
  key: string,
  compute: () => Promise<unknown>,
  reads: AnswerReads = {},
): Promise<FastifyReply> {
  const json = await cache.json(domain, key, compute, reads);
  reply.type('application/json; charset=utf-8').header('vary', 'accept-encoding');
  const accepts = reply.request.headers['accept-encoding'] ?? '';
  if (json.length >= GZIP_ABOVE_CHARS && /\bgzip\b/.test(accepts)) {
    return reply.header('content-encoding', 'gzip').send(await cache.gzipped(key, json));
  }
  return reply.send(json);
}

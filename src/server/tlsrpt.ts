/**
 * The https rua of SMTP TLS reporting (RFC 8460 s3): a sending MTA POSTs one report to a URI the
 * receiving domain publishes (`rua=https://sumi.example.jp/tlsrpt`), gzipped
 * (application/tlsrpt+gzip) or not (application/tlsrpt+json), and takes a 2xx answer as receipt.
 * `sumi serve --tlsrpt DOMAINS` takes them at POST /tlsrpt, as `sumi smtpd --accept` takes mail:
 * without a login (reporters have none), for the policy domains named only.
 *
 * A report is answered 2xx once committed (201 stored, 200 one stored before), so that a reporter
 * retries on anything else: a 5xx when the store fails (app.ts's error handler). What it sent
 * that is no SMTP TLS report, or a report for other domains, is refused (4xx) and never stored; a
 * report that could not be read is kept in the quarantine (a parser's fault must lose nothing),
 * and refused.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { DomainScope } from '../auth/scope.ts';
import type { Lang } from '../i18n/lang.ts';
import { describeFailure, totalsAnswer } from '../ingest/describe.ts';
import { type FailedInput, storeMessage } from '../ingest/message.ts';
import { type MessagePart, readMessage } from '../ingest/read.ts';
import { addOutcome, emptyTotals } from '../ingest/totals.ts';
import { urlHost } from '../net/address.ts';
import type { Store } from '../store/types.ts';
import { ApiError, errorBody, requestLang } from './errors.ts';
import { ERROR_SCHEMA, type JsonSchema } from './openapi.ts';
import { scopedStore } from './uploads.ts';

/** Where reporters POST. */
export const TLSRPT_PATH = '/tlsrpt';

/**
 * The largest body taken. A day's report of a large sender is tens of KB gzipped; the unpack
 * limits (decompressed size and ratio) apply to what it holds.
 */
export const TLSRPT_MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * Reports one client may POST in a minute, more answered 429 with Retry-After: a reporter posts
 * one a policy domain a day, and the route takes no login, so what it keeps (a report that cannot
 * be read goes to the quarantine) is bounded per address, not by who asks.
 */
export const TLSRPT_REPORTS_PER_MINUTE = 60;

/** Where a POSTed report came from, as the store keeps it: the client's address and when. */
export function tlsrptSource(ip: string, receivedAtMs: number): string {
  return `tlsrpt-post://${urlHost(ip)}/${new Date(receivedAtMs).toISOString()}`;
}

/** A part that is a report, but not an SMTP TLS report: a DMARC aggregate or failure report. */
function otherReport(part: MessagePart): boolean {
  return (
    part.kind === 'aggregate' ||
    part.kind === 'failure' ||
    (part.kind === 'payload' && part.payload.kind !== 'tls')
  );
}

/** Why a part failed, in words, without the request's own source in front: its sender knows what it sent. */
function reasonOf(failure: FailedInput, source: string, lang: Lang): string {
  const words = describeFailure(failure, lang);
  if (!words.startsWith(source)) return words;
  return words.slice(source.length).replace(/^(: | > )/, '');
}

/** A part that is nothing like a report: not one (a page), or nothing at all. */
function noReport(part: MessagePart): part is Extract<MessagePart, { kind: 'unknown' | 'damaged' }> {
  return part.kind === 'unknown' || (part.kind === 'damaged' && part.error.code === 'empty-input');
}

/** The receiver as OpenAPI documents it (openapi.ts's protocol paths): no login, a report's bytes in, the ingest's totals out. */
export function tlsrptOpenApi(): Record<string, Record<string, JsonSchema>> {
  const totals = {
    type: 'object',
    description: 'What was stored, as `sumi ingest --json` says it.',
    properties: {
      reports: { type: 'integer' },
      duplicates: { type: 'integer' },
      records: { type: 'integer' },
      messages: { type: 'integer' },
      failure_reports: { type: 'integer' },
      tls_reports: { type: 'integer' },
      failed: {
        type: 'array',
        items: {
          type: 'object',
          properties: { source: { type: 'string' }, code: { type: 'string' }, error: { type: 'string' } },
        },
      },
    },
  };
  const error = (description: string) => ({
    description,
    content: { 'application/json': { schema: ERROR_SCHEMA } },
  });
  return {
    [TLSRPT_PATH]: {
      post: {
        summary:
          'Takes one SMTP TLS report (RFC 8460 s3), posted by a sending MTA to the https rua a policy domain publishes; only for the domains `sumi serve --tlsrpt` names. Its bytes are read as gzip or JSON whatever the Content-Type says.',
        tags: ['tlsrpt'],
        security: [],
        parameters: [],
        requestBody: {
          required: true,
          content: {
            'application/tlsrpt+gzip': { schema: { type: 'string', format: 'binary' } },
            'application/tlsrpt+json': {
              schema: { type: 'object', description: 'An SMTP TLS report (RFC 8460 s4)' },
            },
          },
        },
        responses: {
          '201': { description: 'Stored', content: { 'application/json': { schema: totals } } },
          '200': { description: 'Stored before', content: { 'application/json': { schema: totals } } },
          '400': error(
            'No report (tlsrpt-no-report, nothing kept), or a report that could not be read (tlsrpt-unreadable, kept in the quarantine; the totals beside the error)',
          ),
          '403': error('A report for a domain not named (tlsrpt-domain)'),
          '413': error(`A body over ${TLSRPT_MAX_BODY_BYTES} bytes (tlsrpt-too-large)`),
          '415': error('A DMARC report, not an SMTP TLS report (tlsrpt-not-tls)'),
          '429': error(
            `More than ${TLSRPT_REPORTS_PER_MINUTE} posts a minute from one address (tlsrpt-rate-limited; Retry-After)`,
          ),
          '5XX': error('The store failed: nothing was kept, and the reporter sends it again'),
        },
        'x-sumi-least-role': 'public',
      },
    },
  };
}

export function registerTlsrptReceiver(
  app: FastifyInstance,
  options: { store: Store; domains: readonly string[] },
): void {
  const scope: DomainScope = { all: false, domains: options.domains };
  const store = scopedStore(options.store, scope);
  // A context of its own: the body is taken as bytes whatever its type says (reporters label
  // gzip and JSON loosely; what it is is read from its bytes), where the API's parsers stay JSON.
  app.register(async (receiver) => {
    await receiver.register(rateLimit, {
      max: TLSRPT_REPORTS_PER_MINUTE,
      timeWindow: 60_000,
      errorResponseBuilder: (_request, context) =>
        new ApiError(429, 'tlsrpt-rate-limited', { seconds: Math.ceil(context.ttl / 1000) }),
    });
    receiver.removeAllContentTypeParsers();
    receiver.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: TLSRPT_MAX_BODY_BYTES },
      (_r, body, done) => done(null, body),
    );
    receiver.setErrorHandler((error, request, reply) => {
      if ((error as { code?: unknown }).code !== 'FST_ERR_CTP_BODY_TOO_LARGE') throw error;
      const tooLarge = new ApiError(413, 'tlsrpt-too-large', {
        megabytes: TLSRPT_MAX_BODY_BYTES / 1024 / 1024,
      });
      return reply.status(413).send(errorBody(tooLarge, requestLang(request)));
    });
    receiver.post(TLSRPT_PATH, async (request, reply) => {
      const lang = requestLang(request);
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const receivedAtMs = Date.now();
      const source = tlsrptSource(request.ip, receivedAtMs);
      const gzipped = String(request.headers['content-type'] ?? '').includes('gzip');
      const name = gzipped ? 'report.json.gz' : 'report.json';
      const parts: MessagePart[] = [];
      for await (const part of readMessage(body, name, source)) parts.push(part);
      if (parts.some(otherReport)) throw new ApiError(415, 'tlsrpt-not-tls');
      if (parts.every(noReport)) {
        // Nothing like a report (an empty body, a page, a probe): said why, and not kept.
        const first = parts.find(noReport);
        const reason = first ? reasonOf({ source: first.where, error: first.error }, source, lang) : '';
        throw new ApiError(400, 'tlsrpt-no-report', { reason });
      }
      const outcome = await storeMessage(store, parts, body, source, {
        receivedAt: Math.floor(receivedAtMs / 1000),
      });
      const refused = outcome.refused?.[0];
      if (refused) throw new ApiError(403, 'tlsrpt-domain', { domain: refused.domain });
      const totals = emptyTotals();
      addOutcome(totals, outcome);
      const answer = totalsAnswer(totals, lang);
      const failed = outcome.failed[0];
      if (failed) {
        const unreadable = new ApiError(400, 'tlsrpt-unreadable', { reason: reasonOf(failed, source, lang) });
        return reply.status(400).send({ ...errorBody(unreadable, lang), ...answer });
      }
      return reply.status(answer.tls_reports > 0 ? 201 : 200).send(answer);
    });
  });
}

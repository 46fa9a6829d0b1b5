/**
 * The HTTP server of `sumi serve`: the JSON API under /api (documented at /api/openapi.json),
 * and the dashboard's built files from dist/web with the single-page fallback to index.html.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { listDomains } from '../analysis/inventory.ts';
import { Accounts } from '../auth/accounts.ts';
import { serverText } from '../i18n/server.ts';
import { translator } from '../i18n/translate.ts';
import type { MailboxSources } from '../ingest/sources.ts';
import { storeFailure } from '../store/open.ts';
import type { Store } from '../store/types.ts';
import { registerAnalysisRoutes } from './analysis.ts';
import { AnalysisCache } from './analysis-cache.ts';
import { escapeHtml, htmlPage, registerAuthRoutes, registerCaller } from './auth.ts';
import { type CheckSession, registerDomainRoutes } from './domains.ts';
import { ApiError, errorBody, requestLang } from './errors.ts';
import { registerHistoryRoutes } from './history.ts';
import { openApiDocument } from './openapi.ts';
import { registerQuarantineRoutes } from './quarantine.ts';
import { registerReportRoutes } from './reports.ts';
import type { RetentionJob } from './retention.ts';
import type { AnyRouteSpec } from './route.ts';
import { registerSettingsRoutes } from './settings.ts';
import { registerSurveyRoutes } from './surveys.ts';
import { registerTlsRoutes } from './tls.ts';
import { registerTlsrptReceiver, tlsrptOpenApi } from './tlsrpt.ts';
import { registerUploadRoutes, UPLOAD_MAX_FILE_BYTES } from './uploads.ts';

export const API_VERSION = '0.1.0';

/** Where `npm run build:web` puts the dashboard. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../dist/web/', import.meta.url));

/** Form posts (the setup page) are small. */
const FORM_BODY_LIMIT = 16 * 1024;

export interface ServerOptions {
  store: Store;
  /** Resolver and fetcher for a live check (`/api/domains/:domain/check`). */
  checkSession: () => Promise<CheckSession>;
  accounts?: Accounts;
  /** The built dashboard (default dist/web); a page saying to build it when absent. */
  webRoot?: string;
  /** Trust X-Forwarded-For / -Proto from a reverse proxy. */
  trustProxy?: boolean;
  /** The kept analysis answers (tests give one on their own clock). */
  analysisCache?: AnalysisCache;
  /** The server's own URL, for setup links; by default from the request's Host. */
  baseUrl?: string;
  logger?: FastifyServerOptions['logger'];
  /**
   * Where a request that failed on the server's side is told, with why (the store's words, or the
   * error's stack): what the 500 and 503 answers' "the log has the details" point to.
   */
  errorLog?: (failure: { method: string; url: string; error: string }) => void;
  /** The store's --db, to say a store failing as it is used (storeFailure); never shown to clients. */
  storeUrl?: string;
  /** Watchers of the stored mailbox sources (IMAP, Microsoft Graph), run by `sumi serve`: their status is in the settings. */
  mailboxSources?: MailboxSources;
  /** The retention policy's daily run, by `sumi serve`: a changed policy is run at once. */
  retention?: RetentionJob;
  /** Take SMTP TLS reports POSTed to /tlsrpt for these policy domains (tlsrpt.ts); none: no such route. */
  tlsrptDomains?: readonly string[];
}

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};
/** Everything from this origin; inline styles for the charts; no inline scripts. */
const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { store } = options;
  const accounts = options.accounts ?? new Accounts(store.db);
  const app = Fastify({
    logger: options.logger ?? false,
    trustProxy: options.trustProxy ?? false,
    // Ids in URLs are never longer than this; longer URLs are refused early.
    routerOptions: { maxParamLength: 300 },
  });
  const registry: AnyRouteSpec[] = [];

  await app.register(fastifyCookie);
  await app.register(fastifyMultipart, { limits: { fileSize: UPLOAD_MAX_FILE_BYTES } });
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  app.addHook('onSend', async (request, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
    if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
    const type = String(reply.getHeader('content-type') ?? '');
    if (type.startsWith('text/html') && !reply.hasHeader('content-security-policy')) {
      reply.header('content-security-policy', PAGE_CSP);
    }
    return payload;
  });

  app.setErrorHandler((error, request, reply) => {
    const lang = requestLang(request);
    if (error instanceof ApiError) return reply.status(error.status).send(errorBody(error, lang));
    const status = (error as { statusCode?: number }).statusCode;
    if ((error as { code?: unknown }).code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.status(415).send(errorBody(new ApiError(415, 'unsupported-media-type'), lang));
    }
    if (status !== undefined && status >= 400 && status < 500) {
      // Fastify's own refusals: malformed JSON, a body too large.
      return reply
        .status(status)
        .send(errorBody(new ApiError(status, 'bad-request', { details: (error as Error).message }), lang));
    }
    request.log.error(error);
    // The store refuses (the server refuses the role), is not there, or fails as it is used (locked,
    // its disk full): the operator's to mend, and its words (role, database) are for the log, not
    // for whoever uploaded.
    const failure = storeFailure(options.storeUrl ?? store.files[0] ?? '', error);
    options.errorLog?.({
      method: request.method,
      url: request.url,
      error: failure?.message ?? (error as Error).stack ?? String(error),
    });
    if (failure) return reply.status(503).send(errorBody(new ApiError(503, 'store-unavailable'), lang));
    return reply.status(500).send(errorBody(new ApiError(500, 'internal'), lang));
  });

  registerCaller(app, accounts);
  registerAuthRoutes(app, registry, accounts);
  const inventory = async () => (await listDomains(store)).map((d) => d.domain);
  registerDomainRoutes(app, registry, { store, inventory, checkSession: options.checkSession });
  const cache = options.analysisCache ?? new AnalysisCache(store);
  // A change through the API to what answers say (a mark, the inventory, an upload) may change
  // any answer: cleared before the answer leaves, so the client's next question sees the change.
  // Not on a login: every answer computed again at once would stall the server for seconds.
  let changing: Set<string> | undefined;
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.method === 'GET' || request.method === 'HEAD' || reply.statusCode >= 400) return payload;
    changing ??= new Set(registry.filter((r) => r.changesAnalysis).map((r) => `${r.method} ${r.url}`));
    if (changing.has(`${request.method} ${request.routeOptions.url}`)) cache.clear();
    return payload;
  });
  registerAnalysisRoutes(app, registry, store, accounts, cache);
  registerHistoryRoutes(app, registry, store, cache);
  registerReportRoutes(app, registry, store);
  registerUploadRoutes(app, registry, store, accounts);
  registerQuarantineRoutes(app, registry, store, accounts);
  registerSurveyRoutes(app, registry, store);
  registerTlsRoutes(app, registry, store);
  if (options.tlsrptDomains?.length) registerTlsrptReceiver(app, { store, domains: options.tlsrptDomains });
  registerSettingsRoutes(app, registry, {
    store,
    accounts,
    baseUrl: (request) => options.baseUrl ?? `${request.protocol}://${request.host}`,
    ...(options.mailboxSources ? { mailboxSources: options.mailboxSources } : {}),
    ...(options.retention ? { retention: options.retention } : {}),
  });

  const protocolPaths = options.tlsrptDomains?.length ? tlsrptOpenApi() : {};
  app.get('/api/openapi.json', async () => openApiDocument(registry, API_VERSION, protocolPaths));

  const webRoot = options.webRoot ?? DEFAULT_WEB_ROOT;
  const built = existsSync(path.join(webRoot, 'index.html'));
  if (built) {
    await app.register(fastifyStatic, {
      root: webRoot,
      index: ['index.html'],
      wildcard: true,
      dotfiles: 'deny',
    });
  }
  app.setNotFoundHandler(async (request, reply) => {
    const lang = requestLang(request);
    if (
      request.url.startsWith('/api/') ||
      request.url === '/api' ||
      (request.method !== 'GET' && request.method !== 'HEAD')
    ) {
      return reply
        .status(404)
        .send(
          errorBody(new ApiError(404, 'not-found', { what: request.url.split('?')[0]!.slice(0, 200) }), lang),
        );
    }
    // The dashboard routes its own paths: every other page is index.html.
    if (built) return reply.type('text/html; charset=utf-8').sendFile('index.html');
    const t = translator(serverText, lang);
    return reply
      .type('text/html; charset=utf-8')
      .send(htmlPage(t('web.missing.title'), `<p>${escapeHtml(t('web.missing.body'))}</p>`));
  });
  return app;
}

/**
 * `sumi ingest graph://dmarc@example.jp/Inbox`: every mail in a Microsoft 365 folder, read through
 * Microsoft Graph (for tenants that turned IMAP off), is ingested, then moved to an archive folder
 * (or given a category). As with IMAP (imap.ts), a mail is moved or marked only after its reports
 * are committed (or it is quarantined), so a crash at any point leaves it in the folder, and the
 * next run stores what was missing and counts the rest as duplicates. One pass per run, or with
 * `watch` a pass every `intervalMs` (Graph has no IDLE), waiting out with backoff a service that
 * cannot be reached or answers 5xx, as IMAP's watch waits out a lost connection.
 *
 * The client is node:https with JSON and a bearer token from the same sources as IMAP's OAuth
 * login (imapAccessToken, or oauth.ts's clientCredentialsToken): a 401 asks the source for a token
 * once more (in any pass: a watch outlives its tokens); 429, 503 and 504 wait as Retry-After says;
 * every answer has a time limit and a size cap.
 */
import type { IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { isTlsFailure, isUnreachable, networkMessage, tlsReason } from '../net/errors.ts';
import type { UnpackLimits } from '../reports/unpack.ts';
import type { Store } from '../store/types.ts';
import { AggregateBatcher } from './batch.ts';
import {
  GRAPH_OTHER_MAIL_CATEGORY,
  GraphAccessError,
  type GraphReason,
  type GraphTarget,
  graphBaseUrl,
  parseGraphUrl,
} from './graph-account.ts';
import {
  IMAP_DEFAULT_ARCHIVE,
  IMAP_RECONNECT_MAX_MS,
  IMAP_RECONNECT_MIN_MS,
  sleep,
  TokenError,
} from './imap-account.ts';
import { INGEST_MAX_MESSAGE_BYTES, tooLarge } from './inputs.ts';
import { countStoredMails, storeMails } from './mailbox.ts';
import { eachBounded } from './paths.ts';
import { emptyTotals, type IngestProgress, type IngestTotals } from './totals.ts';

/** How long a request may go without a byte of its answer. */
export const GRAPH_TIMEOUT_MS = 60_000;
/** Largest JSON answer read (a page of 100 messages' ids is a few tens of kilobytes). */
export const GRAPH_MAX_JSON_BYTES = 16 * 1024 * 1024;
/** Throttled requests (429, 503, 504) are tried again this many times at most... */
export const GRAPH_THROTTLE_RETRIES = 4;
/** ...each after Retry-After's seconds, never longer than this (and 2, 4, 8... s when it says none). */
export const GRAPH_RETRY_AFTER_MAX_S = 120;
/** Mails whose reports share the batcher before they are moved. */
export const GRAPH_GROUP_MAILS = 64;
/** Time between a watch's passes when `intervalMs` is not given (the CLI's --interval default). */
export const GRAPH_WATCH_INTERVAL_MS = 60_000;
/** Requests under way at once: Graph allows 4 per mailbox and application. */
const GRAPH_CONCURRENCY = 4;
const THROTTLED = new Set([429, 503, 504]);

/** Graph's well-known folder names (any case), which a graph:// URL's first folder may be. */
const WELL_KNOWN_FOLDERS = new Set([
  'archive',
  'clutter',
  'conflicts',
  'conversationhistory',
  'deleteditems',
  'drafts',
  'inbox',
  'junkemail',
  'localfailures',
  'msgfolderroot',
  'outbox',
  'recoverableitemsdeletions',
  'scheduled',
  'searchfolders',
  'sentitems',
  'serverfailures',
  'syncissues',
]);

export type GraphEvent =
  /** A pass listed the folder: the first one, and the first after a failed one. */
  | { type: 'connected'; server: string; mailbox: string; folder: string; pending: number }
  /** A watch's first pass is done; the next come every `intervalMs`. */
  | { type: 'watching'; folder: string; intervalMs: number }
  /** A watch's pass failed on a fault that may pass (unreachable, TLS, 5xx); the next is tried in `delayMs`. */
  | { type: 'reconnecting'; error: Error; delayMs: number };

export interface IngestGraphOptions {
  store: Store;
  /** Gives the current OAuth 2.0 access token (imapAccessToken, clientCredentialsToken); asked again after a 401. */
  accessToken: () => Promise<string>;
  /** The API's base URL (default GRAPH_DEFAULT_URL): a national cloud's, or a test server's. https:// only. */
  graphUrl?: string;
  /** Trust these CA certificates (PEM) instead of the system's: tests, a TLS-inspecting proxy. */
  ca?: string | Buffer | (string | Buffer)[];
  /** Folder for processed mail (default IMAP_DEFAULT_ARCHIVE), '/'-separated; each level created when missing. */
  archive?: string;
  /** Give processed mail this category instead of moving it; mail carrying it is skipped. */
  flag?: string;
  /**
   * Mail in which nothing looks like a report stays in the folder as it is (not quarantined, not
   * moved, not a failure), given the category GRAPH_OTHER_MAIL_CATEGORY, which later runs skip.
   */
  leaveOtherMail?: boolean;
  /**
   * Keep reading the folder: a pass, then another every `intervalMs`, until `signal` aborts; a pass
   * that fails because Graph cannot be reached, TLS fails or Graph answers 5xx (or 429) after its
   * throttling retries is tried again after a backoff (`reconnect`).
   */
  watch?: boolean;
  /** Time between a watch's passes (default GRAPH_WATCH_INTERVAL_MS). */
  intervalMs?: number;
  /** A watch's waits after a failed pass, doubling from minMs to maxMs (default IMAP's); tests shorten them. */
  reconnect?: { minMs: number; maxMs: number };
  /**
   * Stops the run (and a watch) once the group of mails being stored is moved; a request waiting
   * out Graph's throttling is given up at once (its mail stays in the folder for the next run).
   */
  signal?: AbortSignal;
  onProgress?: (progress: IngestProgress) => void;
  onEvent?: (event: GraphEvent) => void;
  maxMessageBytes?: number;
  limits?: Partial<UnpackLimits>;
  timeoutMs?: number;
}

/**
 * Ingests the folder's mail in one pass, or with `watch` in passes until `signal` aborts (then
 * resolves with the totals of all passes). Rejects with a GraphAccessError when the service, the
 * token, the permission or the folder fails (in a watch: when the token is refused, a fresh one
 * too, the permission is missing (403), the mailbox or folder is not there (404), or Graph answers
 * some other 4xx); with a TokenError when the token source gives none (in a watch: before a pass
 * has succeeded); with a RangeError for a URL that is not graph://, a base URL that is not
 * https://, or no token source.
 */
export async function ingestGraph(url: string, options: IngestGraphOptions): Promise<IngestTotals> {
  const target = parseGraphUrl(url);
  const base = graphBaseUrl(options.graphUrl);
  if (typeof options.accessToken !== 'function')
    throw new RangeError('Microsoft Graph needs an OAuth 2.0 access token (accessToken), not a password');
  const client = new GraphClient(base, target, options);
  const totals = emptyTotals();
  const progress: IngestProgress = { totals, bytesDone: 0, totalBytes: null, inputsTotal: null };
  try {
    if (!options.watch) {
      await ingestFolder(client, url, options, { totals, progress, skipped: new Set(), announce: true });
      return totals;
    }
    return await watchFolder(client, url, options, totals, progress);
  } catch (error) {
    // Stopped: a throttled request's wait given up, or a token request under way ended.
    if (error instanceof ThrottledWhenStopped || options.signal?.aborted) return totals;
    throw error;
  } finally {
    client.close();
  }
}

/**
 * A pass, then one every `intervalMs` until the signal aborts. A pass that fails on a fault that
 * may pass (transient) is tried again after a wait doubling from reconnect.minMs to maxMs, reset
 * by a good pass; any other failure ends the watch.
 */
async function watchFolder(
  client: GraphClient,
  url: string,
  options: IngestGraphOptions,
  totals: IngestTotals,
  progress: IngestProgress,
): Promise<IngestTotals> {
  const { signal } = options;
  const skipped = new Set<string>();
  const intervalMs = options.intervalMs ?? GRAPH_WATCH_INTERVAL_MS;
  const minMs = options.reconnect?.minMs ?? IMAP_RECONNECT_MIN_MS;
  const maxMs = options.reconnect?.maxMs ?? IMAP_RECONNECT_MAX_MS;
  const folder = parseGraphUrl(url).folder.join('/');
  let delay = minMs;
  let announce = true;
  let passed = false;
  while (!signal?.aborted) {
    try {
      await ingestFolder(client, url, options, { totals, progress, skipped, announce });
    } catch (error) {
      if (signal?.aborted) return totals;
      if (!transient(error, passed)) throw error;
      options.onEvent?.({ type: 'reconnecting', error: error as Error, delayMs: delay });
      await sleep(delay, signal);
      delay = Math.min(maxMs, delay * 2);
      // The next good pass says again what it found, as IMAP's does after reconnecting.
      announce = true;
      continue;
    }
    if (signal?.aborted) break;
    delay = minMs;
    announce = false;
    if (!passed) options.onEvent?.({ type: 'watching', folder, intervalMs });
    passed = true;
    await sleep(intervalMs, signal);
  }
  return totals;
}

/**
 * Whether a watch's failed pass is tried again, as IMAP's watch reconnects: Graph not reached, TLS
 * failing, Graph answering 5xx or 429 after the client's own throttling retries, the store failing
 * (a database restarting: the mail stays in the folder until it is back); once a pass has
 * succeeded, also a token source that gave none (`az` not reaching Entra ID for a moment). What
 * retrying does not mend ends the watch: a refused token, a missing permission, mailbox or
 * folder, another 4xx, an answer Sumi cannot read, a token source that never gave one.
 */
function transient(error: unknown, passed: boolean): boolean {
  if (error instanceof TokenError) return passed;
  if (!(error instanceof GraphAccessError)) return true;
  if (error.code === 'unreachable' || error.code === 'tls') return true;
  return error.code === 'failed' && error.status !== null && (error.status >= 500 || error.status === 429);
}

/** A request met Graph's throttling after the run was stopped: not waited out. */
class ThrottledWhenStopped extends Error {
  constructor() {
    super('stopped while Microsoft Graph was throttling');
  }
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** An answer larger than the cap; `size` is what it said it was, or what had come when it passed it. */
class AnswerTooLarge extends Error {
  constructor(
    readonly size: number,
    readonly max: number,
  ) {
    super(`answer of more than ${max} bytes`);
  }
}

interface GraphMessage {
  id: string;
  categories?: string[];
  receivedDateTime?: string;
}

interface Page<T> {
  value?: T[];
  '@odata.nextLink'?: string;
}

class GraphClient {
  readonly server: string;
  readonly #base: URL;
  readonly #prefix: string;
  readonly #target: GraphTarget;
  readonly #accessToken: () => Promise<string>;
  readonly #agent: https.Agent;
  readonly #timeoutMs: number;
  readonly #signal: AbortSignal | undefined;
  /** The token requests carry; null until the source is asked, and again once Graph refused it. */
  #token: string | null = null;
  /** The source's answer under way, which requests refused at once (4 at a time) share. */
  #asking: Promise<string> | null = null;
  /** The mailbox's path under the base URL. */
  readonly user: string;

  constructor(base: URL, target: GraphTarget, options: IngestGraphOptions) {
    this.#base = base;
    this.#prefix = `${base.origin}${base.pathname.replace(/\/+$/, '')}/`;
    this.server = base.host;
    this.#target = target;
    this.#accessToken = options.accessToken;
    this.#timeoutMs = options.timeoutMs ?? GRAPH_TIMEOUT_MS;
    this.#signal = options.signal;
    this.#agent = new https.Agent({
      keepAlive: true,
      maxSockets: GRAPH_CONCURRENCY,
      ...(options.ca ? { ca: options.ca } : {}),
    });
    this.user = `v1.0/users/${encodeURIComponent(target.mailbox)}`;
  }

  close(): void {
    this.#agent.destroy();
  }

  /** An error of this mailbox. */
  error(
    code: GraphAccessError['code'],
    status: number | null,
    reason: string | GraphReason,
    cause?: unknown,
  ): GraphAccessError {
    return new GraphAccessError(
      code,
      this.#target,
      this.server,
      status,
      reason,
      cause ? { cause } : undefined,
    );
  }

  /**
   * Sends a request (a path under the base URL, or a next link Graph gave, which must lie under it:
   * the token goes nowhere else), asking for a fresh token once after a 401 and waiting out
   * throttling. Answers 2xx; throws a GraphAccessError for any other, AnswerTooLarge past `maxBytes`.
   */
  async request(
    method: string,
    path: string,
    body?: unknown,
    maxBytes = GRAPH_MAX_JSON_BYTES,
  ): Promise<Answer> {
    const url = /^https?:/i.test(path) ? path : `${this.#prefix}${path}`;
    if (!url.startsWith(this.#prefix))
      throw this.error('failed', 200, { key: 'outsideLink', values: { base: this.#base.href, url } });
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    let refreshed = false;
    let throttled = 0;
    for (;;) {
      const token = await this.#currentToken();
      let answer: Answer;
      try {
        answer = await this.#send(new URL(url), method, token, payload, maxBytes);
      } catch (error) {
        throw this.#networkError(error);
      }
      const { status } = answer;
      if (status >= 200 && status < 300) return answer;
      if (status === 401 && !refreshed) {
        // Asked again at the next try, unless another request has already got a fresh one.
        refreshed = true;
        if (this.#token === token) this.#token = null;
        continue;
      }
      if (THROTTLED.has(status) && throttled < GRAPH_THROTTLE_RETRIES) {
        throttled++;
        // Retry-After may say two minutes, several times over: a stop does not wait for them.
        if (this.#signal?.aborted) throw new ThrottledWhenStopped();
        await sleep(retryAfterMs(answer.headers['retry-after'], throttled), this.#signal);
        if (this.#signal?.aborted) throw new ThrottledWhenStopped();
        continue;
      }
      const reason = graphErrorText(answer);
      if (status === 401) throw this.error('token-refused', status, reason);
      if (status === 403) throw this.error('forbidden', status, reason);
      if (status === 404) throw this.error('not-found', status, reason);
      throw this.error('failed', status, reason);
    }
  }

  /** A JSON request's answer, parsed. */
  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    let answer: Answer;
    try {
      answer = await this.request(method, path, body);
    } catch (error) {
      if (error instanceof AnswerTooLarge)
        throw this.error('failed', 200, { key: 'tooLarge', values: { max: error.max } });
      throw error;
    }
    if (answer.body.length === 0) return {} as T;
    try {
      return JSON.parse(answer.body.toString('utf8')) as T;
    } catch {
      throw this.error('failed', answer.status, { key: 'notJson', values: {} });
    }
  }

  /** Every item of a collection, following @odata.nextLink. */
  async *pages<T>(path: string): AsyncGenerator<T> {
    let next: string | undefined = path;
    while (next) {
      const page: Page<T> = await this.json<Page<T>>('GET', next);
      yield* page.value ?? [];
      next = page['@odata.nextLink'];
    }
  }

  /** The token in use; the source is asked (once for the requests waiting together) when there is none. */
  async #currentToken(): Promise<string> {
    if (this.#token !== null) return this.#token;
    this.#asking ??= this.#accessToken().finally(() => {
      this.#asking = null;
    });
    const token = await this.#asking;
    this.#token = token;
    return token;
  }

  #send(
    url: URL,
    method: string,
    token: string,
    payload: Buffer | undefined,
    maxBytes: number,
  ): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const request = https.request(
        url,
        {
          method,
          agent: this.#agent,
          timeout: this.#timeoutMs,
          headers: {
            authorization: `Bearer ${token}`,
            // A mail's MIME ($value) is not JSON: asking for JSON only would invite a 406.
            accept: url.pathname.endsWith('/$value') ? '*/*' : 'application/json',
            ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
          },
        },
        (response) => {
          const status = response.statusCode ?? 0;
          // An error's answer is JSON whatever was asked.
          const max = status >= 200 && status < 300 ? maxBytes : GRAPH_MAX_JSON_BYTES;
          const length = Number(response.headers['content-length']);
          if (Number.isFinite(length) && length > max) {
            request.destroy();
            reject(new AnswerTooLarge(length, max));
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > max) {
              request.destroy();
              reject(new AnswerTooLarge(size, max));
              return;
            }
            chunks.push(chunk);
          });
          response.on('end', () =>
            resolve({ status, headers: response.headers, body: Buffer.concat(chunks) }),
          );
          response.on('error', reject);
        },
      );
      request.on('timeout', () => {
        const error = new Error(`no answer in ${this.#timeoutMs / 1000} s`) as NodeJS.ErrnoException;
        error.code = 'ETIMEDOUT';
        request.destroy(error);
      });
      request.on('error', reject);
      request.end(payload);
    });
  }

  /** A failure to reach the service or to agree on TLS, as a GraphAccessError; others as they are. */
  #networkError(error: unknown): unknown {
    const { code } = error as { code?: unknown };
    const said = networkMessage(error);
    if (isUnreachable(code)) return this.error('unreachable', null, said, error);
    if (isTlsFailure(code)) return this.error('tls', null, tlsReason(said), error);
    return error;
  }
}

/** Graph's error code and message, quoted (`ErrorAccessDenied "Access is denied."`), or the status alone. */
function graphErrorText(answer: Answer): string {
  let code: unknown;
  let message: unknown;
  try {
    ({ code, message } =
      (JSON.parse(answer.body.toString('utf8')) as { error?: { code?: unknown; message?: unknown } }).error ??
      {});
  } catch {
    // Not JSON: a proxy's page, say.
  }
  const parts = [
    ...(typeof code === 'string' && code ? [code] : []),
    ...(typeof message === 'string' && message ? [JSON.stringify(message)] : []),
  ];
  return parts.length > 0 ? parts.join(' ') : `HTTP ${answer.status}`;
}

/** How long to wait before the `attempt`th retry: Retry-After's seconds (capped), else 2^attempt s. */
function retryAfterMs(header: string | string[] | undefined, attempt: number): number {
  const said = Number(Array.isArray(header) ? header[0] : header);
  const seconds = header !== undefined && Number.isFinite(said) && said >= 0 ? said : 2 ** attempt;
  return Math.min(seconds, GRAPH_RETRY_AFTER_MAX_S) * 1000;
}

/** A mail listed in the folder. */
interface ListedMail {
  id: string;
  categories: string[];
  receivedAt: number | null;
}

interface FetchedMail extends ListedMail {
  source: Buffer;
}

/** What a run's passes share; `announce`: this pass emits 'connected'. */
interface PassRun {
  totals: IngestTotals;
  progress: IngestProgress;
  /** Ids of mails left in the folder as too large: reported once, not fetched again by later passes. */
  skipped: Set<string>;
  announce: boolean;
}

/**
 * One pass over the folder: the folders found (each pass: one may have been made or moved
 * meanwhile), the folder listed and every mail not yet processed ingested, oldest first.
 */
async function ingestFolder(
  client: GraphClient,
  url: string,
  options: IngestGraphOptions,
  { totals, progress, skipped, announce }: PassRun,
): Promise<void> {
  const target = parseGraphUrl(url);
  const folderId = await findFolder(client, target.folder, false);
  const archiveId = options.flag
    ? null
    : await findFolder(client, (options.archive ?? IMAP_DEFAULT_ARCHIVE).split('/').filter(Boolean), true);
  const pending: ListedMail[] = [];
  for await (const message of client.pages<GraphMessage>(
    `${client.user}/mailFolders/${encodeURIComponent(folderId)}/messages?$select=id,categories,receivedDateTime&$top=100`,
  )) {
    const categories = message.categories ?? [];
    if (skipped.has(message.id)) continue;
    if (options.flag && categories.includes(options.flag)) continue;
    if (options.leaveOtherMail && categories.includes(GRAPH_OTHER_MAIL_CATEGORY)) continue;
    const time = message.receivedDateTime ? Date.parse(message.receivedDateTime) : Number.NaN;
    pending.push({
      id: message.id,
      categories,
      receivedAt: Number.isNaN(time) ? null : Math.floor(time / 1000),
    });
  }
  // Oldest first (Graph lists the newest first).
  pending.sort((a, b) => (a.receivedAt ?? 0) - (b.receivedAt ?? 0));
  const folder = target.folder.join('/');
  if (announce) {
    options.onEvent?.({
      type: 'connected',
      server: client.server,
      mailbox: target.mailbox,
      folder,
      pending: pending.length,
    });
  }
  progress.inputsTotal = (progress.inputsTotal ?? 0) + pending.length;
  const base = url.replace(/\/$/, '');
  const max = options.maxMessageBytes ?? INGEST_MAX_MESSAGE_BYTES;
  const batcher = new AggregateBatcher(options.store);
  for (let at = 0; at < pending.length; at += GRAPH_GROUP_MAILS) {
    if (options.signal?.aborted) break;
    const group = pending.slice(at, at + GRAPH_GROUP_MAILS);
    const fetched: (FetchedMail | null)[] = group.map(() => null);
    await eachBounded(group.entries(), GRAPH_CONCURRENCY, undefined, async ([i, mail]) => {
      try {
        const answer = await client.request(
          'GET',
          `${client.user}/messages/${encodeURIComponent(mail.id)}/$value`,
          undefined,
          max,
        );
        fetched[i] = { ...mail, source: answer.body };
      } catch (error) {
        if (error instanceof AnswerTooLarge) {
          // Left in the folder, as IMAP leaves it.
          const source = `${base};id=${mail.id}`;
          skipped.add(mail.id);
          totals.inputs++;
          totals.failed.push({ source, error: tooLarge(source, error.size, max) });
          return;
        }
        // Gone meanwhile (another client moved it): nothing to do.
        if (error instanceof GraphAccessError && error.status === 404) return;
        throw error;
      }
    });
    await storeGroup(
      client,
      { base, folder, options, archiveId, totals, progress, batcher },
      fetched.filter((mail): mail is FetchedMail => mail !== null),
    );
  }
}

interface GroupRun {
  base: string;
  folder: string;
  options: IngestGraphOptions;
  archiveId: string | null;
  totals: IngestTotals;
  progress: IngestProgress;
  batcher: AggregateBatcher;
}

/**
 * Stores a group's mails together (small aggregate reports in shared transactions), then moves
 * or marks those stored: a mail leaves the folder only once its reports are committed or it is
 * quarantined. When one fails (the store went away), the others are still moved before the
 * failure is thrown; it stays in the folder for the next run.
 */
async function storeGroup(client: GraphClient, run: GroupRun, mails: readonly FetchedMail[]): Promise<void> {
  const { base, folder, options, archiveId, totals, progress, batcher } = run;
  const stored = await storeMails(
    options.store,
    mails,
    (mail) => ({
      bytes: mail.source,
      name: `${folder};id=${mail.id}`,
      source: `${base};id=${mail.id}`,
      receivedAt: mail.receivedAt,
    }),
    { batcher, limits: options.limits, ...(options.leaveOtherMail ? { leaveOther: true } : {}) },
  );
  const { done } = stored;
  const message = (mail: FetchedMail) => `${client.user}/messages/${encodeURIComponent(mail.id)}`;
  const moving = eachBounded(done, GRAPH_CONCURRENCY, undefined, async ({ mail, outcome }) => {
    try {
      if (outcome.other) {
        await client.json('PATCH', message(mail), {
          categories: [...mail.categories, GRAPH_OTHER_MAIL_CATEGORY],
        });
      } else if (archiveId) {
        await client.json('POST', `${message(mail)}/move`, { destinationId: archiveId });
      } else {
        await client.json('PATCH', message(mail), { categories: [...mail.categories, options.flag!] });
      }
    } catch (error) {
      // Gone meanwhile: its reports are stored, and it is nowhere to be read again.
      if (!(error instanceof GraphAccessError && error.status === 404)) throw error;
    }
  });
  // What was stored is counted though a move failed (or a stop cut its throttling short): the
  // reports are committed, and a mail left in the folder is a duplicate when read again.
  const moved = await moving.then(
    () => null,
    (error: unknown) => ({ error }),
  );
  countStoredMails(stored, totals, progress, (mail) => mail.source.length, options.onProgress);
  if (moved !== null) throw moved.error;
}

/**
 * The folder at `path` (a well-known name or a top-level folder's display name, then child
 * folders'), its id; with `create`, each missing level is created (top levels under msgfolderroot).
 */
async function findFolder(client: GraphClient, path: readonly string[], create: boolean): Promise<string> {
  const [first, ...deeper] = path;
  if (first === undefined) return 'msgfolderroot';
  let id = 'msgfolderroot';
  let rest = path;
  if (WELL_KNOWN_FOLDERS.has(first.toLowerCase())) {
    const folder = await client.json<{ id?: string }>(
      'GET',
      `${client.user}/mailFolders/${first.toLowerCase()}?$select=id`,
    );
    if (!folder.id) throw client.error('failed', 200, { key: 'noFolderId', values: { folder: first } });
    id = folder.id;
    rest = deeper;
  }
  for (const name of rest) id = await childFolder(client, id, name, create);
  return id;
}

async function childFolder(
  client: GraphClient,
  parentId: string,
  name: string,
  create: boolean,
): Promise<string> {
  const children = `${client.user}/mailFolders/${encodeURIComponent(parentId)}/childFolders`;
  const find = async () => {
    let unlike: string | undefined;
    for await (const folder of client.pages<{ id: string; displayName?: string }>(
      `${children}?$select=id,displayName&$top=100`,
    )) {
      if (folder.displayName === name) return folder.id;
      // Exchange's names ignore case.
      if (folder.displayName?.toLowerCase() === name.toLowerCase()) unlike ??= folder.id;
    }
    return unlike;
  };
  const found = await find();
  if (found) return found;
  if (!create)
    throw client.error('not-found', 404, { key: 'noFolder', values: { name: JSON.stringify(name) } });
  try {
    const made = await client.json<{ id?: string }>('POST', children, { displayName: name });
    if (!made.id) throw client.error('failed', 201, { key: 'noCreatedId', values: { folder: name } });
    return made.id;
  } catch (error) {
    // Created meanwhile by another run.
    if (error instanceof GraphAccessError && error.status === 409) {
      const again = await find();
      if (again) return again;
    }
    throw error;
  }
}

/**
 * The client the mailboxes read through an HTTP API share (Microsoft Graph: graph.ts, Gmail:
 * gmail.ts): node:https, JSON with a bearer token from a token source (imapAccessToken, or
 * oauth.ts's), asked again once after a 401 (in any pass: a watch outlives its tokens);
 * throttling waited out as Retry-After says, and given up when the run is stopped; a time limit
 * and a size cap on every answer; https only. What the service is (its errors, what it calls
 * throttling) is given by the caller.
 */
import type { IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { isTlsFailure, isUnreachable, networkMessage, tlsReason } from '../net/errors.ts';
import type { ClientReason, MailApiErrorCode, OwnReason } from './api-access.ts';
import { sleep } from './imap-account.ts';

/** How long a request may go without a byte of its answer. */
export const API_TIMEOUT_MS = 60_000;
/** Largest JSON answer read (a page of messages' ids is a few tens of kilobytes). */
export const API_MAX_JSON_BYTES = 16 * 1024 * 1024;
/** Throttled requests are tried again this many times at most... */
export const API_THROTTLE_RETRIES = 4;
/** ...each after Retry-After's seconds, never longer than this (and 2, 4, 8... s when it says none). */
export const API_RETRY_AFTER_MAX_S = 120;
/** Longest message of a service's error quoted (its first line). */
const ERROR_MESSAGE_MAX_CHARS = 300;

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** An answer larger than the cap; `size` is what it said it was, or what had come when it passed it. */
export class AnswerTooLarge extends Error {
  constructor(
    readonly size: number,
    readonly max: number,
  ) {
    super(`answer of more than ${max} bytes`);
  }
}

/** A request met the service's throttling after the run was stopped: not waited out. */
export class ThrottledWhenStopped extends Error {
  constructor() {
    super('stopped while the service was throttling');
  }
}

export interface ApiClientOptions<R extends OwnReason> {
  /** The API's base URL (https://). */
  base: URL;
  /** Gives the current access token; asked again after a 401. */
  accessToken: () => Promise<string>;
  /** Trust these CA certificates (PEM) instead of the system's: tests, a TLS-inspecting proxy. */
  ca?: string | Buffer | (string | Buffer)[] | undefined;
  /** Requests under way at once. */
  concurrency: number;
  timeoutMs?: number | undefined;
  /** Gives up a throttled request's wait. */
  signal?: AbortSignal | undefined;
  /** Whether an answer is the service's throttling, waited out and tried again. */
  throttled: (answer: Answer) => boolean;
  /** The field of the service's `{ "error": {...} }` that names the error: Graph's `code`, Google's `status`. */
  errorName: 'code' | 'status';
  /** The service's access error (a MailApiError) of this mailbox: what `ApiClient.error` gives. */
  fail: (code: MailApiErrorCode, status: number | null, reason: string | R, cause?: unknown) => Error;
}

/** A client of a service's API for one mailbox; `R` are the service's own reasons, the client's among them. */
export class ApiClient<R extends OwnReason> {
  /** The service's host (and port when not 443). */
  readonly server: string;
  /** The base URL with one '/' after it: every request's URL starts with it. */
  readonly prefix: string;
  readonly #options: ApiClientOptions<R | ClientReason>;
  readonly #agent: https.Agent;
  readonly #timeoutMs: number;
  /** The token requests carry; null until the source is asked, and again once the service refused it. */
  #token: string | null = null;
  /** The source's answer under way, which requests refused at once share. */
  #asking: Promise<string> | null = null;

  constructor(options: ApiClientOptions<R | ClientReason>) {
    if (typeof options.accessToken !== 'function')
      throw new RangeError('a mailbox API needs an OAuth 2.0 access token (accessToken), not a password');
    this.#options = options;
    this.prefix = `${options.base.origin}${options.base.pathname.replace(/\/+$/, '')}/`;
    this.server = options.base.host;
    this.#timeoutMs = options.timeoutMs ?? API_TIMEOUT_MS;
    this.#agent = new https.Agent({
      keepAlive: true,
      maxSockets: options.concurrency,
      ...(options.ca ? { ca: options.ca } : {}),
    });
  }

  close(): void {
    this.#agent.destroy();
  }

  /** The service's access error of this mailbox. */
  error(
    code: MailApiErrorCode,
    status: number | null,
    reason: string | R | ClientReason,
    cause?: unknown,
  ): Error {
    return this.#options.fail(code, status, reason, cause);
  }

  /**
   * Sends a request (a path under the base URL), asking for a fresh token once after a 401 and
   * waiting out throttling. Answers 2xx; throws the service's error for any other (or when the
   * service is not reached), AnswerTooLarge past `maxBytes`, ThrottledWhenStopped when stopped.
   */
  async request(
    method: string,
    path: string,
    { body, maxBytes = API_MAX_JSON_BYTES, accept = 'application/json' }: RequestOptions = {},
  ): Promise<Answer> {
    const url = new URL(`${this.prefix}${path}`);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const signal = this.#options.signal;
    let refreshed = false;
    let throttled = 0;
    for (;;) {
      const token = await this.#currentToken();
      let answer: Answer;
      try {
        answer = await this.#send(url, method, token, payload, maxBytes, accept);
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
      const throttling = this.#options.throttled(answer);
      if (throttling && throttled < API_THROTTLE_RETRIES) {
        throttled++;
        // Retry-After may say two minutes, several times over: a stop does not wait for them.
        if (signal?.aborted) throw new ThrottledWhenStopped();
        await sleep(retryAfterMs(answer.headers['retry-after'], throttled), signal);
        if (signal?.aborted) throw new ThrottledWhenStopped();
        continue;
      }
      const reason = serviceErrorText(answer, this.#options.errorName);
      // Throttled still: the service's load, whatever status says it (Gmail's rate limit is a 403).
      if (throttling) throw this.error('failed', status, reason);
      if (status === 401) throw this.error('token-refused', status, reason);
      if (status === 403) throw this.error('forbidden', status, reason);
      if (status === 404) throw this.error('not-found', status, reason);
      throw this.error('failed', status, reason);
    }
  }

  /** A JSON request's answer, parsed (an empty one as {}). */
  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    let answer: Answer;
    try {
      answer = await this.request(method, path, { body });
    } catch (error) {
      if (error instanceof AnswerTooLarge)
        throw this.error('failed', 200, { key: 'tooLarge', values: { max: error.max } });
      throw error;
    }
    return this.parse<T>(answer);
  }

  /** An answer's JSON; the service's error when it is not JSON. */
  parse<T>(answer: Answer): T {
    if (answer.body.length === 0) return {} as T;
    try {
      return JSON.parse(answer.body.toString('utf8')) as T;
    } catch {
      throw this.error('failed', answer.status, { key: 'notJson', values: {} });
    }
  }

  /** The token in use; the source is asked (once for the requests waiting together) when there is none. */
  async #currentToken(): Promise<string> {
    if (this.#token !== null) return this.#token;
    this.#asking ??= this.#options.accessToken().finally(() => {
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
    accept: string,
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
            accept,
            ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
          },
        },
        (response) => {
          const status = response.statusCode ?? 0;
          // An error's answer is JSON whatever was asked.
          const max = status >= 200 && status < 300 ? maxBytes : API_MAX_JSON_BYTES;
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

  /** A failure to reach the service or to agree on TLS, as the service's error; others as they are. */
  #networkError(error: unknown): unknown {
    const { code } = error as { code?: unknown };
    const said = networkMessage(error);
    if (isUnreachable(code)) return this.error('unreachable', null, said, error);
    if (isTlsFailure(code)) return this.error('tls', null, tlsReason(said), error);
    return error;
  }
}

export interface RequestOptions {
  /** Sent as JSON. */
  body?: unknown;
  /** Size cap of a 2xx answer (default API_MAX_JSON_BYTES). */
  maxBytes?: number;
  /** The Accept header (default application/json): a mail's MIME is not JSON. */
  accept?: string;
}

/**
 * The service's error name and the first line of its message, quoted (Graph's `ErrorAccessDenied
 * "Access is denied."`, Google's `PERMISSION_DENIED "Request had insufficient authentication
 * scopes."`), or the status alone.
 */
function serviceErrorText(answer: Answer, field: 'code' | 'status'): string {
  let error: Record<string, unknown> | undefined;
  try {
    error = (JSON.parse(answer.body.toString('utf8')) as { error?: Record<string, unknown> }).error;
  } catch {
    // Not JSON: a proxy's page, say.
  }
  const name = error?.[field];
  const message = error?.message;
  const first = typeof message === 'string' ? message.split(/\r?\n/, 1)[0]!.trim() : '';
  const parts = [
    ...(typeof name === 'string' && name ? [name.slice(0, 100)] : []),
    ...(first ? [JSON.stringify(first.slice(0, ERROR_MESSAGE_MAX_CHARS))] : []),
  ];
  return parts.length > 0 ? parts.join(' ') : `HTTP ${answer.status}`;
}

/** How long to wait before the `attempt`th retry: Retry-After's seconds (capped), else 2^attempt s. */
function retryAfterMs(header: string | string[] | undefined, attempt: number): number {
  const said = Number(Array.isArray(header) ? header[0] : header);
  const seconds = header !== undefined && Number.isFinite(said) && said >= 0 ? said : 2 ** attempt;
  return Math.min(seconds, API_RETRY_AFTER_MAX_S) * 1000;
}

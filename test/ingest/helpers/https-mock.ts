/**
 * What the mock APIs (graph-mock.ts, gmail-mock.ts) share: the requests they saw, the bearer
 * tokens they take, the faults a test injects, and a local HTTPS server (certificate from the test
 * CA) handing each request, its body read, to one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { TestPki } from '../../helpers/tls.ts';

export interface MockApi {
  /** Answers a request; `base` is the origin it was asked as (https://localhost:PORT). */
  handle(request: IncomingMessage, response: ServerResponse, body: string, base: string): boolean;
}

/** Answered instead of the request a fault matches, once. */
export interface Fault<E> {
  status: number;
  headers?: Record<string, string>;
  /** The service's error, answered as `{ "error": ... }`. */
  error?: E;
  /** Answered instead of an error (a 200 the service would not give): as JSON, or a string as it is. */
  body?: unknown;
  /** Done as the fault is answered: what another client did meanwhile. */
  meanwhile?: () => void;
}

/** A mock API's requests, tokens and faults; `E` is the service's error object. */
export abstract class MockApiBase<E> implements MockApi {
  /** Each request's method and path (and what the service's mock adds). */
  requests: string[] = [];
  /** Tokens taken; any other is answered 401. */
  tokens = new Set(['good']);
  /** Answers the next requests matching a pattern (on `requests`' form) with a fault instead, once each. */
  faults: { match: RegExp; fault: Fault<E> }[] = [];

  abstract handle(request: IncomingMessage, response: ServerResponse, body: string, base: string): boolean;

  /** Forgets the requests and faults; takes the token 'good' only. */
  protected resetRequests(): void {
    this.requests = [];
    this.tokens = new Set(['good']);
    this.faults = [];
  }

  /**
   * Keeps the request's `route`, then answers it with the first fault it matches, if one does
   * (true), or checks its bearer token: false for a token taken, else answered with `refused`.
   */
  protected answered(request: IncomingMessage, response: ServerResponse, route: string, refused: E): boolean {
    this.requests.push(route);
    const at = this.faults.findIndex((f) => f.match.test(route));
    if (at >= 0) {
      const { status, headers, error, body, meanwhile } = this.faults.splice(at, 1)[0]!.fault;
      meanwhile?.();
      return sendJson(response, status, body ?? (error ? { error } : undefined), headers);
    }
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (token && this.tokens.has(token)) return false;
    return sendJson(response, 401, { error: refused });
  }
}

/** Answers with `value` as JSON (a string as it is); true, for a handler to return. */
export function sendJson(
  response: ServerResponse,
  status: number,
  value?: unknown,
  headers: Record<string, string> = {},
): boolean {
  response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
  response.end(value === undefined || typeof value === 'string' ? value : JSON.stringify(value));
  return true;
}

/** An HTTPS server playing `mock` on `port` (0: any) of 127.0.0.1; its links name the host it was asked as. */
export async function serveMock(pki: TestPki, mock: MockApi, port = 0): Promise<https.Server> {
  const served = https.createServer(pki.issue(['localhost']), (request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => mock.handle(request, response, body, `https://${request.headers.host}`));
  });
  await new Promise<void>((resolve) => served.listen(port, '127.0.0.1', resolve));
  return served;
}

export async function closeServer(served: https.Server): Promise<void> {
  served.closeAllConnections();
  await new Promise((resolve) => served.close(resolve));
}

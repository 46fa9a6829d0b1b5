/**
 * A local HTTPS server that plays the Microsoft Graph endpoints Sumi uses (folders, child
 * folders, paged messages, MIME, move, patch) over one mailbox kept in memory, with faults a test
 * injects: refused tokens, throttling, missing folders.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { TestPki } from '../../helpers/tls.ts';

export const MAILBOX = 'dmarc@example.jp';
/** Messages per page of the mock's listings: four mails make two pages. */
const PAGE = 2;

interface Folder {
  id: string;
  displayName: string;
  parentId: string | null;
}
interface Mail {
  id: string;
  folderId: string;
  mime: Buffer;
  categories: string[];
  receivedDateTime: string;
}
type Fault = {
  status: number;
  headers?: Record<string, string>;
  error?: { code: string; message: string };
  /** Done as the fault is answered: what another client did meanwhile. */
  meanwhile?: () => void;
};

/** The Graph endpoints Sumi uses, over one mailbox, kept in memory. */
export class MockGraph {
  folders = new Map<string, Folder>();
  mails = new Map<string, Mail>();
  requests: string[] = [];
  /** Tokens taken; any other is answered 401. */
  tokens = new Set(['good']);
  /** Answers the next requests matching a pattern with a fault instead, once each. */
  faults: { match: RegExp; fault: Fault }[] = [];
  #next = 1;

  constructor() {
    this.reset();
  }

  reset(): void {
    this.folders.clear();
    this.mails.clear();
    this.requests = [];
    this.tokens = new Set(['good']);
    this.faults = [];
    this.folders.set('root-id', { id: 'root-id', displayName: 'Top of Information Store', parentId: null });
    this.folders.set('inbox-id', { id: 'inbox-id', displayName: 'Inbox', parentId: 'root-id' });
  }

  add(mime: string | Buffer, folderId = 'inbox-id'): string {
    const id = `m${this.#next++}`;
    const receivedDateTime = new Date(Date.UTC(2024, 0, 1, 0, this.#next)).toISOString();
    this.mails.set(id, { id, folderId, mime: Buffer.from(mime), categories: [], receivedDateTime });
    return id;
  }

  folderPath(...names: string[]): Folder | undefined {
    let parent = 'root-id';
    let found: Folder | undefined;
    for (const name of names) {
      found = [...this.folders.values()].find((f) => f.parentId === parent && f.displayName === name);
      if (!found) return undefined;
      parent = found.id;
    }
    return found;
  }

  in(folderId: string): Mail[] {
    return [...this.mails.values()].filter((m) => m.folderId === folderId);
  }

  handle(request: IncomingMessage, response: ServerResponse, body: string, base: string): boolean {
    const url = new URL(request.url ?? '/', base);
    const route = `${request.method} ${decodeURIComponent(url.pathname)}`;
    this.requests.push(route);
    const send = (status: number, value?: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(value === undefined ? undefined : JSON.stringify(value));
      return true;
    };
    const error = (status: number, code: string, message: string) =>
      send(status, { error: { code, message } });
    const fault = this.faults.findIndex((f) => f.match.test(route));
    if (fault >= 0) {
      const f = this.faults.splice(fault, 1)[0]!.fault;
      f.meanwhile?.();
      return send(f.status, f.error ? { error: f.error } : undefined, f.headers);
    }
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!token || !this.tokens.has(token))
      return error(401, 'InvalidAuthenticationToken', 'Access token has expired or is not yet valid.');
    const prefix = `/v1.0/users/${MAILBOX}/`;
    const path = decodeURIComponent(url.pathname);
    if (!path.startsWith(prefix)) return error(404, 'ErrorInvalidUser', `The requested user is invalid.`);
    const parts = path.slice(prefix.length).split('/');
    const folder = (id: string) =>
      id === 'msgfolderroot'
        ? this.folders.get('root-id')
        : id === 'inbox'
          ? this.folders.get('inbox-id')
          : this.folders.get(id);
    const json = () => JSON.parse(body || '{}') as Record<string, unknown>;
    if (parts[0] === 'mailFolders') {
      const f = folder(parts[1] ?? '');
      if (!f) return error(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
      if (parts.length === 2 && request.method === 'GET')
        return send(200, { id: f.id, displayName: f.displayName });
      if (parts[2] === 'childFolders' && request.method === 'GET') {
        const value = [...this.folders.values()].filter((c) => c.parentId === f.id);
        return send(200, { value: value.map(({ id, displayName }) => ({ id, displayName })) });
      }
      if (parts[2] === 'childFolders' && request.method === 'POST') {
        const displayName = String(json().displayName);
        const id = `f${this.#next++}`;
        this.folders.set(id, { id, displayName, parentId: f.id });
        return send(201, { id, displayName });
      }
      if (parts[2] === 'messages' && request.method === 'GET') {
        const skip = Number(url.searchParams.get('$skiptoken') ?? 0);
        const all = this.in(f.id);
        const value = all.slice(skip, skip + PAGE).map(({ id, categories, receivedDateTime }) => ({
          id,
          categories,
          receivedDateTime,
        }));
        const next = new URL(url);
        next.searchParams.set('$skiptoken', String(skip + PAGE));
        return send(200, { value, ...(skip + PAGE < all.length ? { '@odata.nextLink': next.href } : {}) });
      }
    }
    if (parts[0] === 'messages') {
      const mail = this.mails.get(parts[1] ?? '');
      if (!mail) return error(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
      if (parts[2] === '$value' && request.method === 'GET') {
        // The MIME is text, whatever a client that asks for JSON only would like.
        if (request.headers.accept === 'application/json')
          return error(406, 'ErrorInvalidRequest', 'The MIME content is not JSON.');
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end(mail.mime);
        return true;
      }
      if (parts[2] === 'move' && request.method === 'POST') {
        const destination = folder(String(json().destinationId));
        if (!destination) return error(404, 'ErrorItemNotFound', 'no such folder');
        // Graph gives a moved mail a new id.
        this.mails.delete(mail.id);
        const moved = { ...mail, id: `m${this.#next++}`, folderId: destination.id };
        this.mails.set(moved.id, moved);
        return send(201, { id: moved.id });
      }
      if (parts.length === 2 && request.method === 'PATCH') {
        mail.categories = json().categories as string[];
        return send(200, { id: mail.id, categories: mail.categories });
      }
    }
    return error(400, 'BadRequest', `not played by the mock: ${route}`);
  }
}

/** An HTTPS server playing `graph` on `port` (0: any) of 127.0.0.1; its links name the host it was asked as. */
export async function serveGraph(pki: TestPki, graph: MockGraph, port = 0): Promise<https.Server> {
  const served = https.createServer(pki.issue(['localhost']), (request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => graph.handle(request, response, body, `https://${request.headers.host}`));
  });
  await new Promise<void>((resolve) => served.listen(port, '127.0.0.1', resolve));
  return served;
}

export async function closeServer(served: https.Server): Promise<void> {
  served.closeAllConnections();
  await new Promise((resolve) => served.close(resolve));
}

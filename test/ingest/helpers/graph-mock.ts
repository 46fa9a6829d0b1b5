/**
 * A local HTTPS server that plays the Microsoft Graph endpoints Sumi uses (folders, child
 * folders, paged messages, MIME, move, patch) over one mailbox kept in memory, with faults a test
 * injects: refused tokens, throttling, missing folders.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type https from 'node:https';
import type { TestPki } from '../../helpers/tls.ts';
import { closeServer, MockApiBase, sendJson, serveMock } from './https-mock.ts';

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
/** Graph's error answer. */
type GraphError = { code: string; message: string };

/** The Graph endpoints Sumi uses, over one mailbox, kept in memory. */
export class MockGraph extends MockApiBase<GraphError> {
  folders = new Map<string, Folder>();
  mails = new Map<string, Mail>();
  #next = 1;

  constructor() {
    super();
    this.reset();
  }

  reset(): void {
    this.folders.clear();
    this.mails.clear();
    this.resetRequests();
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
    const refused = {
      code: 'InvalidAuthenticationToken',
      message: 'Access token has expired or is not yet valid.',
    };
    if (this.answered(request, response, route, refused)) return true;
    const send = (status: number, value?: unknown) => sendJson(response, status, value);
    const error = (status: number, code: string, message: string) =>
      send(status, { error: { code, message } });
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
export function serveGraph(pki: TestPki, graph: MockGraph, port = 0): Promise<https.Server> {
  return serveMock(pki, graph, port);
}

export { closeServer };

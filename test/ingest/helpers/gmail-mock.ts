/**
 * The Gmail API endpoints Sumi uses (labels listed and created, messages listed by label page by
 * page, a message's MIME as format=raw, batchModify) played over one mailbox kept in memory,
 * checking the bearer token, with faults a test injects: refused tokens, throttling, refusals,
 * answers Gmail would not give, things done meanwhile. Served over HTTPS by https-mock.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MockApiBase, sendJson } from './https-mock.ts';

export const MAILBOX = 'dmarc@example.jp';
/** Messages per page of the mock's listings, whatever maxResults asks: five mails make three pages. */
const PAGE = 2;
/** Gmail's own labels, whose id is their name. */
const SYSTEM_LABELS = ['INBOX', 'SENT', 'DRAFT', 'SPAM', 'TRASH', 'UNREAD', 'STARRED', 'CATEGORY_UPDATES'];

export interface Label {
  id: string;
  name: string;
  type: 'system' | 'user';
}
export interface Mail {
  id: string;
  threadId: string;
  mime: Buffer;
  labelIds: string[];
  /** Milliseconds since the epoch, as Gmail gives it: a string. */
  internalDate: string;
}
/** Google's error answer. */
export interface GoogleError {
  code: number;
  message: string;
  status: string;
  errors?: { message: string; domain: string; reason: string }[];
}
/** Google's answer to a token it does not take. */
const UNAUTHENTICATED: GoogleError = {
  code: 401,
  message:
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
  status: 'UNAUTHENTICATED',
};

/** The Gmail API endpoints Sumi uses, over one mailbox, kept in memory. */
export class MockGmail extends MockApiBase<GoogleError> {
  labels = new Map<string, Label>();
  mails = new Map<string, Mail>();
  /** The bodies of the batchModify requests, in order. */
  modified: { ids: string[]; addLabelIds: string[]; removeLabelIds: string[] }[] = [];
  #next = 1;

  constructor() {
    super();
    this.reset();
  }

  reset(): void {
    this.labels.clear();
    this.mails.clear();
    this.resetRequests();
    this.modified = [];
    for (const name of SYSTEM_LABELS) this.labels.set(name, { id: name, name, type: 'system' });
  }

  /** A mail under these labels (the inbox, unread by default), newer than those added before; its id. */
  add(mime: string | Buffer, labelIds = ['INBOX', 'UNREAD']): string {
    const n = this.#next++;
    const id = (0x18c0000000000000n + BigInt(n)).toString(16);
    const internalDate = String(Date.UTC(2024, 0, 1, 0, n));
    this.mails.set(id, { id, threadId: id, mime: Buffer.from(mime), labelIds: [...labelIds], internalDate });
    return id;
  }

  /** A user label; its id. */
  addLabel(name: string): string {
    const id = `Label_${this.#next++}`;
    this.labels.set(id, { id, name, type: 'user' });
    return id;
  }

  label(name: string): Label | undefined {
    return [...this.labels.values()].find((label) => label.name === name);
  }

  /** The mails under a label, oldest first. */
  in(labelId: string): Mail[] {
    return [...this.mails.values()].filter((mail) => mail.labelIds.includes(labelId));
  }

  handle(request: IncomingMessage, response: ServerResponse, body: string, base: string): boolean {
    const url = new URL(request.url ?? '/', base);
    // Its query too: `GET /gmail/v1/users/.../messages?labelIds=INBOX&maxResults=500`.
    const route = `${request.method} ${decodeURIComponent(url.pathname)}${url.search}`;
    if (this.answered(request, response, route, UNAUTHENTICATED)) return true;
    const send = (status: number, value?: unknown) => sendJson(response, status, value);
    const error = (status: number, message: string, state: string, reason = state.toLowerCase()) =>
      send(status, {
        error: { code: status, message, errors: [{ message, domain: 'global', reason }], status: state },
      });
    if (request.headers.accept !== 'application/json')
      return error(400, `the mock takes JSON only, not ${request.headers.accept}`, 'INVALID_ARGUMENT');
    const prefix = `/gmail/v1/users/${MAILBOX}/`;
    const path = decodeURIComponent(url.pathname);
    // A token of the mailbox's user asking for another's mailbox.
    if (!path.startsWith(prefix)) return error(403, 'Delegation denied for the mailbox', 'PERMISSION_DENIED');
    const parts = path.slice(prefix.length).split('/');
    const json = () => JSON.parse(body || '{}') as Record<string, unknown>;
    if (parts[0] === 'labels' && parts.length === 1) {
      if (request.method === 'GET') return send(200, { labels: [...this.labels.values()] });
      if (request.method === 'POST') {
        const { name } = json();
        if (typeof name !== 'string' || !name) return error(400, 'Invalid label name', 'INVALID_ARGUMENT');
        if (this.label(name) || SYSTEM_LABELS.includes(name.toUpperCase()))
          return error(409, 'Label name exists or conflicts', 'ALREADY_EXISTS');
        const id = this.addLabel(name);
        return send(200, this.labels.get(id));
      }
    }
    if (parts[0] !== 'messages') return error(400, `not played by the mock: ${route}`, 'INVALID_ARGUMENT');
    if (parts.length === 1 && request.method === 'GET') {
      const labelIds = url.searchParams.getAll('labelIds');
      const skip = Number(url.searchParams.get('pageToken') ?? 0);
      const size = Math.min(PAGE, Number(url.searchParams.get('maxResults') ?? 100));
      const all = [...this.mails.values()]
        .filter((mail) => labelIds.every((id) => mail.labelIds.includes(id)))
        .sort((a, b) => Number(b.internalDate) - Number(a.internalDate));
      const messages = all.slice(skip, skip + size).map(({ id, threadId }) => ({ id, threadId }));
      return send(200, {
        // Left out when there are none, as Gmail does.
        ...(messages.length > 0 ? { messages } : {}),
        ...(skip + size < all.length ? { nextPageToken: String(skip + size) } : {}),
        resultSizeEstimate: all.length,
      });
    }
    if (parts[1] === 'batchModify' && request.method === 'POST') {
      const {
        ids,
        addLabelIds = [],
        removeLabelIds = [],
      } = json() as {
        ids: string[];
        addLabelIds?: string[];
        removeLabelIds?: string[];
      };
      if (ids.length > 1000) return error(400, 'Number of ids cannot exceed 1000', 'INVALID_ARGUMENT');
      for (const id of [...addLabelIds, ...removeLabelIds])
        if (!this.labels.has(id)) return error(400, `Invalid label: ${id}`, 'INVALID_ARGUMENT');
      this.modified.push({ ids, addLabelIds, removeLabelIds });
      // Ids of mails no longer there are passed over.
      for (const mail of ids.flatMap((id) => this.mails.get(id) ?? [])) {
        mail.labelIds = [...new Set([...mail.labelIds, ...addLabelIds])].filter(
          (id) => !removeLabelIds.includes(id),
        );
      }
      response.writeHead(204);
      response.end();
      return true;
    }
    const mail = this.mails.get(parts[1] ?? '');
    if (parts.length === 2 && request.method === 'GET') {
      if (!mail) return error(404, 'Requested entity was not found.', 'NOT_FOUND', 'notFound');
      if (url.searchParams.get('format') !== 'raw')
        return error(400, 'the mock gives format=raw only', 'INVALID_ARGUMENT');
      const { id, threadId, labelIds, internalDate, mime } = mail;
      return send(200, {
        id,
        threadId,
        labelIds,
        snippet: 'This is an aggregate report.',
        sizeEstimate: mime.length,
        historyId: '4242',
        internalDate,
        raw: mime.toString('base64url'),
      });
    }
    return error(400, `not played by the mock: ${route}`, 'INVALID_ARGUMENT');
  }
}

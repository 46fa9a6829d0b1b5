/**
 * `sumi ingest graph://dmarc@example.jp/Inbox`: every mail in a Microsoft 365 folder, read through
 * Microsoft Graph (for tenants that turned IMAP off), is ingested, then moved to an archive folder
 * (or given a category). As with IMAP (imap.ts), a mail is moved or marked only after its reports
 * are committed (or it is quarantined), so a crash at any point leaves it in the folder, and the
 * next run stores what was missing and counts the rest as duplicates. One pass per run, or with
 * `watch` a pass every `intervalMs` (Graph has no IDLE), waiting out with backoff a service that
 * cannot be reached or answers 5xx, as IMAP's watch waits out a lost connection.
 *
 * The client is https-json.ts's, with a bearer token from the same sources as IMAP's OAuth login
 * (imapAccessToken, or oauth.ts's clientCredentialsToken): a 401 asks the source for a token once
 * more; 429, 503 and 504 wait as Retry-After says; every answer has a time limit and a size cap.
 */

import { namesAmong } from './api-access.ts';
import {
  GRAPH_OTHER_MAIL_CATEGORY,
  GraphAccessError,
  type GraphReason,
  type GraphTarget,
  graphBaseUrl,
  parseGraphUrl,
} from './graph-account.ts';
import { AnswerTooLarge, ApiClient } from './https-json.ts';
import { IMAP_DEFAULT_ARCHIVE } from './imap-account.ts';
import {
  type ApiMailboxEvent,
  type ApiMailboxOptions,
  type Fetched,
  ingestListedMails,
  type PassRun,
  pollMailbox,
} from './mailbox.ts';
import { eachBounded } from './paths.ts';
import type { IngestTotals } from './totals.ts';

/** Mails whose reports share the batcher before they are moved. */
export const GRAPH_GROUP_MAILS = 64;
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

export type GraphEvent = ApiMailboxEvent<'folder'>;

export interface IngestGraphOptions extends ApiMailboxOptions<'folder'> {
  /** The API's base URL (default GRAPH_DEFAULT_URL): a national cloud's, or a test server's. https:// only. */
  graphUrl?: string;
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
  const client = new GraphClient(graphBaseUrl(options.graphUrl), target, options);
  return pollMailbox({ ...options, client, place: { folder: target.folder.join('/') } }, (run) =>
    ingestFolder(client, url, options, run),
  );
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

/** The API client, with the mailbox's path. */
class GraphClient extends ApiClient<GraphReason> {
  /** The mailbox's path under the base URL. */
  readonly user: string;

  constructor(base: URL, target: GraphTarget, options: IngestGraphOptions) {
    super({
      ...options,
      base,
      concurrency: GRAPH_CONCURRENCY,
      throttled: (answer) => THROTTLED.has(answer.status),
      errorName: 'code',
      fail: (code, status, reason, cause) =>
        new GraphAccessError(code, target, base.host, status, reason, cause ? { cause } : undefined),
    });
    this.user = `v1.0/users/${encodeURIComponent(target.mailbox)}`;
  }

  /** Every item of a collection, following @odata.nextLink, which must lie under the base URL: the token goes nowhere else. */
  async *pages<T>(path: string): AsyncGenerator<T> {
    let next: string | undefined = path;
    while (next !== undefined) {
      const page: Page<T> = await this.json<Page<T>>('GET', next);
      yield* page.value ?? [];
      const link = page['@odata.nextLink'];
      if (link !== undefined && !link.startsWith(this.prefix))
        throw this.error('failed', 200, { key: 'outsideLink', values: { base: this.prefix, url: link } });
      next = link?.slice(this.prefix.length);
    }
  }
}

/** A mail listed in the folder. */
interface ListedMail {
  id: string;
  categories: string[];
  receivedAt: number | null;
}

/**
 * One pass over the folder: the folders found (each pass: one may have been made or moved
 * meanwhile), the folder listed and every mail not yet processed ingested, oldest first.
 */
async function ingestFolder(
  client: GraphClient,
  url: string,
  options: IngestGraphOptions,
  run: PassRun,
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
    if (run.skipped.has(message.id)) continue;
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
  if (run.announce) {
    options.onEvent?.({
      type: 'connected',
      server: client.server,
      mailbox: target.mailbox,
      folder,
      pending: pending.length,
    });
  }
  run.progress.inputsTotal = (run.progress.inputsTotal ?? 0) + pending.length;
  const message = (mail: ListedMail) => `${client.user}/messages/${encodeURIComponent(mail.id)}`;
  const fetch = async (mail: ListedMail, maxBytes: number): Promise<Fetched> => {
    try {
      const answer = await client.request('GET', `${message(mail)}/$value`, { maxBytes, accept: '*/*' });
      return { source: answer.body, receivedAt: mail.receivedAt };
    } catch (error) {
      if (error instanceof AnswerTooLarge) return { tooLarge: error.size };
      // Gone meanwhile (another client moved it): nothing to do.
      if (error instanceof GraphAccessError && error.status === 404) return null;
      throw error;
    }
  };
  const move = async (stored: { mail: ListedMail; other: boolean }[]) => {
    await eachBounded(stored, GRAPH_CONCURRENCY, undefined, async ({ mail, other }) => {
      try {
        if (other) {
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
  };
  await ingestListedMails(
    pending,
    { ...options, url, place: folder, concurrency: GRAPH_CONCURRENCY, groupMails: GRAPH_GROUP_MAILS },
    run,
    fetch,
    move,
  );
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
  // The names there, for a folder not found.
  const seen: string[] = [];
  const find = async () => {
    let unlike: string | undefined;
    seen.length = 0;
    for await (const folder of client.pages<{ id: string; displayName?: string }>(
      `${children}?$select=id,displayName&$top=100`,
    )) {
      if (folder.displayName === name) return folder.id;
      // Exchange's names ignore case.
      if (folder.displayName?.toLowerCase() === name.toLowerCase()) unlike ??= folder.id;
      if (folder.displayName !== undefined) seen.push(folder.displayName);
    }
    return unlike;
  };
  const found = await find();
  if (found) return found;
  if (!create) {
    const quoted = JSON.stringify(name);
    throw client.error(
      'not-found',
      404,
      seen.length > 0
        ? { key: 'noFolderAmong', values: { name: quoted, among: namesAmong(seen.sort()) } }
        : { key: 'noFolder', values: { name: quoted } },
    );
  }
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

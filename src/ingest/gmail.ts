/**
 * `sumi ingest gmail://dmarc@example.jp/INBOX`: every mail with a label in a Google Workspace
 * mailbox, read through the Gmail API (for domains whose admins turned IMAP off), is ingested,
 * then given the archive label in place of the one it was read from (or given the flag label).
 * As with Graph (graph.ts), a mail is relabelled only after its reports are committed (or it is
 * quarantined), so a crash at any point leaves it under its label, and the next run stores what
 * was missing and counts the rest as duplicates. One pass per run, or with `watch` a pass every
 * `intervalMs`, waiting out with backoff a service that cannot be reached or answers 5xx.
 *
 * The client is https-json.ts's, with a bearer token from a service account acting as the
 * mailbox's user (oauth.ts's serviceAccountToken) or imapAccessToken's sources: a 401 asks for a
 * token once more; 429, 5xx and Gmail's rate limit (a 403) wait as Retry-After says; every answer
 * has a time limit and a size cap. A mail's MIME comes base64url in JSON (format=raw), capped by
 * the size of a mail the run takes.
 */

import { namesAmong } from './api-access.ts';
import {
  GMAIL_OTHER_MAIL_LABEL,
  GmailAccessError,
  type GmailReason,
  type GmailTarget,
  gmailBaseUrl,
  parseGmailUrl,
} from './gmail-account.ts';
import { type Answer, AnswerTooLarge, ApiClient } from './https-json.ts';
import { IMAP_DEFAULT_ARCHIVE } from './imap-account.ts';
import {
  type ApiMailboxEvent,
  type ApiMailboxOptions,
  type Fetched,
  ingestListedMails,
  type PassRun,
  pollMailbox,
} from './mailbox.ts';
import type { IngestTotals } from './totals.ts';

/** Mails whose reports share the batcher before they are relabelled, in one batchModify (which takes 1000 ids at most). */
export const GMAIL_GROUP_MAILS = 64;
/** Messages per page of a listing: Gmail's most. */
export const GMAIL_PAGE_SIZE = 500;
/**
 * What a format=raw answer may hold besides the MIME's base64url (ids, labels, a snippet): its
 * cap is the base64 of the largest mail taken and this.
 */
export const GMAIL_RAW_ENVELOPE_BYTES = 64 * 1024;
/** Requests under way at once, within Gmail's concurrent requests per user. */
const GMAIL_CONCURRENCY = 4;
/** The reasons of a 403 that is Gmail's rate limit, waited out, rather than a refusal. */
const RATE_LIMITED = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);
/** Gmail's message ids (16 hex digits), checked before they go into a path or a source's name. */
const MESSAGE_ID = /^[0-9A-Za-z_-]{1,128}$/;
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

export type GmailEvent = ApiMailboxEvent<'label'>;

export interface IngestGmailOptions extends ApiMailboxOptions<'label'> {
  /** The API's base URL (default GMAIL_DEFAULT_URL): a test server's. https:// only. */
  gmailUrl?: string;
}

/**
 * Ingests the label's mail in one pass, or with `watch` in passes until `signal` aborts (then
 * resolves with the totals of all passes). Rejects with a GmailAccessError when the service, the
 * token, the permission or the label fails (in a watch: when the token is refused, a fresh one
 * too, the permission is missing (403), the mailbox or label is not there (404), or Gmail answers
 * some other 4xx); with a TokenError when the token source gives none (in a watch: before a pass
 * has succeeded); with a RangeError for a URL that is not gmail://, a base URL that is not
 * https://, or no token source.
 */
export async function ingestGmail(url: string, options: IngestGmailOptions): Promise<IngestTotals> {
  const target = parseGmailUrl(url);
  const client = new GmailClient(gmailBaseUrl(options.gmailUrl), target, options);
  return pollMailbox({ ...options, client, place: { label: target.label } }, (run) =>
    ingestLabel(client, url, options, run),
  );
}

/** The API client, with the mailbox's path. */
class GmailClient extends ApiClient<GmailReason> {
  /** The mailbox's path under the base URL. */
  readonly user: string;

  constructor(base: URL, target: GmailTarget, options: IngestGmailOptions) {
    super({
      ...options,
      base,
      concurrency: GMAIL_CONCURRENCY,
      throttled,
      errorName: 'status',
      fail: (code, status, reason, cause) =>
        new GmailAccessError(code, target, base.host, status, reason, cause ? { cause } : undefined),
    });
    this.user = `gmail/v1/users/${encodeURIComponent(target.mailbox)}`;
  }

  /** Gmail's answer is not as it gives it: `field` is missing or of another kind. */
  badField(status: number, field: string): Error {
    return this.error('failed', status, { key: 'badField', values: { field } });
  }

  /** The ids of the mails with a label, page by page, as Gmail lists them: the newest first. */
  async *messageIds(labelId: string): AsyncGenerator<string> {
    let pageToken: unknown;
    do {
      const page = await this.json<{ messages?: unknown; nextPageToken?: unknown }>(
        'GET',
        `${this.user}/messages?labelIds=${encodeURIComponent(labelId)}&maxResults=${GMAIL_PAGE_SIZE}${
          typeof pageToken === 'string' ? `&pageToken=${encodeURIComponent(pageToken)}` : ''
        }`,
      );
      // Gmail leaves `messages` out when there are none.
      const messages = page.messages ?? [];
      if (!Array.isArray(messages)) throw this.badField(200, 'messages');
      for (const message of messages) {
        const id = (message as { id?: unknown } | null)?.id;
        if (typeof id !== 'string' || !MESSAGE_ID.test(id)) throw this.badField(200, 'messages');
        yield id;
      }
      pageToken = page.nextPageToken;
      if (pageToken !== undefined && (typeof pageToken !== 'string' || !pageToken))
        throw this.badField(200, 'nextPageToken');
    } while (pageToken !== undefined);
  }
}

/** Throttling: 429, 5xx, and a 403 whose reason is Gmail's rate limit. */
function throttled(answer: Answer): boolean {
  if (answer.status === 429 || answer.status >= 500) return true;
  if (answer.status !== 403) return false;
  try {
    const { errors } =
      (JSON.parse(answer.body.toString('utf8')) as { error?: { errors?: unknown } }).error ?? {};
    return (
      Array.isArray(errors) &&
      errors.some((error) => RATE_LIMITED.has(String((error as { reason?: unknown } | null)?.reason)))
    );
  } catch {
    return false;
  }
}

interface GmailLabel {
  id: string;
  name: string;
  /** `system` (INBOX, SPAM, UNREAD...) or `user`; absent from a label Sumi made. */
  type?: unknown;
}

/** Gmail's own labels a report mailbox may be read from, named beside the user's when a label is not found. */
const READABLE_SYSTEM_LABELS = new Set(['INBOX', 'SPAM']);

/** The mailbox's labels, listed once a pass, and those made meanwhile. */
class Labels {
  readonly #client: GmailClient;
  #labels: GmailLabel[] = [];

  constructor(client: GmailClient) {
    this.#client = client;
  }

  async list(): Promise<void> {
    const { labels } = await this.#client.json<{ labels?: unknown }>('GET', `${this.#client.user}/labels`);
    if (!Array.isArray(labels)) throw this.#client.badField(200, 'labels');
    this.#labels = labels.filter(
      (label): label is GmailLabel => typeof label?.id === 'string' && typeof label?.name === 'string',
    );
  }

  /** The label of that name: its own, or else one whose name differs only in case (INBOX for Inbox). */
  find(name: string): GmailLabel | undefined {
    const lower = name.toLowerCase();
    return (
      this.#labels.find((label) => label.name === name) ??
      this.#labels.find((label) => label.name.toLowerCase() === lower)
    );
  }

  /** The labels a mailbox may be read from, by name: the user's, INBOX and SPAM (for a label not found). */
  readable(): string[] {
    return this.#labels
      .filter((label) => label.type !== 'system' || READABLE_SYSTEM_LABELS.has(label.name))
      .map((label) => label.name)
      .sort();
  }

  /** The id of the label at `path` ('/'-separated), each missing level created as Gmail nests them: Sumi, then Sumi/Processed. */
  async ensure(path: string): Promise<string> {
    const levels = path.split('/').filter(Boolean);
    let id = '';
    for (let depth = 1; depth <= levels.length; depth++)
      id = await this.#level(levels.slice(0, depth).join('/'));
    return id;
  }

  async #level(name: string): Promise<string> {
    const found = this.find(name);
    if (found) return found.id;
    try {
      const made = await this.#client.json<{ id?: unknown }>('POST', `${this.#client.user}/labels`, {
        name,
        labelListVisibility: 'labelShow',
        messageListVisibility: 'show',
      });
      if (typeof made.id !== 'string' || !made.id) throw this.#client.badField(200, 'id');
      this.#labels.push({ id: made.id, name });
      return made.id;
    } catch (error) {
      // Created meanwhile by another run.
      if (error instanceof GmailAccessError && error.status === 409) {
        await this.list();
        const again = this.find(name);
        if (again) return again.id;
      }
      throw error;
    }
  }
}

/**
 * One pass over the label: the labels found (each pass: one may have been made or renamed
 * meanwhile), the label listed and every mail not yet processed ingested, oldest first.
 */
async function ingestLabel(
  client: GmailClient,
  url: string,
  options: IngestGmailOptions,
  run: PassRun,
): Promise<void> {
  const target = parseGmailUrl(url);
  const labels = new Labels(client);
  await labels.list();
  const source = labels.find(target.label);
  if (!source) {
    const name = JSON.stringify(target.label);
    const among = labels.readable();
    throw client.error(
      'not-found',
      404,
      among.length > 0
        ? { key: 'noLabelAmong', values: { name, among: namesAmong(among) } }
        : { key: 'noLabel', values: { name } },
    );
  }
  const markId = await labels.ensure(options.flag ?? options.archive ?? IMAP_DEFAULT_ARCHIVE);
  // Mail carrying the flag, or left as other mail, keeps its label: passed over.
  const passOver = new Set(run.skipped);
  const otherId = options.leaveOtherMail ? labels.find(GMAIL_OTHER_MAIL_LABEL)?.id : undefined;
  for (const labelId of [options.flag ? markId : undefined, otherId])
    if (labelId !== undefined) for await (const id of client.messageIds(labelId)) passOver.add(id);
  const pending: { id: string }[] = [];
  for await (const id of client.messageIds(source.id)) if (!passOver.has(id)) pending.push({ id });
  // Oldest first (Gmail lists the newest first).
  pending.reverse();
  if (run.announce) {
    options.onEvent?.({
      type: 'connected',
      server: client.server,
      mailbox: target.mailbox,
      label: target.label,
      pending: pending.length,
    });
  }
  run.progress.inputsTotal = (run.progress.inputsTotal ?? 0) + pending.length;
  const fetch = async ({ id }: { id: string }, maxBytes: number): Promise<Fetched> => {
    let answer: Answer;
    try {
      answer = await client.request('GET', `${client.user}/messages/${id}?format=raw`, {
        maxBytes: Math.ceil(maxBytes / 3) * 4 + GMAIL_RAW_ENVELOPE_BYTES,
      });
    } catch (error) {
      // The mail is about 3/4 of its base64.
      if (error instanceof AnswerTooLarge) return { tooLarge: Math.floor((error.size * 3) / 4) };
      // Gone meanwhile (deleted): nothing to do.
      if (error instanceof GmailAccessError && error.status === 404) return null;
      throw error;
    }
    const { raw, internalDate } = client.parse<{ raw?: unknown; internalDate?: unknown }>(answer);
    if (typeof raw !== 'string' || !BASE64URL.test(raw)) throw client.badField(answer.status, 'raw');
    const mime = Buffer.from(raw, 'base64url');
    if (mime.length > maxBytes) return { tooLarge: mime.length };
    // Milliseconds since the epoch, as a string.
    const receivedAt =
      typeof internalDate === 'string' && /^\d{1,15}$/.test(internalDate)
        ? Math.floor(Number(internalDate) / 1000)
        : null;
    return { source: mime, receivedAt };
  };
  const modify = (ids: string[], addLabelIds: string[], removeLabelIds: string[]) =>
    // Ids Gmail no longer has (deleted meanwhile) are passed over, not refused.
    client.json('POST', `${client.user}/messages/batchModify`, { ids, addLabelIds, removeLabelIds });
  const relabel = async (stored: { mail: { id: string }; other: boolean }[]) => {
    const other = stored.filter((mail) => mail.other).map(({ mail }) => mail.id);
    const processed = stored.filter((mail) => !mail.other).map(({ mail }) => mail.id);
    if (processed.length > 0) await modify(processed, [markId], options.flag ? [] : [source.id]);
    if (other.length > 0) await modify(other, [await labels.ensure(GMAIL_OTHER_MAIL_LABEL)], []);
  };
  await ingestListedMails(
    pending,
    { ...options, url, place: target.label, concurrency: GMAIL_CONCURRENCY, groupMails: GMAIL_GROUP_MAILS },
    run,
    fetch,
    relabel,
  );
}

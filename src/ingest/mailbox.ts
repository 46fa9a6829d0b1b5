/**
 * What a mailbox source (IMAP: imap.ts, Microsoft Graph: graph.ts, Gmail: gmail.ts) does with a
 * group of the mails it fetched: stores them together, their small aggregate reports in the
 * batcher's shared transactions, and counts those stored once the source has moved or marked them
 * (or failed to: their reports are committed all the same). A mail leaves its folder only once its
 * reports are committed or it is quarantined, so the source moves the stored ones first and
 * throws the group's failure (the store went away) after.
 *
 * The sources read through an HTTP API, which has no IDLE, share more: the mails a pass listed
 * fetched and stored a group at a time (ingestListedMails), and a run's passes, one, or with
 * `watch` one every interval, a pass failing on a fault that may pass tried again with IMAP's
 * backoff (pollMailbox).
 */
import type { UnpackLimits } from '../reports/unpack.ts';
import type { Store } from '../store/types.ts';
import { MailApiError } from './api-access.ts';
import { AggregateBatcher } from './batch.ts';
import { IMAP_RECONNECT_MAX_MS, IMAP_RECONNECT_MIN_MS, sleep, TokenError } from './imap-account.ts';
import { INGEST_MAX_MESSAGE_BYTES, tooLarge } from './inputs.ts';
import { ingestMessage, type MessageOutcome } from './message.ts';
import { eachBounded } from './paths.ts';
import { addOutcome, emptyTotals, type IngestProgress, type IngestTotals } from './totals.ts';

/** A fetched mail as the store takes it: its bytes, its name in the folder and its source, when it came. */
export interface MailToStore {
  bytes: Buffer;
  name: string;
  source: string;
  receivedAt: number | null;
}

/** The group's mails stored (each with its outcome), and the first failure, for the caller to throw. */
export interface StoredMails<M> {
  done: { mail: M; outcome: MessageOutcome }[];
  failure: PromiseRejectedResult | undefined;
}

export async function storeMails<M>(
  store: Store,
  mails: readonly M[],
  asStored: (mail: M) => MailToStore,
  options: { batcher: AggregateBatcher; limits?: Partial<UnpackLimits> | undefined; leaveOther?: boolean },
): Promise<StoredMails<M>> {
  const settled = await Promise.allSettled(
    mails.map((mail) => {
      const { bytes, name, source, receivedAt } = asStored(mail);
      return ingestMessage(store, bytes, name, source, {
        receivedAt,
        batcher: options.batcher,
        ...(options.limits ? { limits: options.limits } : {}),
        ...(options.leaveOther ? { leaveOther: true } : {}),
      });
    }),
  );
  const done = mails.flatMap((mail, i) => {
    const result = settled[i]!;
    return result.status === 'fulfilled' ? [{ mail, outcome: result.value }] : [];
  });
  return { done, failure: settled.find((result) => result.status === 'rejected') };
}

/**
 * Counts the group's stored mails (moved or marked by now) into the run's totals and progress
 * (`size`: a mail's bytes), then throws the group's failure, if any.
 */
export function countStoredMails<M>(
  { done, failure }: StoredMails<M>,
  totals: IngestTotals,
  progress: IngestProgress,
  size: (mail: M) => number,
  onProgress: ((progress: IngestProgress) => void) | undefined,
): void {
  for (const { mail, outcome } of done) {
    addOutcome(totals, outcome);
    progress.bytesDone += size(mail);
  }
  if (done.length > 0) onProgress?.(progress);
  if (failure) throw failure.reason;
}

/** Time between a watch's passes when `intervalMs` is not given (the CLI's --interval default). */
export const API_WATCH_INTERVAL_MS = 60_000;

/**
 * What a mailbox read through an API takes (IngestGraphOptions, IngestGmailOptions): the store,
 * the token, where processed mail goes, how long the run goes on and what it tells as it goes
 * (`P`: the place it reads, as the service names it).
 */
export interface ApiMailboxOptions<P extends string> {
  store: Store;
  /** Gives the current OAuth 2.0 access token (imapAccessToken, oauth.ts's); asked again after a 401. */
  accessToken: () => Promise<string>;
  /** Trust these CA certificates (PEM) instead of the system's: tests, a TLS-inspecting proxy. */
  ca?: string | Buffer | (string | Buffer)[];
  /**
   * Where processed mail goes (default IMAP_DEFAULT_ARCHIVE), '/'-separated, each level created
   * when missing: Graph's folder it is moved to, Gmail's label it is given for the one it was read from.
   */
  archive?: string;
  /** Give processed mail this instead of moving it (Graph: a category, Gmail: a label); mail carrying it is skipped. */
  flag?: string;
  /**
   * Mail in which nothing looks like a report stays where it is (not quarantined, not moved, not a
   * failure), given the category GRAPH_OTHER_MAIL_CATEGORY or the label GMAIL_OTHER_MAIL_LABEL,
   * which later runs skip.
   */
  leaveOtherMail?: boolean;
  /**
   * Keep reading the mailbox: a pass, then another every `intervalMs`, until `signal` aborts; a
   * pass that fails because the service cannot be reached, TLS fails or the service answers 5xx
   * (or 429) after its throttling retries is tried again after a backoff (`reconnect`).
   */
  watch?: boolean;
  /** Time between a watch's passes (default API_WATCH_INTERVAL_MS). */
  intervalMs?: number;
  /** A watch's waits after a failed pass, doubling from minMs to maxMs (default IMAP's); tests shorten them. */
  reconnect?: { minMs: number; maxMs: number };
  /**
   * Stops the run (and a watch) once the group of mails being stored is moved; a request waiting
   * out the service's throttling is given up at once (its mail stays for the next run).
   */
  signal?: AbortSignal;
  /** IngestPathsOptions.onCutShort: `signal` stopped the run with listed mail not all taken. */
  onCutShort?: () => void;
  onProgress?: (progress: IngestProgress) => void;
  onEvent?: (event: ApiMailboxEvent<P>) => void;
  maxMessageBytes?: number;
  limits?: Partial<UnpackLimits>;
  timeoutMs?: number;
}

/** What a run's passes share; `announce`: this pass says what it found (its 'connected' event). */
export interface PassRun {
  totals: IngestTotals;
  progress: IngestProgress;
  /** Ids of mails left in the mailbox as too large: reported once, not fetched again by later passes. */
  skipped: Set<string>;
  announce: boolean;
}

/**
 * What a run of a mailbox read through an API tells as it goes (GraphEvent, GmailEvent); `P`
 * names the place it reads as the service does: Graph's folder, Gmail's label.
 */
export type ApiMailboxEvent<P extends string> =
  /** A pass listed the place: the first one, and the first after a failed one. */
  | ({ type: 'connected'; server: string; mailbox: string; pending: number } & Record<P, string>)
  /** A watch's first pass is done; the next come every `intervalMs`. */
  | ({ type: 'watching'; intervalMs: number } & Record<P, string>)
  /** A watch's pass failed on a fault that may pass (unreachable, TLS, 5xx); the next is tried in `delayMs`. */
  | { type: 'reconnecting'; error: Error; delayMs: number };

export interface Polling<P extends string> {
  /** Passes until `signal` aborts, one every `intervalMs` (default API_WATCH_INTERVAL_MS); else one. */
  watch?: boolean | undefined;
  intervalMs?: number | undefined;
  /** A watch's waits after a failed pass, doubling from minMs to maxMs (default IMAP's); tests shorten them. */
  reconnect?: { minMs: number; maxMs: number } | undefined;
  signal?: AbortSignal | undefined;
  /** ApiMailboxOptions.onCutShort: here, a pass the stop made fail. */
  onCutShort?: (() => void) | undefined;
  /** The place read, as the events name it: { folder: 'Inbox' }, { label: 'INBOX' }. */
  place: Record<P, string>;
  onEvent?: ((event: ApiMailboxEvent<P>) => void) | undefined;
  /** The run's client, closed when the run ends. */
  client: { close(): void };
}

/**
 * A run of a mailbox read through an API: one pass, or with `watch` a pass, then one every
 * `intervalMs` until the signal aborts. A pass that fails on a fault that may pass (transient) is
 * tried again after a wait doubling from reconnect.minMs to maxMs, reset by a good pass; any other
 * failure ends the watch. Resolves with the totals of all passes, also when stopped in a pass (a
 * throttled request's wait given up, a token request ended).
 */
export async function pollMailbox<P extends string>(
  polling: Polling<P>,
  pass: (run: PassRun) => Promise<void>,
): Promise<IngestTotals> {
  const { signal, place, onEvent } = polling;
  const intervalMs = polling.intervalMs ?? API_WATCH_INTERVAL_MS;
  const totals = emptyTotals();
  const progress: IngestProgress = { totals, bytesDone: 0, totalBytes: null, inputsTotal: null };
  const run: PassRun = { totals, progress, skipped: new Set(), announce: true };
  const minMs = polling.reconnect?.minMs ?? IMAP_RECONNECT_MIN_MS;
  const maxMs = polling.reconnect?.maxMs ?? IMAP_RECONNECT_MAX_MS;
  let delay = minMs;
  let passed = false;
  try {
    if (!polling.watch) {
      await pass(run);
      return totals;
    }
    while (!signal?.aborted) {
      try {
        await pass(run);
      } catch (error) {
        if (signal?.aborted) throw error;
        if (!transient(error, passed)) throw error;
        onEvent?.({ type: 'reconnecting', error: error as Error, delayMs: delay });
        await sleep(delay, signal);
        delay = Math.min(maxMs, delay * 2);
        // The next good pass says again what it found, as IMAP's does after reconnecting.
        run.announce = true;
        continue;
      }
      if (signal?.aborted) break;
      delay = minMs;
      run.announce = false;
      if (!passed) onEvent?.({ type: 'watching', intervalMs, ...place });
      passed = true;
      await sleep(intervalMs, signal);
    }
    return totals;
  } catch (error) {
    if (!signal?.aborted) throw error;
    // A request the stop gave up (a throttled one's wait, a token's), its mail left.
    polling.onCutShort?.();
    return totals;
  } finally {
    polling.client.close();
  }
}

/**
 * Whether a watch's failed pass is tried again, as IMAP's watch reconnects: the service not
 * reached, TLS failing, the service answering 5xx or 429 (or Gmail's rate limit, a 403) after the
 * client's own throttling retries, the store failing (a database restarting: the mail stays in
 * the mailbox until it is back); once a pass has succeeded, also a token source that gave none
 * (`az` not reaching Entra ID for a moment). What retrying does not mend ends the watch: a refused
 * token, a missing permission, mailbox, folder or label, another 4xx, an answer Sumi cannot read,
 * a token source that never gave one.
 */
function transient(error: unknown, passed: boolean): boolean {
  if (error instanceof TokenError) return passed;
  if (!(error instanceof MailApiError)) return true;
  if (error.code === 'unreachable' || error.code === 'tls') return true;
  // A 403 is 'failed' rather than 'forbidden' only when it was throttling.
  const { status } = error;
  return error.code === 'failed' && status !== null && (status >= 500 || status === 429 || status === 403);
}

/** What an API source's fetch gave for a listed mail: its MIME, its size when too large, or null when it is gone. */
export type Fetched = { source: Buffer; receivedAt: number | null } | { tooLarge: number } | null;

export interface ListedRun {
  store: Store;
  /** The mailbox's URL, which a mail's source names with `;id=ID` after it. */
  url: string;
  /** The folder's or label's name, which a mail's name in the store begins with. */
  place: string;
  /** Mails fetched at once. */
  concurrency: number;
  /** Mails whose reports share the batcher before they are marked. */
  groupMails: number;
  maxMessageBytes?: number | undefined;
  limits?: Partial<UnpackLimits> | undefined;
  leaveOtherMail?: boolean | undefined;
  signal?: AbortSignal | undefined;
  /** ApiMailboxOptions.onCutShort: here, groups left untaken. */
  onCutShort?: (() => void) | undefined;
  onProgress?: ((progress: IngestProgress) => void) | undefined;
}

/**
 * The mails a pass listed, a group at a time: each one's MIME fetched (`concurrency` at once; one
 * too large left where it is and reported once), the group's reports stored together, then the
 * stored mails marked (moved, labelled: `mark`, told which held nothing like a report). A stop is
 * heeded between groups.
 */
export async function ingestListedMails<M extends { id: string }>(
  pending: readonly M[],
  listed: ListedRun,
  { totals, progress, skipped }: PassRun,
  fetch: (mail: M, maxBytes: number) => Promise<Fetched>,
  mark: (stored: { mail: M; other: boolean }[]) => Promise<void>,
): Promise<void> {
  const base = listed.url.replace(/\/$/, '');
  const max = listed.maxMessageBytes ?? INGEST_MAX_MESSAGE_BYTES;
  const batcher = new AggregateBatcher(listed.store);
  for (let at = 0; at < pending.length; at += listed.groupMails) {
    if (listed.signal?.aborted) {
      listed.onCutShort?.();
      break;
    }
    const group = pending.slice(at, at + listed.groupMails);
    const fetched: ({ mail: M; source: Buffer; receivedAt: number | null } | null)[] = group.map(() => null);
    await eachBounded(group.entries(), listed.concurrency, undefined, async ([i, mail]) => {
      const got = await fetch(mail, max);
      if (got === null) return;
      if ('tooLarge' in got) {
        // Left in the mailbox, as IMAP leaves it.
        const source = `${base};id=${mail.id}`;
        skipped.add(mail.id);
        totals.inputs++;
        totals.failed.push({ source, error: tooLarge(source, got.tooLarge, max) });
        return;
      }
      fetched[i] = { mail, ...got };
    });
    const stored = await storeMails(
      listed.store,
      fetched.filter((mail) => mail !== null),
      ({ mail, source, receivedAt }) => ({
        bytes: source,
        name: `${listed.place};id=${mail.id}`,
        source: `${base};id=${mail.id}`,
        receivedAt,
      }),
      { batcher, limits: listed.limits, ...(listed.leaveOtherMail ? { leaveOther: true } : {}) },
    );
    // What was stored is counted though marking failed (or a stop cut its throttling short): the
    // reports are committed, and a mail left in the mailbox is a duplicate when read again.
    const marked = await mark(
      stored.done.map(({ mail, outcome }) => ({ mail: mail.mail, other: Boolean(outcome.other) })),
    ).then(
      () => null,
      (error: unknown) => ({ error }),
    );
    countStoredMails(stored, totals, progress, (mail) => mail.source.length, listed.onProgress);
    if (marked !== null) throw marked.error;
  }
}

/**
 * `sumi ingest imap://user@host/INBOX`: every mail in an IMAP folder is ingested, then moved to
 * an archive folder (or flagged). A mail is moved or flagged only after its reports are
 * committed (or it is quarantined), so a crash at any point leaves it in the folder, and the
 * next run stores what was missing and counts the rest as duplicates. `watch` stays connected
 * (IDLE) and ingests mail as it arrives, reconnecting with backoff after faults.
 */
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { isTlsFailure, isUnreachable, tlsReason } from '../net/errors.ts';
import type { UnpackLimits } from '../reports/unpack.ts';
import type { Store } from '../store/types.ts';
import { AggregateBatcher } from './batch.ts';
import {
  ArchiveNameError,
  archiveIsFolder,
  archiveNameProblem,
  IMAP_DEFAULT_ARCHIVE,
  IMAP_OTHER_MAIL_KEYWORD,
  IMAP_RECONNECT_MAX_MS,
  IMAP_RECONNECT_MIN_MS,
  ImapAccessError,
  type ImapReason,
  type ImapTarget,
  imapPassword,
  isImapKeyword,
  parseImapUrl,
  sleep,
  TokenError,
} from './imap-account.ts';
import { INGEST_MAX_MESSAGE_BYTES, tooLarge } from './inputs.ts';
import { countStoredMails, storeMails } from './mailbox.ts';
import { emptyTotals, type IngestProgress, type IngestTotals } from './totals.ts';

// First and longest wait before reconnecting after a fault, in imap-account.ts for Graph's watch too.
export { IMAP_RECONNECT_MAX_MS, IMAP_RECONNECT_MIN_MS } from './imap-account.ts';
/** IDLE is restarted this often, so a connection dropped silently (NAT, firewall) is noticed. */
export const IMAP_IDLE_RESTART_MS = 5 * 60_000;
/** Mails whose sizes are asked in one FETCH. */
const SIZE_BATCH = 500;
/** Mails, and their bytes, fetched in one FETCH at most (see fetchedGroups). */
const FETCH_GROUP_MAILS = 128;
const FETCH_GROUP_BYTES = 16 * 1024 * 1024;

export type ImapEvent =
  | { type: 'connected'; host: string; folder: string; pending: number }
  | { type: 'watching'; folder: string }
  | { type: 'reconnecting'; error: Error; delayMs: number };

export interface IngestImapOptions {
  store: Store;
  /** The password itself, or where to read it: an environment variable, or a file's first line. */
  password?: string;
  passwordEnv?: string;
  passwordFile?: string;
  /**
   * Log in with an OAuth 2.0 access token instead (XOAUTH2 / OAUTHBEARER: Microsoft 365, Gmail),
   * asked for at every connection, so that a reconnect uses a fresh token (see imapAccessToken).
   */
  accessToken?: () => Promise<string>;
  /** For imap:// only: STARTTLS required (default), used when offered, or never. */
  starttls?: 'required' | 'optional' | 'off';
  /** Accept a certificate that does not verify (labs). */
  insecure?: boolean;
  /** Folder for processed mail (default IMAP_DEFAULT_ARCHIVE); created when missing. */
  archive?: string;
  /** Mark processed mail with this keyword instead of moving it. */
  flag?: string;
  /**
   * Mail in which nothing looks like a report (someone's own mail in a mailbox the reports share)
   * stays in the folder as it is: not quarantined, not moved or flagged as processed, not a
   * failure (MessageOptions.leaveOther). It is marked with IMAP_OTHER_MAIL_KEYWORD where the
   * server keeps keywords, and not fetched again; where it keeps none, it is fetched again by
   * each run (not again by a watch).
   */
  leaveOtherMail?: boolean;
  watch?: boolean;
  /** Stops watching (and any pass in progress, once the mails being stored are moved). */
  signal?: AbortSignal;
  /** IngestPathsOptions.onCutShort: `signal` stopped the run with the folder's mail not all taken. */
  onCutShort?: () => void;
  onProgress?: (progress: IngestProgress) => void;
  onEvent?: (event: ImapEvent) => void;
  maxMessageBytes?: number;
  limits?: Partial<UnpackLimits>;
  /** Waits before reconnecting; tests shorten them. */
  reconnect?: { minMs: number; maxMs: number };
}

/**
 * Ingests the folder's mail. Without `watch`, one pass and done; rejects on a connection or
 * store failure. With `watch`, runs until `signal` aborts; only a login, folder or archive
 * folder refused at the first connection ends it with an error (a wrong password does not get
 * better by retrying). Throws RangeError for a `flag` that is no IMAP keyword, or an archive
 * folder that will not work (ArchiveNameError) or is the folder read: no user meets these, as the
 * CLI, the settings API and serve's watcher refuse them first, in the reader's language
 * (isImapKeyword, archiveProblem, readsFolder: the same rules).
 */
export async function ingestImap(url: string, options: IngestImapOptions): Promise<IngestTotals> {
  const target = parseImapUrl(url);
  if (options.flag !== undefined && !isImapKeyword(options.flag))
    throw new RangeError(`not an IMAP keyword: ${options.flag}`);
  const archive = options.archive ?? IMAP_DEFAULT_ARCHIVE;
  const problem = options.flag === undefined ? archiveNameProblem(archive, true) : null;
  if (problem) throw new ArchiveNameError(problem, archive);
  if (options.flag === undefined && archiveIsFolder(target.folder, archive))
    throw new RangeError(`the archive folder is the folder read: ${target.folder}`);
  const password = options.accessToken ? '' : await imapPassword(options);
  const totals = emptyTotals();
  const progress: IngestProgress = { totals, bytesDone: 0, totalBytes: null, inputsTotal: null };
  // Too large to ingest: left in the folder, reported once per run.
  const skipped = new Set<number>();
  const minMs = options.reconnect?.minMs ?? IMAP_RECONNECT_MIN_MS;
  const maxMs = options.reconnect?.maxMs ?? IMAP_RECONNECT_MAX_MS;
  let delay = minMs;
  let connectedOnce = false;
  while (!options.signal?.aborted) {
    try {
      await session(target, url, { ...options, password }, totals, progress, skipped, {
        connected: () => {
          connectedOnce = true;
        },
        // Only a pass that went through ends the backoff: a fault met once connected (a move
        // refused, the store failing) must not bring a login a second, for ever.
        passed: () => {
          delay = minMs;
        },
      });
      if (!options.watch) return totals;
    } catch (error) {
      // A refused login, a missing folder or a token source that gives none does not get
      // better by retrying.
      const said = imapAccessError(error, target);
      const refused =
        (said instanceof ImapAccessError &&
          (said.code === 'login-refused' || said.code === 'no-folder' || said.code === 'archive-refused')) ||
        error instanceof TokenError;
      if (!options.watch || (refused && !connectedOnce) || options.signal?.aborted) {
        if (!options.signal?.aborted) throw said;
        options.onCutShort?.();
        return totals;
      }
      // As said: a server not reached or TLS failing is named for the reader, not left a socket's code.
      options.onEvent?.({
        type: 'reconnecting',
        error: (said instanceof Error ? said : error) as Error,
        delayMs: delay,
      });
      await sleep(delay, options.signal);
      delay = Math.min(maxMs, delay * 2);
    }
  }
  // Without watch, stopped before the folder was read.
  if (!options.watch) options.onCutShort?.();
  return totals;
}

/** The error as an ImapAccessError when it says which of those failed; else as it is. */
function imapAccessError(error: unknown, target: ImapTarget): unknown {
  if (error instanceof ImapAccessError) return error;
  const { code, message, authenticationFailed, responseText } = error as {
    code?: unknown;
    message?: unknown;
    authenticationFailed?: unknown;
    responseText?: unknown;
  };
  const said = typeof responseText === 'string' && responseText ? responseText : String(message ?? error);
  if (authenticationFailed === true)
    return new ImapAccessError('login-refused', target, said, { cause: error });
  if (isUnreachable(code)) {
    return new ImapAccessError('unreachable', target, said, { cause: error });
  }
  // imapflow's words when starttls is required and the server offers none.
  if (isTlsFailure(code) || said === 'Server does not support STARTTLS') {
    return new ImapAccessError('tls', target, tlsReason(said), { cause: error });
  }
  // No greeting: most often a plain connection to a port that speaks TLS from the start (993).
  if (code === 'GREETING_TIMEOUT') return new ImapAccessError('tls', target, said, { cause: error });
  return error;
}

/** What the server said when a command failed, as imapflow logs it before answering false. */
interface CommandWarning {
  err?: { responseText?: unknown; serverResponseCode?: unknown };
  msg?: unknown;
  dropped?: unknown;
}

/** The server's words in a logged warning, or Sumi's own reason when it has none. */
function warningReason(warning: CommandWarning | undefined, fallback: ImapReason): string | ImapReason {
  const text = warning?.err?.responseText;
  if (typeof text === 'string' && text) return text;
  if (Array.isArray(warning?.dropped))
    return { key: 'noKeyword', values: { keyword: warning.dropped.join(' ') } };
  return fallback;
}

async function session(
  target: ImapTarget,
  url: string,
  options: IngestImapOptions & { password: string },
  totals: IngestTotals,
  progress: IngestProgress,
  skipped: Set<number>,
  on: { connected: () => void; passed: () => void },
): Promise<void> {
  const starttls = options.starttls ?? 'required';
  // imapflow answers a refused MOVE or STORE with false and logs why: the last warning is kept to
  // say it.
  const warnings: { last: CommandWarning | undefined } = { last: undefined };
  const quiet = () => {};
  const config: ImapFlowOptions = {
    host: target.host,
    port: target.port,
    secure: target.secure,
    auth: options.accessToken
      ? { user: target.user, accessToken: await options.accessToken() }
      : { user: target.user, pass: options.password },
    logger: {
      debug: quiet,
      info: quiet,
      warn: (entry: CommandWarning) => {
        warnings.last = entry;
      },
      error: quiet,
    },
    maxIdleTime: IMAP_IDLE_RESTART_MS,
    // IDLE is entered right when a pass ends, not after imapflow's own quiet period.
    disableAutoIdle: true,
    ...(options.insecure ? { tls: { rejectUnauthorized: false } } : {}),
  };
  if (!target.secure && starttls !== 'optional') config.doSTARTTLS = starttls === 'required';
  const client = new ImapFlow(config);
  // A dropped connection also emits 'error'; without a listener it would crash the process.
  let lost: Error | null = null;
  let wake: (() => void) | null = null;
  let arrived = false;
  client.on('error', (error: Error) => {
    lost ??= error;
    wake?.();
  });
  client.on('close', () => {
    lost ??= new ImapAccessError('connection-lost', target, { key: 'closed', values: {} });
    wake?.();
  });
  client.on('exists', () => {
    arrived = true;
    wake?.();
  });
  let connected = false;
  // A stop while connecting ends the connection too: a server that accepts and never answers
  // held a watcher's stop (and the settings API's change of its source, and serve's shutdown)
  // until imapflow's own timeouts, a minute and a half.
  const onAbort = () => {
    wake?.();
    if (!connected) client.close();
  };
  options.signal?.addEventListener('abort', onAbort);
  try {
    await client.connect();
    connected = true;
    // Folder paths are written with '/' whatever the server's separator (Dovecot's and Courier's is '.').
    const boxes = await client.list();
    const delimiter = boxes.find((box) => box.delimiter)?.delimiter ?? '/';
    const folder = onServer(target.folder, delimiter);
    // The folder read first: a mistyped one makes no archive folder in the mailbox.
    await client.mailboxOpen(folder).catch((error: unknown) => {
      const { responseStatus, responseText, serverResponseCode } = error as {
        responseStatus?: unknown;
        responseText?: unknown;
        serverResponseCode?: unknown;
      };
      if (responseStatus !== 'NO') throw error;
      const said = String(responseText ?? '');
      // Not there: the server says so (RFC 5530's NONEXISTENT), or the folder is not listed.
      // Another NO (a server fault, the folder in use, no right to it) is the folder refused.
      const listed = boxes.some(
        (box) => box.path === folder || (box.specialUse === '\\Inbox' && /^inbox$/i.test(folder)),
      );
      if (serverResponseCode !== 'NONEXISTENT' && listed)
        throw new ImapAccessError('folder-refused', target, said, { cause: error });
      // The account's folders as the owner writes them, for a hint (folderHint).
      const folders = boxes
        .filter((box) => !box.flags?.has('\\Noselect'))
        .map((box) => box.path.split(delimiter).join('/'));
      throw new ImapAccessError('no-folder', target, said, { cause: error, folders });
    });
    const archive = options.flag
      ? null
      : await ensureFolder(client, boxes, onServer(options.archive ?? IMAP_DEFAULT_ARCHIVE, delimiter)).catch(
          (error: unknown) => {
            const { responseText, message } = error as { responseText?: unknown; message?: unknown };
            const said =
              typeof responseText === 'string' && responseText ? responseText : String(message ?? error);
            throw new ImapAccessError('archive-refused', target, said, {
              cause: error,
              archive: options.archive ?? IMAP_DEFAULT_ARCHIVE,
            });
          },
        );
    on.connected();
    const run: FolderRun = {
      client,
      target,
      base: url.replace(/;.*$/, '').replace(/\/$/, ''),
      options,
      archive,
      totals,
      progress,
      skipped,
      warnings,
    };
    let first = true;
    do {
      arrived = false;
      await pass(run, (pending) => {
        if (first)
          options.onEvent?.({ type: 'connected', host: target.host, folder: target.folder, pending });
        first = false;
      });
      on.passed();
      if (!options.watch || options.signal?.aborted) break;
      if (!arrived) {
        options.onEvent?.({ type: 'watching', folder: target.folder });
        // IDLE lasts until the next command; its errors show as 'error'/'close' events.
        const idling = client.idle().catch(() => {});
        await new Promise<void>((resolve) => {
          wake = resolve;
          if (arrived || lost || options.signal?.aborted) resolve();
        });
        wake = null;
        if (lost) await idling;
      }
      if (lost) throw lost;
    } while (!options.signal?.aborted);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    if (client.usable) await client.logout().catch(() => client.close());
    else client.close();
  }
}

/** What the passes over a session's folder share. */
interface FolderRun {
  client: ImapFlow;
  target: ImapTarget;
  /** The folder's URL without a `;UID=` part: a mail's source is this and its UID. */
  base: string;
  options: IngestImapOptions;
  /** Where stored mail is moved; null: it is flagged with options.flag instead. */
  archive: string | null;
  totals: IngestTotals;
  progress: IngestProgress;
  /** UIDs left in the folder for good (too large, or other mail left alone): not looked at again by later passes. */
  skipped: Set<number>;
  /** The last command warning imapflow logged: why a MOVE or STORE answered false. */
  warnings: { last: CommandWarning | undefined };
}

/** One pass over the folder: every mail not yet processed, oldest first. */
async function pass(run: FolderRun, onPending: (count: number) => void): Promise<void> {
  const { client, options, totals, progress, skipped, base } = run;
  const query = {
    deleted: false,
    ...(options.flag ? { unKeyword: options.flag } : {}),
    ...(options.leaveOtherMail ? { not: { keyword: IMAP_OTHER_MAIL_KEYWORD } } : {}),
  };
  const found = (await client.search(query, { uid: true })) || [];
  const uids = found.filter((uid) => !skipped.has(uid)).sort((a, b) => a - b);
  onPending(uids.length);
  progress.inputsTotal = (progress.inputsTotal ?? 0) + uids.length;
  const groups = fetchedGroups(
    client,
    uids,
    options.maxMessageBytes ?? INGEST_MAX_MESSAGE_BYTES,
    (uid, size, max) => {
      const source = `${base};UID=${uid}`;
      skipped.add(uid);
      totals.inputs++;
      totals.failed.push({ source, error: tooLarge(source, size, max) });
    },
  );
  const batcher = new AggregateBatcher(options.store);
  // The next group is fetched while this one is stored: the server's round trips and ours overlap.
  let next = groups.next();
  try {
    for (;;) {
      const fetched = await next;
      if (fetched.done) break;
      // Mail fetched and not to be stored: the stop left it untaken. One that came as the last
      // group was stored finds the groups at their end, and left nothing.
      if (options.signal?.aborted) {
        options.onCutShort?.();
        break;
      }
      next = groups.next();
      await storeGroup(run, batcher, fetched.value);
    }
  } finally {
    // A fetch still under way when a group failed or the run stopped: its mails stay in the folder.
    await next.catch(() => {});
    await groups.return(undefined).catch(() => {});
  }
}

/** A mail fetched from the folder with its bytes. */
interface FetchedMail {
  uid: number;
  size: number;
  source: Buffer;
  receivedAt: number | null;
}

/**
 * The folder's mails in groups fetched one FETCH each, as many as FETCH_GROUP_MAILS and
 * FETCH_GROUP_BYTES allow (a larger mail comes alone): a FETCH and a MOVE per mail cost two
 * round trips each, which a distant server makes the whole of an ingest's time. Mails over
 * `max` are not fetched (`onTooLarge`); mails expunged meanwhile by another client are left out.
 */
async function* fetchedGroups(
  client: ImapFlow,
  uids: readonly number[],
  max: number,
  onTooLarge: (uid: number, size: number, max: number) => void,
): AsyncGenerator<FetchedMail[]> {
  const query = { uid: true, source: true, internalDate: true } as const;
  for (let at = 0; at < uids.length; at += SIZE_BATCH) {
    const chunk = uids.slice(at, at + SIZE_BATCH);
    const sizes = new Map<number, number>();
    for await (const message of client.fetch(uidSet(chunk), { uid: true, size: true }, { uid: true })) {
      sizes.set(message.uid, message.size ?? 0);
    }
    let group: number[] = [];
    let groupBytes = 0;
    const groups: number[][] = [];
    for (const uid of chunk) {
      const size = sizes.get(uid);
      if (size === undefined) continue;
      if (size > max) {
        onTooLarge(uid, size, max);
        continue;
      }
      if (group.length > 0 && (group.length >= FETCH_GROUP_MAILS || groupBytes + size > FETCH_GROUP_BYTES)) {
        groups.push(group);
        group = [];
        groupBytes = 0;
      }
      group.push(uid);
      groupBytes += size;
    }
    if (group.length > 0) groups.push(group);
    for (const members of groups) {
      const fetched: FetchedMail[] = [];
      for await (const message of client.fetch(uidSet(members), query, { uid: true })) {
        if (!message.source) continue;
        const date = message.internalDate ? new Date(message.internalDate) : null;
        fetched.push({
          uid: message.uid,
          size: sizes.get(message.uid) ?? message.source.length,
          source: message.source,
          receivedAt: date && !Number.isNaN(date.getTime()) ? Math.floor(date.getTime() / 1000) : null,
        });
      }
      if (fetched.length > 0) yield fetched.sort((a, b) => a.uid - b.uid);
    }
  }
}

/**
 * Stores a group's mails together (small aggregate reports in shared transactions), then moves
 * or flags those stored in one command: a mail leaves the folder only once its reports are
 * committed or it is quarantined. When one fails (the store went away), the others are still
 * moved before the failure is thrown; it stays in the folder for the next run. A MOVE or STORE
 * the server refuses (no right to the archive folder, the quota full, a keyword it does not keep)
 * is an ImapAccessError `not-processed`, after the stored mails are counted: left unsaid, the
 * folder would never empty and every run would fetch its mail again as duplicates.
 */
async function storeGroup(
  run: FolderRun,
  batcher: AggregateBatcher,
  mails: readonly FetchedMail[],
): Promise<void> {
  const { client, target, base, options, archive, totals, progress } = run;
  const stored = await storeMails(
    options.store,
    mails,
    (mail) => ({
      bytes: mail.source,
      name: `${target.folder};UID=${mail.uid}`,
      source: `${base};UID=${mail.uid}`,
      receivedAt: mail.receivedAt,
    }),
    { batcher, limits: options.limits, ...(options.leaveOtherMail ? { leaveOther: true } : {}) },
  );
  const { done } = stored;
  const processed: number[] = [];
  const others: number[] = [];
  for (const { mail, outcome } of done) (outcome.other ? others : processed).push(mail.uid);
  // imapflow answers false for a command the server refused and for one the connection closed
  // under: the latter is no refusal, and the mail is moved by the next pass.
  const refused = (fallback: ImapReason) =>
    client.usable
      ? new ImapAccessError('not-processed', target, warningReason(run.warnings.last, fallback), {
          archive: options.archive ?? IMAP_DEFAULT_ARCHIVE,
          keyword: options.flag ?? null,
        })
      : new ImapAccessError('connection-lost', target, { key: 'closed', values: {} });
  let notProcessed: ImapAccessError | undefined;
  if (processed.length > 0) {
    const set = uidSet(processed);
    run.warnings.last = undefined;
    if (archive) {
      if (!(await client.messageMove(set, archive, { uid: true })))
        notProcessed = refused({ key: 'moveRefused', values: {} });
    } else if (!(await client.messageFlagsAdd(set, [options.flag!], { uid: true }))) {
      notProcessed = refused({ key: 'storeRefused', values: {} });
    }
  }
  for (const uid of others) run.skipped.add(uid);
  // `\*` among the folder's permanent flags: the server keeps keywords new to it. Where it
  // refuses anyway, the mail is only fetched again by later runs (not by this watch): no failure.
  if (others.length > 0 && client.mailbox && client.mailbox.permanentFlags?.has('\\*')) {
    await client.messageFlagsAdd(uidSet(others), [IMAP_OTHER_MAIL_KEYWORD], { uid: true });
  }
  // Throws a store failure of the group once its stored mail is counted.
  countStoredMails(stored, totals, progress, (mail) => mail.size, options.onProgress);
  if (notProcessed) throw notProcessed;
}

/** Ascending UIDs as an IMAP sequence set, runs as ranges: `3:7,9,12:13`. */
export function uidSet(uids: readonly number[]): string {
  const ranges: string[] = [];
  for (let i = 0; i < uids.length; ) {
    let j = i;
    while (j + 1 < uids.length && uids[j + 1] === uids[j]! + 1) j++;
    ranges.push(j === i ? String(uids[i]) : `${uids[i]}:${uids[j]}`);
    i = j + 1;
  }
  return ranges.join(',');
}

/** A folder path written with '/' as the server names it, with its own separator. */
function onServer(folder: string, delimiter: string): string {
  return folder.split('/').filter(Boolean).join(delimiter);
}

/** The archive folder (its path on the server), created when missing. */
async function ensureFolder(
  client: ImapFlow,
  boxes: readonly { path: string }[],
  folder: string,
): Promise<string> {
  if (boxes.some((box) => box.path === folder)) return folder;
  return (await client.mailboxCreate(folder)).path;
}

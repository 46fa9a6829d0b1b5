/**
 * An IMAP source as its owner gives it, without connecting (imap.ts connects): the mailbox URL,
 * the password or OAuth 2.0 access token to log in with (and why none could be had), the
 * folders' names, and why a mailbox could not be read. Apart from the client, so that what only
 * names a mailbox (`sumi ingest`'s flags and help, the settings API) does not load imapflow (0.2 s
 * of a command's start).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { setTimeout as wait } from 'node:timers/promises';
import { ingestText } from '../i18n/ingest.ts';
import type { Lang } from '../i18n/lang.ts';
import { translate, translator } from '../i18n/translate.ts';
import { namesAmong } from './api-access.ts';

/** Where processed mail goes when no folder is given. */
export const IMAP_DEFAULT_ARCHIVE = 'Sumi/Processed';

/**
 * The keyword a mail left alone (leaveOtherMail) is marked with where the server keeps keywords,
 * so that later runs do not fetch it again.
 */
export const IMAP_OTHER_MAIL_KEYWORD = '$SumiOtherMail';

/**
 * First and longest wait before reconnecting after a fault (doubling in between): IMAP's watch,
 * and Graph's between passes (here, so that a graph:// run does not load imapflow).
 */
export const IMAP_RECONNECT_MIN_MS = 1_000;
export const IMAP_RECONNECT_MAX_MS = 60_000;

/** Waits `ms`, or less when `signal` aborts (a watch's backoff and interval, a throttled request). */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return wait(ms, undefined, signal ? { signal } : undefined).then(
    () => {},
    // Only the abort rejects: the wait is over.
    () => {},
  );
}

export interface ImapTarget {
  /** Implicit TLS (imaps://). */
  secure: boolean;
  host: string;
  port: number;
  user: string;
  folder: string;
}

/** Reads `imap://user@host[:port]/FOLDER` (`imaps://` for implicit TLS); the user may be %-encoded. */
export function parseImapUrl(url: string): ImapTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RangeError(`not a URL: ${url}`);
  }
  const secure = parsed.protocol === 'imaps:';
  if (!secure && parsed.protocol !== 'imap:') throw new RangeError(`not an imap:// URL: ${url}`);
  if (!parsed.hostname || !parsed.username) throw new RangeError(`no user or host: ${url}`);
  const folder = decodeURIComponent(parsed.pathname.replace(/^\//, '').replace(/;.*$/, '')) || 'INBOX';
  return {
    secure,
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port ? Number(parsed.port) : secure ? 993 : 143,
    user: decodeURIComponent(parsed.username),
    folder,
  };
}

/** The password from the options, the environment or a file; throws RangeError when there is none. */
export async function imapPassword(
  options: { password?: string; passwordEnv?: string; passwordFile?: string },
  env: Record<string, string | undefined> = process.env,
): Promise<string> {
  if (options.password !== undefined) return options.password;
  if (options.passwordFile) return (await readFile(options.passwordFile, 'utf8')).split(/\r?\n/)[0] ?? '';
  const fromEnv = options.passwordEnv ? env[options.passwordEnv] : undefined;
  if (!fromEnv)
    throw new RangeError(
      `no IMAP password: set ${options.passwordEnv ?? 'passwordEnv'} or give passwordFile`,
    );
  return fromEnv;
}

/**
 * The environment variables a mailbox source kept in the dashboard may name for its password or
 * secret: SUMI_..._PASSWORD or SUMI_..._SECRET. The server sends the variable's value to the
 * mailbox's host, which the dashboard's admin chooses: any other name would let the dashboard
 * send the server's other secrets (its database URL, a cloud key) wherever it likes.
 */
export const SOURCE_ENV_NAME = /^SUMI_(?:[A-Z0-9_]{0,48}_)?(?:PASSWORD|SECRET)$/;

export function sourceEnvAllowed(name: string): boolean {
  return SOURCE_ENV_NAME.test(name);
}

/** How long a token command may take (a CLI that refreshes the token over the network). */
export const IMAP_TOKEN_COMMAND_TIMEOUT_MS = 30_000;

/** Where an OAuth 2.0 access token comes from; read again at every connection. */
export type TokenSource =
  | { command: string }
  | { file: string }
  | { env: string }
  /** A token endpoint asked with the client credentials grant (oauth.ts); never the secret. */
  | { clientCredentials: { tokenUrl: string; clientId: string } }
  /** A token endpoint asked with a Google service account's JWT (oauth.ts), acting as `subject`. */
  | { serviceAccount: { tokenUrl: string; clientEmail: string; subject: string } };

/**
 * Sumi's own reasons a token endpoint gave no token (ingestText's `token.reason.*`), said in the
 * reader's language; `said` and `reason` carry the endpoint's or the system's own words.
 */
export type TokenReason = {
  key: 'unreachable' | 'tls' | 'timedOut' | 'status' | 'statusSaid' | 'notJson' | 'noToken' | 'tooLarge';
  values: Record<string, string | number>;
};

/**
 * A function giving the current access token: the first line a shell command prints (such as
 * `az account get-access-token --resource https://outlook.office365.com --query accessToken -o tsv`
 * or `gcloud auth print-access-token`), a file's first line (kept fresh by another process), or
 * an environment variable. Throws TokenError when it gives none.
 */
export function imapAccessToken(
  source: Exclude<TokenSource, { clientCredentials: unknown } | { serviceAccount: unknown }>,
  env: Record<string, string | undefined> = process.env,
  /** Ends a token command under way (its process killed); the call rejects with the signal's reason. */
  signal?: AbortSignal,
): () => Promise<string> {
  return async () => {
    let text: string | undefined;
    if ('command' in source) text = await runTokenCommand(source.command, env, signal);
    else if ('file' in source) {
      try {
        text = await readFile(source.file, 'utf8');
      } catch (error) {
        throw new TokenError(source, (error as Error).message);
      }
    } else text = env[source.env];
    const token = (text ?? '')
      .split(/\r?\n/)
      .find((line) => line.trim() !== '')
      ?.trim();
    if (!token) throw new TokenError(source, 'no token');
    return token;
  };
}

/**
 * Why an IMAP folder could not be read or emptied: the server, its TLS, the login, the folder not
 * there or refused (SELECT answered NO for another reason: a server fault, the folder in use, no
 * right to it), the archive folder not made, or the processed mail not moved or marked.
 */
export const IMAP_ACCESS_ERROR_CODES = [
  'unreachable',
  'tls',
  'login-refused',
  'no-folder',
  'folder-refused',
  'archive-refused',
  'not-processed',
  'connection-lost',
] as const;
export type ImapAccessErrorCode = (typeof IMAP_ACCESS_ERROR_CODES)[number];

/**
 * Sumi's own reasons the server refused to move or mark mail where it said no words of its own
 * (ingestText's `imap.reason.*`): a MOVE or STORE answered NO without text, or a keyword the folder
 * keeps none of (its PERMANENTFLAGS lack `\*`), which imapflow drops before sending; a connection
 * the server closed with no error (`closed`).
 */
export type ImapReason = {
  key: 'moveRefused' | 'storeRefused' | 'noKeyword' | 'closed';
  values: Record<string, string | number>;
};

/**
 * The server, its TLS, the login or the folder refused: the configuration or the world's state,
 * not a fault of the mail. `reason` is what the system or the server said, or Sumi's own reason
 * in English (`ownReason`, said in any language by imapReason); for `no-folder`,
 * `folders` are the account's folders (paths written with '/'), for folderHint; for
 * `archive-refused` and `not-processed`, `archive` the folder mail was to be moved to, or
 * `keyword` the one it was to be marked with.
 */
export class ImapAccessError extends Error {
  readonly code: ImapAccessErrorCode;
  readonly target: ImapTarget;
  readonly reason: string;
  /** When the reason is Sumi's own rather than the server's or the system's words. */
  readonly ownReason: ImapReason | undefined;
  readonly folders: readonly string[];
  readonly archive: string | null;
  readonly keyword: string | null;
  constructor(
    code: ImapAccessErrorCode,
    target: ImapTarget,
    reason: string | ImapReason,
    options?: {
      cause?: unknown;
      folders?: readonly string[];
      archive?: string | null;
      keyword?: string | null;
    },
  ) {
    const ownReason = typeof reason === 'string' ? undefined : reason;
    const said = ownReason
      ? translate(ingestText, `imap.reason.${ownReason.key}`, 'en', ownReason.values)
      : (reason as string);
    super(`${code}: ${target.user}@${target.host}:${target.port} ${target.folder}: ${said}`, options);
    this.name = 'ImapAccessError';
    this.code = code;
    this.target = target;
    this.reason = said;
    this.ownReason = ownReason;
    this.folders = options?.folders ?? [];
    this.archive = options?.archive ?? null;
    this.keyword = options?.keyword ?? null;
  }
}

/** Why an IMAP folder could not be read or emptied, in `lang`: the server's words, or Sumi's own. */
export function imapReason(error: ImapAccessError, lang: Lang): string {
  const own = error.ownReason;
  return own ? translate(ingestText, `imap.reason.${own.key}`, lang, own.values) : error.reason;
}

/**
 * An IMAP keyword as a mail may be marked with (RFC 3501's flag-keyword, an atom): ASCII
 * printable characters but ( ) { % * " \ ] and space. A server refuses anything else (a space,
 * Japanese), and the flag would never be set: every run would fetch the mail again.
 */
const IMAP_KEYWORD = /^[!#$&'+,\-./0-9:;<=>?@A-Z[^_`a-z|}~]+$/;

export function isImapKeyword(keyword: string): boolean {
  return IMAP_KEYWORD.test(keyword);
}

/**
 * Why a name written for an archive folder (levels joined by '/') will not work: `empty`, it names
 * no folder; `spaces`, a level begins or ends with white space, which some servers keep (a folder
 * that looks like another) and others drop; `trailing-dot`, for IMAP, a level ends with '.', the
 * level separator of Dovecot and Courier: the folder is made without it, and then every MOVE into
 * the name is refused, so the stored mail stays in the folder read and comes back each run.
 */
export type ArchiveNameProblem = 'empty' | 'spaces' | 'trailing-dot';

export function archiveNameProblem(archive: string, imap: boolean): ArchiveNameProblem | null {
  const levels = archive.split('/').filter(Boolean);
  if (levels.length === 0) return 'empty';
  if (levels.some((level) => level.trim() !== level)) return 'spaces';
  if (imap && levels.some((level) => level.endsWith('.'))) return 'trailing-dot';
  return null;
}

/**
 * An archive folder name that will not work (archiveNameProblem), given to ingestImap by a caller
 * that did not check it first (the CLI and the settings API do: archiveProblem); the message says
 * why in English, ingestText's `archive.problem.*` in any language.
 */
export class ArchiveNameError extends RangeError {
  readonly problem: ArchiveNameProblem;
  readonly archive: string;
  constructor(problem: ArchiveNameProblem, archive: string) {
    super(translate(ingestText, `archive.problem.${problem}`, 'en', { archive }));
    this.name = 'ArchiveNameError';
    this.problem = problem;
    this.archive = archive;
  }
}

/**
 * Whether the archive folder is the folder read (paths written with '/'; INBOX in any case, as
 * IMAP servers match it, or every name in any case: `anyCase`, as Exchange and Gmail match
 * folder and label names): every mail moved there would arrive again as new, and a watch would
 * read the same mail for ever.
 */
export function archiveIsFolder(folder: string, archive: string, anyCase = false): boolean {
  return folderKey(folder, anyCase) === folderKey(archive, anyCase);
}

/**
 * A folder path (written with '/') as servers compare it: empty parts dropped, INBOX in any case
 * (IMAP), or every name in any case (`anyCase`: Exchange's folders, Gmail's labels).
 */
export function folderKey(path: string, anyCase = false): string {
  return path
    .split('/')
    .filter(Boolean)
    .map((part, i) => (anyCase || (i === 0 && part.toUpperCase() === 'INBOX') ? part.toUpperCase() : part))
    .join('/');
}

/**
 * The words after a `no-folder` error's own: the folder meant, or the account's folders, in
 * `lang`. Null for another error, or when the account has no folders to name.
 */
export function folderHintWords(error: ImapAccessError, lang: Lang): string | null {
  const hint = error.code === 'no-folder' ? folderHint(error.target.folder, error.folders) : null;
  if (!hint) return null;
  const t = translator(ingestText, lang);
  if ('written' in hint) return t('imap.folderWritten', { folder: hint.written });
  return 'like' in hint
    ? t('imap.folderLike', { folder: hint.like })
    : t('imap.folderList', { folders: namesAmong(hint.folders) });
}

/**
 * What to tell the owner of a folder not found: the folder whose name differs only in case
 * (servers match folder names exactly, but INBOX); one whose name goes on with # or ? where the
 * URL's ended, written as the URL must write it (`written`: a URL's fragment and query start
 * there, so `imap://.../DMARC#1` names the folder DMARC); or the account's folders by name. Null
 * when there are none to name.
 */
export function folderHint(
  folder: string,
  folders: readonly string[],
): { like: string } | { written: string } | { folders: string[] } | null {
  const wanted = folder.split('/').filter(Boolean).join('/');
  const like = folders.find((name) => name.toLowerCase() === wanted.toLowerCase());
  if (like !== undefined) return { like };
  const cut = folders.find((name) => name.startsWith(`${wanted}#`) || name.startsWith(`${wanted}?`));
  if (cut !== undefined)
    return { written: cut.replace(/[#?%]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`) };
  return folders.length === 0 ? null : { folders: [...folders].sort() };
}

/** No access token could be had from its source (the message says which and why, in English). */
export class TokenError extends Error {
  readonly source: TokenSource;
  /** Why, in English. */
  readonly detail: string;
  /** When the reason is Sumi's own rather than the command's, the system's or the endpoint's words. */
  readonly ownReason: TokenReason | undefined;
  constructor(source: TokenSource, detail: string | TokenReason, options?: { cause?: unknown }) {
    const ownReason = typeof detail === 'string' ? undefined : detail;
    const said = ownReason ? tokenReason(ownReason, 'en') : (detail as string);
    super(`${tokenSourceName(source)}: ${said}`, options);
    this.name = 'TokenError';
    this.source = source;
    this.detail = said;
    this.ownReason = ownReason;
  }
}

/**
 * Whether no token came because the token service was not reached or failed (unreachable, TLS,
 * no answer in time, 5xx) rather than refused what it was given: a runtime failure, where a
 * refused secret or a source giving nothing is the configuration's.
 */
export function tokenServiceFailed(error: TokenError): boolean {
  const reason = error.ownReason;
  if (!reason) return false;
  if (reason.key === 'unreachable' || reason.key === 'tls' || reason.key === 'timedOut') return true;
  return (reason.key === 'status' || reason.key === 'statusSaid') && Number(reason.values.status) >= 500;
}

/** A TokenError in the reader's language: its source, then why. */
export function describeTokenError(error: TokenError, lang: Lang): string {
  const detail = error.ownReason ? tokenReason(error.ownReason, lang) : error.detail;
  return `${tokenSourceName(error.source)}: ${detail}`;
}

function tokenSourceName(source: TokenSource): string {
  if ('command' in source) return 'token command';
  if ('file' in source) return source.file;
  if ('env' in source) return `$${source.env}`;
  if ('serviceAccount' in source) {
    const { tokenUrl, clientEmail, subject } = source.serviceAccount;
    return `${tokenUrl} (service account ${clientEmail} as ${subject})`;
  }
  const { tokenUrl, clientId } = source.clientCredentials;
  return `${tokenUrl} (client_id ${clientId})`;
}

/** Sumi's own reason why no token came, in the reader's language. */
export function tokenReason(reason: TokenReason, lang: Lang): string {
  return translator(ingestText, lang)(`token.reason.${reason.key}`, reason.values);
}

function runTokenCommand(
  command: string,
  env: Record<string, string | undefined>,
  signal: AbortSignal | undefined,
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      '/bin/sh',
      ['-c', command],
      { env, timeout: IMAP_TOKEN_COMMAND_TIMEOUT_MS, maxBuffer: 1024 * 1024, ...(signal ? { signal } : {}) },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        if (signal?.aborted) return reject(signal.reason);
        const said = String(stderr).trim().split('\n').slice(-3).join(' ').slice(0, 300);
        const why = error.killed
          ? `timed out after ${IMAP_TOKEN_COMMAND_TIMEOUT_MS / 1000} s`
          : `exit ${error.code}`;
        reject(new TokenError({ command }, said ? `${why}: ${said}` : why));
      },
    );
  });
}

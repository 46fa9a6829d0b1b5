/**
 * A Microsoft 365 mailbox read through Microsoft Graph, as its owner gives it, without connecting
 * (graph.ts does): the `graph://` URL, the API's base URL, and why a mailbox could not be read,
 * said in the reader's language. Apart from the client, as imap-account.ts is, so that what only
 * names a mailbox (`sumi ingest`'s flags and help) does not load it.
 */
import { ingestText } from '../i18n/ingest.ts';
import type { Lang } from '../i18n/lang.ts';
import { translator } from '../i18n/translate.ts';

/** Microsoft Graph's global service; national clouds have their own (graph.microsoft.us, microsoftgraph.chinacloudapi.cn). */
export const GRAPH_DEFAULT_URL = 'https://graph.microsoft.com';

/**
 * The category a mail left alone (leaveOtherMail) is given, so that later runs skip it: Graph's
 * categories play the part IMAP's keywords do (IMAP_OTHER_MAIL_KEYWORD).
 */
export const GRAPH_OTHER_MAIL_CATEGORY = 'SumiOtherMail';

export interface GraphTarget {
  /** A user principal name (dmarc@example.jp) or a user's id. */
  mailbox: string;
  /** The folder's path: a well-known name or a top-level folder's display name, then child folders' display names. */
  folder: string[];
}

/**
 * Reads `graph://MAILBOX/FOLDER[/SUBFOLDER...]` (the folder `Inbox` when none is given); the
 * mailbox and the folders may be %-encoded. Throws RangeError on anything else.
 */
export function parseGraphUrl(url: string): GraphTarget {
  const match = /^graph:\/\/([^/?#]+)(\/[^?#]*)?$/i.exec(url);
  if (!match) throw new RangeError(`not a graph://MAILBOX/FOLDER URL: ${url}`);
  let mailbox: string;
  let folder: string[];
  try {
    mailbox = decodeURIComponent(match[1]!);
    folder = (match[2] ?? '').split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    throw new RangeError(`not a graph://MAILBOX/FOLDER URL (bad %-encoding): ${url}`);
  }
  if (!mailbox.trim()) throw new RangeError(`no mailbox: ${url}`);
  return { mailbox, folder: folder.length > 0 ? folder : ['Inbox'] };
}

/** The API's base URL; throws RangeError unless it is an https:// URL. */
export function graphBaseUrl(url: string = GRAPH_DEFAULT_URL): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RangeError(`not a URL: ${url}`);
  }
  if (parsed.protocol !== 'https:')
    throw new RangeError(`Microsoft Graph is reached over https:// only: ${url}`);
  if (parsed.search || parsed.hash || parsed.username || parsed.password)
    throw new RangeError(`give the base URL alone (https://host[/path]): ${url}`);
  return parsed;
}

/**
 * Why a mailbox could not be read through Graph: the service not reached, its TLS, the token
 * refused (401 also with a fresh token), the permission missing (403), the mailbox or a folder
 * not there (404), or another answer (`status`).
 */
export const GRAPH_ACCESS_ERROR_CODES = [
  'unreachable',
  'tls',
  'token-refused',
  'forbidden',
  'not-found',
  'failed',
] as const;
export type GraphAccessErrorCode = (typeof GRAPH_ACCESS_ERROR_CODES)[number];

/** Sumi's own reasons for a GraphAccessError, said in the reader's language (ingestText's `graph.reason.*`). */
export type GraphReason = {
  key: 'outsideLink' | 'tooLarge' | 'notJson' | 'noFolderId' | 'noCreatedId' | 'noFolder';
  values: Record<string, string | number>;
};

/**
 * The service, its TLS, the token, the permission or the mailbox refused: the configuration or
 * the world's state, not a fault of the mail. `reason` is what the system said, or Graph's error
 * code and message; `status` the HTTP status when there was an answer.
 */
export class GraphAccessError extends Error {
  readonly code: GraphAccessErrorCode;
  readonly target: GraphTarget;
  /** The service's host (and port when not 443). */
  readonly server: string;
  readonly status: number | null;
  readonly reason: string;
  /** When the reason is Sumi's own rather than the service's or the system's words. */
  readonly ownReason: GraphReason | undefined;
  constructor(
    code: GraphAccessErrorCode,
    target: GraphTarget,
    server: string,
    status: number | null,
    reason: string | GraphReason,
    options?: { cause?: unknown },
  ) {
    const ownReason = typeof reason === 'string' ? undefined : reason;
    const said = ownReason
      ? translator(ingestText, 'en')(`graph.reason.${ownReason.key}`, ownReason.values)
      : (reason as string);
    super(
      `${code}: ${server} ${target.mailbox} ${target.folder.join('/')}${status ? ` HTTP ${status}` : ''}: ${said}`,
      options,
    );
    this.name = 'GraphAccessError';
    this.code = code;
    this.target = target;
    this.server = server;
    this.status = status;
    this.reason = said;
    this.ownReason = ownReason;
  }
}

/** The error in one line, in the reader's language (what `sumi ingest` says before exiting 1). */
export function describeGraphAccessError(error: GraphAccessError, lang: Lang): string {
  const t = translator(ingestText, lang);
  return t(`graph.access.${error.code}`, {
    server: error.server,
    mailbox: error.target.mailbox,
    folder: error.target.folder.join('/'),
    status: error.status ?? 0,
    reason: error.ownReason ? t(`graph.reason.${error.ownReason.key}`, error.ownReason.values) : error.reason,
  });
}

/**
 * A Microsoft 365 mailbox read through Microsoft Graph, as its owner gives it, without connecting
 * (graph.ts does): the `graph://` URL, the API's base URL, and why a mailbox could not be read,
 * said in the reader's language. Apart from the client, as imap-account.ts is, so that what only
 * names a mailbox (`sumi ingest`'s flags and help) does not load it.
 */
import { ingestText } from '../i18n/ingest.ts';
import type { Lang } from '../i18n/lang.ts';
import { translator } from '../i18n/translate.ts';
import {
  apiBaseUrl,
  type ClientReason,
  MailApiError,
  type MailApiErrorCode,
  type OwnReason,
  parseMailboxUrl,
} from './api-access.ts';

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
  const { mailbox, path } = parseMailboxUrl(url, 'graph', 'graph://MAILBOX/FOLDER');
  return { mailbox, folder: path.length > 0 ? path : ['Inbox'] };
}

/** Whether `url` names a Microsoft Graph mailbox (graph://), well formed or not. */
export function isGraphUrl(url: string): boolean {
  return /^graph:\/\//i.test(url);
}

/** The API's base URL; throws RangeError unless it is an https:// URL. */
export function graphBaseUrl(url: string = GRAPH_DEFAULT_URL): URL {
  return apiBaseUrl(url, 'Microsoft Graph');
}

/** Sumi's own reasons for a GraphAccessError, said in the reader's language (ingestText's `graph.reason.*`). */
export type GraphReason =
  | ClientReason
  | OwnReason<'outsideLink' | 'noFolderId' | 'noCreatedId' | 'noFolder' | 'noFolderAmong'>;

/**
 * The service, its TLS, the token, the permission or the mailbox refused: the configuration or
 * the world's state, not a fault of the mail. `reason` is what the system said, or Graph's error
 * code and message; `status` the HTTP status when there was an answer.
 */
export class GraphAccessError extends MailApiError<GraphReason> {
  readonly target: GraphTarget;
  constructor(
    code: MailApiErrorCode,
    target: GraphTarget,
    server: string,
    status: number | null,
    reason: string | GraphReason,
    options?: { cause?: unknown },
  ) {
    super(code, `${target.mailbox} ${target.folder.join('/')}`, server, status, reason, graphReason, options);
    this.name = 'GraphAccessError';
    this.target = target;
  }
}

function graphReason(reason: GraphReason, lang: Lang): string {
  return translator(ingestText, lang)(`graph.reason.${reason.key}`, reason.values);
}

/** The error in one line, in the reader's language (what `sumi ingest` says before exiting 1). */
export function describeGraphAccessError(error: GraphAccessError, lang: Lang): string {
  const { mailbox, folder } = error.target;
  return translator(ingestText, lang)(`graph.access.${error.code}`, {
    ...error.accessValues(lang),
    mailbox,
    folder: folder.join('/'),
  });
}

/**
 * A Google Workspace mailbox read through the Gmail API, as its owner gives it, without connecting
 * (gmail.ts does): the `gmail://` URL, the API's base URL, and why a mailbox could not be read,
 * said in the reader's language. Apart from the client, as graph-account.ts is, so that what only
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

/** The Gmail API's service. */
export const GMAIL_DEFAULT_URL = 'https://gmail.googleapis.com';

/** The label read when the URL names none: the inbox. */
export const GMAIL_INBOX = 'INBOX';

/**
 * The label a mail left alone (leaveOtherMail) is given, so that later runs skip it: Gmail's
 * labels play the part IMAP's keywords do (IMAP_OTHER_MAIL_KEYWORD).
 */
export const GMAIL_OTHER_MAIL_LABEL = 'SumiOtherMail';

export interface GmailTarget {
  /** The mailbox's address (dmarc@example.jp), whom a service account acts as. */
  mailbox: string;
  /** The label's name: INBOX (any case), another of Gmail's own, or a user label's, nested ones joined by '/'. */
  label: string;
}

/** A user's address, as a Gmail API userId and a service account's subject. */
const GMAIL_ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Reads `gmail://MAILBOX/LABEL[/SUBLABEL...]` (the label INBOX when none is given); the mailbox
 * and the labels may be %-encoded. Throws RangeError on anything else.
 */
export function parseGmailUrl(url: string): GmailTarget {
  const { mailbox, path } = parseMailboxUrl(url, 'gmail', 'gmail://MAILBOX/LABEL');
  // The user's address (a service account acts as it: the JWT's sub), or `me`, the user a
  // token of its own was given for, as Gmail's userId takes them.
  if (mailbox !== 'me' && !GMAIL_ADDRESS.test(mailbox))
    throw new RangeError(`the mailbox is the user's address (dmarc@example.jp) or me: ${url}`);
  return { mailbox, label: path.length > 0 ? path.join('/') : GMAIL_INBOX };
}

/** Whether `url` names a Gmail API mailbox (gmail://), well formed or not. */
export function isGmailUrl(url: string): boolean {
  return /^gmail:\/\//i.test(url);
}

/** The API's base URL; throws RangeError unless it is an https:// URL. */
export function gmailBaseUrl(url: string = GMAIL_DEFAULT_URL): URL {
  return apiBaseUrl(url, 'the Gmail API');
}

/** Sumi's own reasons for a GmailAccessError, said in the reader's language (ingestText's `gmail.reason.*`). */
export type GmailReason = ClientReason | OwnReason<'noLabel' | 'noLabelAmong' | 'badField'>;

/**
 * The service, its TLS, the token, the permission (the scope, the domain-wide delegation) or the
 * mailbox refused: the configuration or the world's state, not a fault of the mail. `reason` is
 * what the system said, or Gmail's error status and message; `status` the HTTP status when there
 * was an answer.
 */
export class GmailAccessError extends MailApiError<GmailReason> {
  readonly target: GmailTarget;
  constructor(
    code: MailApiErrorCode,
    target: GmailTarget,
    server: string,
    status: number | null,
    reason: string | GmailReason,
    options?: { cause?: unknown },
  ) {
    super(code, `${target.mailbox} ${target.label}`, server, status, reason, gmailReason, options);
    this.name = 'GmailAccessError';
    this.target = target;
  }
}

function gmailReason(reason: GmailReason, lang: Lang): string {
  return translator(ingestText, lang)(`gmail.reason.${reason.key}`, reason.values);
}

/** The error in one line, in the reader's language (what `sumi ingest` says before exiting 1). */
export function describeGmailAccessError(error: GmailAccessError, lang: Lang): string {
  const { mailbox, label } = error.target;
  return translator(ingestText, lang)(`gmail.access.${error.code}`, {
    ...error.accessValues(lang),
    mailbox,
    label,
  });
}

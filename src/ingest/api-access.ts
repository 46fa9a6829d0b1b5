/**
 * What the mailboxes read through an HTTP API (Microsoft Graph: graph-account.ts, Gmail:
 * gmail-account.ts) share as their owner gives them, without connecting: a `SCHEME://MAILBOX/PATH`
 * URL, an https:// base URL, and why a mailbox could not be read, said in the reader's language;
 * and how the folders or labels a mailbox has are named where one was not found (IMAP's too).
 */
import type { Lang } from '../i18n/lang.ts';

/** A mailbox URL's parts: the mailbox, and the folder's or label's path, levels %-decoded. */
export interface MailboxUrl {
  mailbox: string;
  path: string[];
}

/**
 * Reads `SCHEME://MAILBOX[/LEVEL...]`, the mailbox and the levels %-decoded; `form` is how the
 * URL is written (`graph://MAILBOX/FOLDER`), said in the RangeError thrown on anything else.
 */
export function parseMailboxUrl(url: string, scheme: string, form: string): MailboxUrl {
  const match = new RegExp(`^${scheme}://([^/?#]+)(/[^?#]*)?$`, 'i').exec(url);
  if (!match) throw new RangeError(`not a ${form} URL: ${url}`);
  try {
    const mailbox = decodeURIComponent(match[1]!);
    const path = (match[2] ?? '').split('/').filter(Boolean).map(decodeURIComponent);
    if (!mailbox.trim()) throw new RangeError(`no mailbox: ${url}`);
    return { mailbox, path };
  } catch (error) {
    if (error instanceof URIError) throw new RangeError(`not a ${form} URL (bad %-encoding): ${url}`);
    throw error;
  }
}

/** An API's base URL; throws RangeError unless it is an https:// URL (`service` names the API). */
export function apiBaseUrl(url: string, service: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RangeError(`not a URL: ${url}`);
  }
  if (parsed.protocol !== 'https:') throw new RangeError(`${service} is reached over https:// only: ${url}`);
  if (parsed.search || parsed.hash || parsed.username || parsed.password)
    throw new RangeError(`give the base URL alone (https://host[/path]): ${url}`);
  return parsed;
}

/**
 * Why a mailbox could not be read through an API: the service not reached, its TLS, the token
 * refused (401 also with a fresh token), the permission missing (403), the mailbox, a folder or
 * a label not there (404), or another answer (`status`).
 */
export const MAIL_API_ERROR_CODES = [
  'unreachable',
  'tls',
  'token-refused',
  'forbidden',
  'not-found',
  'failed',
] as const;
export type MailApiErrorCode = (typeof MAIL_API_ERROR_CODES)[number];

/** Sumi's own reason for a MailApiError: a text of the service's in ingestText, and its values. */
export interface OwnReason<K extends string = string> {
  key: K;
  values: Record<string, string | number>;
}

/** The client's own reasons (https-json.ts), which every service's reasons include. */
export type ClientReason = OwnReason<'tooLarge' | 'notJson'>;

/**
 * The service, its TLS, the token, the permission or the mailbox refused: the configuration or
 * the world's state, not a fault of the mail. `reason` is what the system said, the service's
 * error quoted, or Sumi's own reason in English (`ownReason`, said in any language by `say`);
 * `status` the HTTP status when there was an answer.
 */
export class MailApiError<R extends OwnReason = OwnReason> extends Error {
  readonly code: MailApiErrorCode;
  /** The service's host (and port when not 443). */
  readonly server: string;
  readonly status: number | null;
  readonly reason: string;
  /** When the reason is Sumi's own rather than the service's or the system's words. */
  readonly ownReason: R | undefined;
  readonly #say: (reason: R, lang: Lang) => string;
  constructor(
    code: MailApiErrorCode,
    /** The mailbox and its folder or label, as the message names them. */
    where: string,
    server: string,
    status: number | null,
    reason: string | R,
    say: (reason: R, lang: Lang) => string,
    options?: { cause?: unknown },
  ) {
    const ownReason = typeof reason === 'string' ? undefined : reason;
    const said = ownReason ? say(ownReason, 'en') : (reason as string);
    super(`${code}: ${server} ${where}${status ? ` HTTP ${status}` : ''}: ${said}`, options);
    this.code = code;
    this.server = server;
    this.status = status;
    this.reason = said;
    this.ownReason = ownReason;
    this.#say = say;
  }

  /** What the service's access texts fill in besides the mailbox's place: its host, status and why. */
  accessValues(lang: Lang): { server: string; status: number; reason: string } {
    return {
      server: this.server,
      status: this.status ?? 0,
      reason: this.ownReason ? this.#say(this.ownReason, lang) : this.reason,
    };
  }
}

/** Names listed in a reason (the folders or labels there) at most: a mailbox may have hundreds. */
export const NAMES_AMONG_MAX = 20;

/**
 * The names of what a mailbox has where a folder or label was not found, for its reason: the
 * first NAMES_AMONG_MAX, an ellipsis for the rest; empty when there are none.
 */
export function namesAmong(names: readonly string[]): string {
  const shown = names.slice(0, NAMES_AMONG_MAX).join(', ');
  return names.length > NAMES_AMONG_MAX ? `${shown}, …` : shown;
}

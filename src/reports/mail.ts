import { isUtf8 } from 'node:buffer';
import type { Attachment, Email } from 'postal-mime';
import { mailFaultText } from '../i18n/reports.ts';
import { faultOf, ReportError } from './errors.ts';
import { decodeWhole, legacyDecoding } from './legacy-text.ts';
import type { HeaderField } from './types.ts';

/** MIME parts in one mail. Report mails have 1-3; an ARF has 3; thousands is an attack. */
export const MAIL_MAX_PARTS = 1_000;
/** Nesting of multiparts inside one mail (postal-mime's own cap, made explicit). */
export const MAIL_MAX_NESTING = 20;
/** Bytes of header text in one mail, all parts together. */
export const MAIL_MAX_HEADER_BYTES = 2 * 1024 * 1024;

export interface MailSummary {
  from: string | null;
  subject: string | null;
  date: string | null;
  messageId: string | null;
}

export interface ParsedMail {
  email: Email;
  /** Top-level header fields, in order. */
  headers: HeaderField[];
  /** Lower-cased top-level media type, e.g. `multipart/report`. */
  mediaType: string;
  /** `report-type` parameter of a multipart/report (`feedback-report`, `tlsrpt`...), lower-cased. */
  reportType: string | null;
  summary: MailSummary;
}

/**
 * postal-mime, loaded on first use (a read thread given files of reports, not mail, starts
 * sooner) and once: each import() call goes through the module loader's hooks again (tsx's, on
 * a thread of their own). Per mail, for 20,000 mails in an mbox, that was 1 s of that thread's
 * time and 0.3 s of this one's.
 */
let postalMimeModule: Promise<typeof import('postal-mime')> | undefined;
const loadPostalMime = () => (postalMimeModule ??= import('postal-mime'));

/**
 * Parses a mail with postal-mime, keeping `message/rfc822` parts whole (ARF needs the original
 * message as sent). The number of parts is estimated before parsing, from the lines that open
 * a part, so that a mail with 100,000 attachments is refused without building them all.
 */
export async function parseMail(bytes: Buffer, maxParts = MAIL_MAX_PARTS): Promise<ParsedMail> {
  const estimate = countPartOpenings(bytes);
  if (estimate > maxParts) throw new ReportError('mail-too-many-parts', { count: estimate, limit: maxParts });
  const { default: PostalMime } = await loadPostalMime();
  let email: Email;
  try {
    email = await PostalMime.parse(bytes, {
      forceRfc822Attachments: true,
      attachmentEncoding: 'arraybuffer',
      maxNestingDepth: MAIL_MAX_NESTING,
      maxHeadersSize: MAIL_MAX_HEADER_BYTES,
    });
  } catch (err) {
    const message = (err as Error).message;
    throw new ReportError('mail-not-parseable', { detail: message, ...mailFault(message) }, { cause: err });
  }
  if (email.attachments.length > maxParts) {
    throw new ReportError('mail-too-many-parts', { count: email.attachments.length, limit: maxParts });
  }
  const charset = mailCharset(bytes);
  for (const attachment of email.attachments) {
    if (attachment.filename) attachment.filename = legacyHeaderText(bytes, attachment.filename, charset);
  }
  if (email.subject) email.subject = legacyHeaderText(bytes, email.subject, charset);
  const headers = email.headers.map((h) => ({ name: h.originalKey, value: h.value }));
  const contentType = email.headers.find((h) => h.key === 'content-type')?.value ?? 'text/plain';
  const mediaType = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  const reportType = /report-type\s*=\s*"?([\w.+-]+)/i.exec(contentType)?.[1]?.toLowerCase() ?? null;
  return {
    email,
    headers,
    mediaType,
    reportType,
    summary: {
      from: email.from ? formatAddress(email.from) : null,
      subject: email.subject ?? null,
      date: email.date ?? null,
      messageId: email.messageId ?? null,
    },
  };
}

/** The fault of mailFaultText a message from postal-mime names, with its values. */
export function mailFault(message: string) {
  return faultOf(mailFaultText, message);
}

export function attachmentBytes(attachment: Attachment): Buffer {
  const { content } = attachment;
  if (typeof content === 'string')
    return Buffer.from(content, attachment.encoding === 'base64' ? 'base64' : 'utf8');
  if (content instanceof ArrayBuffer) return Buffer.from(content);
  return Buffer.from(content.buffer, content.byteOffset, content.byteLength);
}

/**
 * The first charset a Content-Type in the mail names that is not UTF-8 or ASCII: the charset its
 * mailer writes in, and so the likeliest for header text it wrote raw. Null when there is none.
 */
function mailCharset(mail: Buffer): string | null {
  const raw = mail.toString('latin1', 0, Math.min(mail.length, MAIL_MAX_HEADER_BYTES));
  for (const [, label = ''] of raw.matchAll(
    /^content-type:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*?charset\s*=\s*"?([\w.:-]+)/gim,
  )) {
    if (!/^(utf-?8|us-ascii|ascii)$/i.test(label)) return label;
  }
  return null;
}

/**
 * A header's text as its writer meant it, where a mailer wrote it raw (Shift_JIS, EUC-JP,
 * ISO-2022-JP or Latin-1 bytes, not RFC 2047 or 2231 encoded: an attachment named
 * `レポート.xml.gz` in Shift_JIS). postal-mime reads raw header bytes as UTF-8, so such text
 * arrives with U+FFFD where the bytes were not UTF-8, or, in ISO-2022-JP, with its escape
 * sequences. The bytes are found again in the mail (the text's UTF-8 reading, any run of 8-bit
 * bytes where it has U+FFFD) and read in `charset`, the one the mail's Content-Type names, when
 * they are valid in it, else in Shift_JIS or EUC-JP when one takes them whole into Japanese text
 * (a German "Grüße" in Latin-1 is also two bytes of EUC-JP); the text as it came otherwise.
 */
export function legacyHeaderText(mail: Buffer, text: string, charset: string | null = null): string {
  if (text.includes('\u001b$') || text.includes('\u001b(')) {
    return decodeWhole('iso-2022-jp', Buffer.from(text, 'latin1')) ?? text;
  }
  if (!text.includes('\ufffd')) return text;
  // Where a header gives it, not a body's 8-bit text (nor a forwarded mail's Subject line): a
  // (file)name parameter's value anywhere (parts' headers follow the mail's), a Subject in the
  // mail's own header, which ends at its first empty line. The one whose bytes read as UTF-8 give
  // the text: found by place, then compared, as a pattern made of the text (its pieces between
  // U+FFFD runs, each run any 8-bit bytes) took time exponential in its runs to refuse a place.
  const raw = mail.toString('latin1');
  const headerEnd = /\r?\n\r?\n/.exec(raw)?.index ?? raw.length;
  const subject = /^subject:[ \t]*((?:[^\r\n]|\r?\n[ \t])*)/im.exec(raw.slice(0, headerEnd))?.[1];
  const places = [...raw.matchAll(/(?:file)?name\s*=\s*(?:"([^"]*)|([^;\s"]*))/gi)].map(
    (m) => m[1] ?? m[2] ?? '',
  );
  if (subject !== undefined) places.push(subject);
  const wanted = comparable(text);
  for (const place of places) {
    // Unfolded, a header's line break went.
    const bytes = Buffer.from(place.replace(/\r?\n/g, ''), 'latin1');
    if (comparable(bytes.toString('utf8')) !== wanted) continue;
    // UTF-8 bytes hold U+FFFD itself (text decoded once already, as a failure report's original
    // headers are), whose bytes EUC-JP reads as kanji ("鐃緒申"): nothing to read again.
    return isUtf8(bytes) ? text : (legacyDecoding(bytes, [charset])?.text ?? text);
  }
  return text;
}

/** Header text as compared with its raw bytes read as UTF-8: a run of U+FFFD or of spaces as one. */
function comparable(text: string): string {
  return text
    .replace(/\ufffd+/g, '\ufffd')
    .replace(/[ \t]+/g, ' ')
    .trim();
}

/** One RFC 2047 encoded word: charset (an RFC 2231 language after `*` is dropped), B or Q, text. */
const ENCODED_WORD = /=\?([^?\s*]+)(?:\*[^?\s]*)?\?([bq])\?([^?\s]*)\?=/gi;

/**
 * A header value with its RFC 2047 encoded words decoded, for a value kept as the mail wrote it
 * (a From stored raw). Adjacent words, the space between them dropped (RFC 2047 §6.2), are
 * decoded together: a character's bytes, or an ISO-2022-JP escape, may be split between them. A
 * run in a charset not known, or whose bytes are not valid in it, is left as it came. Not
 * postal-mime's decodeWords: it leaves a character split between words whose charset labels differ
 * in case (`UTF-8`, `utf-8`) as U+FFFD, and decodes a charset it does not know into NULs.
 */
export function decodeEncodedWords(value: string): string {
  if (!value.includes('=?')) return value;
  const run = new RegExp(`${ENCODED_WORD.source}(?:\\s+${ENCODED_WORD.source})*`, 'gi');
  return value.replace(run, (words) => {
    let text = '';
    let charset = '';
    let bytes: Buffer[] = [];
    const flush = (): boolean => {
      if (bytes.length === 0) return true;
      const decoded = decodeIn(charset, Buffer.concat(bytes));
      bytes = [];
      if (decoded === null) return false;
      text += decoded;
      return true;
    };
    for (const [, wordCharset = '', encoding = '', encoded = ''] of words.matchAll(ENCODED_WORD)) {
      if (wordCharset.toLowerCase() !== charset && !flush()) return words;
      charset = wordCharset.toLowerCase();
      bytes.push(
        encoding.toLowerCase() === 'b'
          ? Buffer.from(encoded, 'base64')
          : Buffer.from(
              encoded
                .replaceAll('_', ' ')
                .replace(/=([0-9a-f]{2})/gi, (_, hex: string) =>
                  String.fromCharCode(Number.parseInt(hex, 16)),
                ),
              'latin1',
            ),
      );
    }
    return flush() ? text : words;
  });
}

/** Bytes in a charset a mail names; null for a charset TextDecoder does not know. */
function decodeIn(charset: string, bytes: Buffer): string | null {
  try {
    return decodeWhole(charset, bytes);
  } catch {
    return null;
  }
}

function formatAddress(address: NonNullable<Email['from']>): string {
  if ('address' in address && address.address) return address.address;
  return address.name;
}

/** Lines that start with `--` and do not close a multipart: an upper bound of the parts. */
function countPartOpenings(bytes: Buffer): number {
  let count = 0;
  for (let at = bytes.indexOf('\n--'); at >= 0; at = bytes.indexOf('\n--', at + 3)) {
    const end = bytes.indexOf('\n', at + 3);
    const line = bytes.toString('latin1', at + 3, end < 0 ? bytes.length : Math.min(end, at + 200)).trimEnd();
    if (!line.endsWith('--')) count++;
  }
  return count;
}

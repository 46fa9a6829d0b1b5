import { TextDecoder } from 'node:util';

/** What bytes are, judged from their first bytes only: declared content types are often wrong. */
export type Sniffed = 'gzip' | 'zip' | 'mail' | 'aggregate' | 'tls' | 'unknown';

const LOOK_BYTES = 16_384;
const MAIL_HEADERS =
  /^(received|from|to|subject|date|message-id|mime-version|content-type|return-path|dkim-signature|delivered-to|x-[\w-]+):/im;

export function sniff(bytes: Uint8Array): Sniffed {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return 'gzip';
  // Local file header, or the end record of an empty archive.
  if (
    bytes[0] === 0x50 &&
    bytes[1] === 0x4b &&
    (bytes[2] === 3 || bytes[2] === 5) &&
    (bytes[3] === 4 || bytes[3] === 6)
  ) {
    return 'zip';
  }
  const look = bytes.subarray(0, LOOK_BYTES);
  const utf16 = utf16Of(look);
  if (utf16 === null) {
    const markup = markupStart(look);
    if (markup !== undefined) return markup;
  }
  // A UTF-16 file is XML or JSON as its text says (Windows tools save reports so), never mail.
  const head =
    utf16 === null
      ? Buffer.from(look.buffer, look.byteOffset, look.byteLength).toString('latin1')
      : new TextDecoder(utf16).decode(look);
  const text = head.replace(/^(\xef\xbb\xbf|\ufeff)/, '').trimStart();
  if (text.startsWith('<')) return /^<(html|!doctype\s+html)\b/i.test(text) ? 'unknown' : 'aggregate';
  if (text.startsWith('{')) return /"(organization-name|policies|report-id)"/.test(text) ? 'tls' : 'unknown';
  if (utf16 === null && looksLikeMail(head)) return 'mail';
  return 'unknown';
}

const LESS_THAN = 0x3c;
/** Bytes a markup start is judged from: `<html` and the character after it, or `<!doctype`. */
const MARKUP_LOOK_BYTES = 16;
/** A UTF-8 byte order mark, which the text below may start with. */
const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

/**
 * What bytes starting with `<` (past a UTF-8 BOM and whitespace) are, judged from their first
 * bytes, the way the text below judges them: every report's XML comes this way, and making the
 * text of its first 16 KB for it was a tenth of what reading a small report allocated. Undefined
 * when the bytes do not start with `<`, or start with `<!doctype`, whose whitespace before
 * `html` may run on: the text decides then.
 */
function markupStart(look: Uint8Array): Sniffed | undefined {
  let at = look[0] === UTF8_BOM[0] && look[1] === UTF8_BOM[1] && look[2] === UTF8_BOM[2] ? 3 : 0;
  // What trimStart removes from the latin1 text: tab to carriage return, space, no-break space.
  while (
    at < look.length &&
    ((look[at]! >= 0x09 && look[at]! <= 0x0d) || look[at] === 0x20 || look[at] === 0xa0)
  )
    at++;
  if (look[at] !== LESS_THAN) return undefined;
  const start = Buffer.from(look.buffer, look.byteOffset + at, Math.min(MARKUP_LOOK_BYTES, look.length - at));
  const opening = start.toString('latin1');
  if (/^<!doctype/i.test(opening)) return undefined;
  return /^<html\b/i.test(opening) ? 'unknown' : 'aggregate';
}

/**
 * The UTF-16 that bytes of XML or JSON are in: by their BOM, or by the zero byte beside their
 * first character when it is ASCII (`<`, `{`, a space), as RFC 4627 and XML's appendix F find it.
 */
export function utf16Of(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  if (bytes.length < 4) return null;
  // Two characters, so that UTF-32's `<` 0 0 0 is not taken for UTF-16.
  if (bytes[0]! > 0 && bytes[0]! < 0x80 && bytes[1] === 0 && bytes[2]! > 0 && bytes[3] === 0)
    return 'utf-16le';
  if (bytes[0] === 0 && bytes[1]! > 0 && bytes[1]! < 0x80 && bytes[2] === 0 && bytes[3]! > 0)
    return 'utf-16be';
  return null;
}

/** A header block: the first line is a header field (or an mbox `From ` line) and known fields follow. */
function looksLikeMail(head: string): boolean {
  const firstLine = head.slice(0, head.search(/\r?\n/) >>> 0);
  const fieldLine = /^[!-9;-~]+:/.test(firstLine);
  const mboxLine = firstLine.startsWith('From ');
  if (!fieldLine && !mboxLine) return false;
  const headerEnd = head.search(/\r?\n\r?\n/);
  const headerBlock = headerEnd < 0 ? head : head.slice(0, headerEnd);
  return MAIL_HEADERS.test(headerBlock);
}

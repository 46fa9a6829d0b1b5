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
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
    return 'aggregate';
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, LOOK_BYTES)).toString(
    'latin1',
  );
  const text = head.replace(/^\xef\xbb\xbf/, '').trimStart();
  if (text.startsWith('<')) return /^<(html|!doctype\s+html)\b/i.test(text) ? 'unknown' : 'aggregate';
  if (text.startsWith('{')) return /"(organization-name|policies|report-id)"/.test(text) ? 'tls' : 'unknown';
  if (looksLikeMail(head)) return 'mail';
  return 'unknown';
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

/**
 * Splits an mbox file into its messages as it is read (never holding the mailbox, only the
 * message being assembled). Handles mboxo/mboxrd: a message starts at a `From ` line that opens
 * the file or follows an empty line; `>From `, `>>From `... lines lose one `>` (mboxrd unescaping,
 * which is also right for mboxo's single `>From `). The empty line before a separator belongs to
 * the format, not to the message. When the first separator is a whole From_ line (a sender and
 * an asctime date), later ones must be too, as mutt and Dovecot read them: a body line of an
 * unescaped mbox such as "From the DMARC team: ..." after a paragraph does not cut its mail in two.
 */
import { constants, gunzipSync } from 'node:zlib';

/** Bytes one message in an mbox may have; a larger one is reported and skipped, not buffered. */
export const MBOX_MAX_MESSAGE_BYTES = 128 * 1024 * 1024;

export type MboxMessage =
  | {
      /** 1-based position in the mailbox. */
      index: number;
      /** Byte offset of its From_ line in the file. */
      offset: number;
      /** The From_ line without `From ` (sender and date), for people. */
      separator: string;
      bytes: Buffer;
    }
  | { index: number; offset: number; separator: string; tooLarge: number };

interface Assembling {
  index: number;
  offset: number;
  separator: string;
  lines: Buffer[];
  size: number;
}

const LF = 0x0a;
const FROM = Buffer.from('From ');

/**
 * A whole From_ line: `From SENDER DATE`, the sender possibly empty or quoted, the date as asctime
 * writes it (`Tue Nov 14 22:13:20 2023`; a zone before the year in some writers, Gmail's export).
 */
const FROM_LINE = /^From (?:"[^"\r\n]*"\S*|\S*) +(?:[A-Za-z]{3},? +)?[A-Za-z]{3} +\d{1,2} +\d{1,2}:\d{2}/;

/** True when the bytes start like an mbox (a From_ line). */
export function looksLikeMbox(head: Uint8Array): boolean {
  return Buffer.from(head.buffer, head.byteOffset, Math.min(head.byteLength, 5)).equals(FROM);
}

/** Bytes of a gzip stream's start looked into for an mbox, and the most they may inflate to. */
export const GZIPPED_MBOX_HEAD_BYTES = 4096;
const GZIPPED_MBOX_HEAD_MAX_OUTPUT = 1024 * 1024;

/** File names of a report's gzip (report.xml.gz, tls.json.gz). */
const REPORT_GZIP_NAME = /\.(xml|json)\.gz(ip)?$/i;

/**
 * True when the bytes start a gzip stream whose content starts like an mbox (a mailbox archived
 * as .mbox.gz): read as one mail, it would give its first message's reports and hide the rest.
 * Only the first GZIPPED_MBOX_HEAD_BYTES are inflated, into at most a megabyte. A file named as a
 * report's gzip (`name`) is taken for one unlooked: inflating the start of each of the ingest
 * bench's 10,000 reports took 220-300 ms, a tenth of a read thread's time.
 */
export function looksLikeGzippedMbox(head: Uint8Array, name: string): boolean {
  if (head.byteLength < 18 || head[0] !== 0x1f || head[1] !== 0x8b || REPORT_GZIP_NAME.test(name))
    return false;
  try {
    const start = gunzipSync(head.subarray(0, GZIPPED_MBOX_HEAD_BYTES), {
      finishFlush: constants.Z_SYNC_FLUSH,
      maxOutputLength: GZIPPED_MBOX_HEAD_MAX_OUTPUT,
    });
    return looksLikeMbox(start);
  } catch {
    return false; // not gzip after all, or its start inflates past the cap: the unpacker says why
  }
}

/** True when the bytes start a mailbox: an mbox, or one gzipped (see looksLikeGzippedMbox). */
export function looksLikeMailbox(head: Uint8Array, name: string): boolean {
  return looksLikeMbox(head) || looksLikeGzippedMbox(head, name);
}

export async function* splitMbox(
  chunks: AsyncIterable<Uint8Array>,
  maxMessageBytes = MBOX_MAX_MESSAGE_BYTES,
): AsyncGenerator<MboxMessage> {
  let pending: Buffer = Buffer.alloc(0);
  let fileOffset = 0; // offset of pending[0] in the file
  let current = null as Assembling | null;
  let count = 0;
  let previousEmpty = true; // the start of the file counts as following an empty line
  // An empty line is held back: it is the separator's if a From_ line follows.
  let heldEmpty: Buffer | null = null;
  // Whether separators are whole From_ lines, as the first one was (undefined before it).
  let wholeFromLines: boolean | undefined;

  const finish = (): MboxMessage | null => {
    if (!current) return null;
    const { index, offset, separator, lines, size } = current;
    current = null;
    if (size > maxMessageBytes) return { index, offset, separator, tooLarge: size };
    return { index, offset, separator, bytes: Buffer.concat(lines, size) };
  };

  const append = (line: Buffer): void => {
    if (!current) return; // bytes before the first From_ line are not a message
    current.size += line.length;
    // Past the limit only the size is counted; the message will be reported as too large.
    if (current.size <= maxMessageBytes) current.lines.push(line);
    else current.lines.length = 0;
  };

  function* onLine(line: Buffer, lineOffset: number): Generator<MboxMessage> {
    const isFrom =
      previousEmpty &&
      line.length >= 5 &&
      line.subarray(0, 5).equals(FROM) &&
      (wholeFromLines !== true || FROM_LINE.test(line.toString('latin1', 0, 200)));
    if (isFrom) {
      wholeFromLines ??= FROM_LINE.test(line.toString('latin1', 0, 200));
      heldEmpty = null;
      const done = finish();
      if (done) yield done;
      count++;
      current = {
        index: count,
        offset: lineOffset,
        separator: line.toString('latin1', 5).trimEnd().slice(0, 200),
        lines: [],
        size: 0,
      };
      previousEmpty = false;
      return;
    }
    if (heldEmpty) {
      append(heldEmpty);
      heldEmpty = null;
    }
    const empty = line.length === 1 || (line.length === 2 && line[0] === 0x0d);
    if (empty) {
      heldEmpty = line;
    } else {
      append(unescapeFrom(line));
    }
    previousEmpty = empty;
  }

  for await (const chunk of chunks) {
    pending = pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([pending, chunk]);
    let start = 0;
    for (let lf = pending.indexOf(LF, start); lf >= 0; lf = pending.indexOf(LF, start)) {
      yield* onLine(pending.subarray(start, lf + 1), fileOffset + start);
      start = lf + 1;
    }
    // A line longer than the message limit cannot belong to a message we keep: count it, drop it.
    if (pending.length - start > maxMessageBytes && current) {
      const partial = pending.length - start;
      current.size += partial;
      current.lines.length = 0;
      fileOffset += pending.length;
      pending = Buffer.alloc(0);
      previousEmpty = false;
      continue;
    }
    fileOffset += start;
    pending = pending.subarray(start);
  }
  if (pending.length > 0) yield* onLine(pending, fileOffset);
  // The final empty line is the file's trailing separator; it is not kept.
  const last = finish();
  if (last) yield last;
}

/** `>From ` → `From `, `>>From ` → `>From ` (mboxrd). */
function unescapeFrom(line: Buffer): Buffer {
  if (line[0] !== 0x3e) return line;
  let at = 0;
  while (line[at] === 0x3e) at++;
  return line.subarray(at, at + 5).equals(FROM) ? line.subarray(1) : line;
}

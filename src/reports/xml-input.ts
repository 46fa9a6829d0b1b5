import { isUtf8 } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';
import { TextDecoder } from 'node:util';
import { previewBytes, ReportError } from './errors.ts';
import { utf16Of } from './sniff.ts';
import type { Warnings } from './warnings.ts';

/** What an XML report can be read from. Byte inputs are decoded per their BOM or declaration. */
export type XmlInput = Buffer | Uint8Array | string | AsyncIterable<Buffer | Uint8Array | string>;

/** Size of the pieces fed to the parser: small enough to keep memory flat, large enough to be fast. */
const CHUNK = 65_536;
/** Bytes looked at to find a BOM and the XML declaration's encoding. */
const SNIFF_BYTES = 1024;

/**
 * Turns any input into text chunks for the XML parser: finds the encoding (BOM, UTF-16 byte
 * pattern, `encoding=` in the declaration, else UTF-8), drops a BOM and whitespace before the
 * declaration, and rejects inputs that do not start like XML (e.g. Yahoo's gzip of `unused`).
 */
export async function* xmlTextChunks(input: XmlInput, warnings: Warnings): AsyncGenerator<string> {
  if (typeof input === 'string' || input instanceof Uint8Array) {
    yield* xmlTextChunksAtHand(input, warnings);
    return;
  }
  const document = new DocumentStart(warnings);
  for await (const text of decodeStream(input, warnings)) {
    const chunk = document.chunk(text);
    if (chunk !== undefined) yield chunk;
  }
  document.end();
}

/** xmlTextChunks of an input at hand, without a promise per chunk. */
export function* xmlTextChunksAtHand(input: string | Uint8Array, warnings: Warnings): Generator<string> {
  const document = new DocumentStart(warnings);
  for (const text of decodeAtHand(input, warnings)) {
    const chunk = document.chunk(text);
    if (chunk !== undefined) yield chunk;
  }
  document.end();
}

/** Where the document starts, looked for in the first text that is not empty (startOfDocument). */
class DocumentStart {
  readonly #warnings: Warnings;
  #first = true;

  constructor(warnings: Warnings) {
    this.#warnings = warnings;
  }

  /** The chunk to parse of the text decoded next; undefined for empty text before the document. */
  chunk(text: string): string | undefined {
    if (!this.#first) return text;
    if (text.length === 0) return undefined;
    this.#first = false;
    return startOfDocument(text, this.#warnings);
  }

  /** Throws when the input held no text. */
  end(): void {
    if (this.#first) throw new ReportError('empty-input');
  }
}

function startOfDocument(text: string, warnings: Warnings): string {
  let start = 0;
  if (text.charCodeAt(0) === 0xfeff) {
    warnings.add('bom');
    start = 1;
  }
  let tagAt = start;
  while (tagAt < text.length && /\s/.test(text[tagAt] ?? '')) tagAt++;
  if (tagAt === text.length) throw new ReportError('empty-input');
  if (text[tagAt] !== '<') {
    throw new ReportError('not-xml', { start: previewBytes(Buffer.from(text.slice(tagAt, tagAt + 40))) });
  }
  // saxes (rightly) refuses an XML declaration that is not at the very start; reporters add newlines.
  if (tagAt > start && text.startsWith('<?xml', tagAt)) {
    warnings.add('leading-whitespace');
    start = tagAt;
  }
  // ...or a comment before it. The declaration only names the encoding, already decided here.
  const misplaced = /^(?:\s*<!--[\s\S]*?-->)+\s*(<\?xml\s[^?]*\?>)/.exec(text.slice(start));
  if (misplaced?.[1]) {
    warnings.add('misplaced-declaration');
    const at = start + misplaced[0].length - misplaced[1].length;
    return text.slice(start, at) + text.slice(at + misplaced[1].length);
  }
  return text.slice(start);
}

function* decodeAtHand(input: string | Uint8Array, warnings: Warnings): Generator<string> {
  if (typeof input === 'string') {
    for (let i = 0; i < input.length; i += CHUNK) yield input.slice(i, i + CHUNK);
    return;
  }
  // All the bytes at hand: the decoder is chosen from their start, nothing is copied.
  if (input.byteLength === 0) return;
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const decoder = decoderFor(bytes.subarray(0, CHUNK), warnings);
  for (let i = 0; i < bytes.byteLength; i += CHUNK) yield decoder.write(bytes.subarray(i, i + CHUNK));
  yield decoder.end();
}

async function* decodeStream(
  input: AsyncIterable<Buffer | Uint8Array | string>,
  warnings: Warnings,
): AsyncGenerator<string> {
  let decoder: Decoder | undefined;
  let head: Buffer[] = [];
  let headLength = 0;
  for await (const chunk of byteChunks(input)) {
    if (typeof chunk === 'string') {
      yield chunk;
      continue;
    }
    if (decoder) {
      yield decoder.write(chunk);
      continue;
    }
    head.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    headLength += chunk.byteLength;
    if (headLength < SNIFF_BYTES) continue;
    const all = Buffer.concat(head);
    head = [];
    decoder = decoderFor(all, warnings);
    yield decoder.write(all);
  }
  if (!decoder) {
    const all = Buffer.concat(head);
    if (all.length === 0) return;
    decoder = decoderFor(all, warnings);
    yield decoder.write(all);
  }
  yield decoder.end();
}

/** A decoder that warns, once, when bytes were not valid in the encoding (replaced by U+FFFD). */
class ReplacementWatch implements Decoder {
  readonly #decoder: Decoder;
  readonly #warnings: Warnings;
  #replaced = false;

  constructor(decoder: Decoder, warnings: Warnings) {
    this.#decoder = decoder;
    this.#warnings = warnings;
  }

  write(bytes: Uint8Array): string {
    return this.#watch(this.#decoder.write(bytes));
  }

  end(): string {
    return this.#watch(this.#decoder.end());
  }

  #watch(text: string): string {
    if (!this.#replaced && text.includes('\ufffd')) {
      this.#replaced = true;
      this.#warnings.add('invalid-bytes-replaced');
    }
    return text;
  }
}

async function* byteChunks(
  input: Exclude<XmlInput, string | Uint8Array>,
): AsyncGenerator<Uint8Array | string> {
  for await (const chunk of input) {
    if (typeof chunk === 'string' || chunk.byteLength <= CHUNK) {
      yield chunk;
      continue;
    }
    for (let i = 0; i < chunk.byteLength; i += CHUNK) yield chunk.subarray(i, i + CHUNK);
  }
}

/** Incremental bytes-to-text: multi-byte characters split across chunks are carried over. */
interface Decoder {
  write(bytes: Uint8Array): string;
  end(): string;
}

/**
 * UTF-8, and bytes that are not UTF-8 read as windows-1252 (Latin-1's superset, as WHATWG reads
 * a latin1 label): reporters write names in Latin-1 under no declaration, or under one saying
 * UTF-8, and a Sumi showing "Soci\ufffdt\ufffd" lost what the report said. Each chunk is checked
 * whole by isUtf8 (simdutf, several GB/s) and then decoded by Buffer's native UTF-8: 10-20x faster
 * than TextDecoder, which dominated parse time on large reports. Only a chunk that is not UTF-8
 * is read sequence by sequence. A character split between chunks is carried to the next.
 */
class Utf8Decoder implements Decoder {
  readonly #warnings: Warnings;
  #carried: Buffer | null = null;
  #warned = false;

  constructor(warnings: Warnings) {
    this.#warnings = warnings;
  }

  write(bytes: Uint8Array): string {
    let chunk = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.#carried !== null) {
      chunk = Buffer.concat([this.#carried, chunk]);
      this.#carried = null;
    }
    const end = completeEnd(chunk);
    if (end < chunk.length) this.#carried = Buffer.from(chunk.subarray(end));
    return this.#text(chunk.subarray(0, end));
  }

  end(): string {
    const rest = this.#carried;
    this.#carried = null;
    return rest === null ? '' : this.#text(rest);
  }

  #text(bytes: Buffer): string {
    if (isUtf8(bytes)) return bytes.toString('utf8');
    if (!this.#warned) {
      this.#warned = true;
      this.#warnings.add('latin1-bytes');
    }
    return utf8OrWindows1252(bytes);
  }
}

/** Where the last whole UTF-8 sequence of `bytes` ends: before a lead byte whose sequence is cut off. */
function completeEnd(bytes: Buffer): number {
  for (let at = bytes.length - 1; at >= 0 && at >= bytes.length - 3; at--) {
    const byte = bytes[at]!;
    if (byte < 0x80) return bytes.length;
    if (byte < 0xc0) continue;
    const length = byte < 0xe0 ? 2 : byte < 0xf0 ? 3 : 4;
    return at + length > bytes.length ? at : bytes.length;
  }
  return bytes.length;
}

const windows1252 = new TextDecoder('windows-1252');

/** Valid UTF-8 sequences as UTF-8, each run of other bytes as windows-1252. */
function utf8OrWindows1252(bytes: Buffer): string {
  let text = '';
  let from = 0;
  let at = 0;
  while (at < bytes.length) {
    const length = utf8SequenceAt(bytes, at);
    if (length > 0) {
      at += length;
      continue;
    }
    let to = at + 1;
    while (to < bytes.length && utf8SequenceAt(bytes, to) === 0) to++;
    text += bytes.toString('utf8', from, at) + windows1252.decode(bytes.subarray(at, to));
    from = to;
    at = to;
  }
  return text + bytes.toString('utf8', from);
}

/** The length of the well-formed UTF-8 sequence at `at` (RFC 3629's table), or 0. */
function utf8SequenceAt(bytes: Buffer, at: number): number {
  const lead = bytes[at]!;
  if (lead < 0x80) return 1;
  if (lead < 0xc2 || lead > 0xf4) return 0;
  const length = lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
  if (at + length > bytes.length) return 0;
  for (let i = 1; i < length; i++) if ((bytes[at + i]! & 0xc0) !== 0x80) return 0;
  const second = bytes[at + 1]!;
  // Overlong forms, UTF-16 surrogates, and code points past U+10FFFF.
  if ((lead === 0xe0 && second < 0xa0) || (lead === 0xed && second > 0x9f)) return 0;
  if ((lead === 0xf0 && second < 0x90) || (lead === 0xf4 && second > 0x8f)) return 0;
  return length;
}

class WhatwgDecoder implements Decoder {
  readonly #decoder: TextDecoder;

  constructor(label: string) {
    // ignoreBOM: the BOM is kept in the text so that startOfDocument can record it.
    this.#decoder = new TextDecoder(label, { fatal: false, ignoreBOM: true });
  }

  write(bytes: Uint8Array): string {
    return this.#decoder.decode(bytes, { stream: true });
  }

  end(): string {
    return this.#decoder.decode();
  }
}

/** The decoder for a document starting with `head` (its first SNIFF_BYTES are looked at). */
function decoderFor(head: Buffer, warnings: Warnings): Decoder {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return new Utf8Decoder(warnings);
  const utf16 = utf16Of(head);
  if (utf16 === 'utf-16le') {
    warnings.add('declared-encoding', undefined, 'UTF-16LE');
    // node:string_decoder: 10-20x faster than TextDecoder.
    return new ReplacementWatch(new StringDecoder('utf16le'), warnings);
  }
  if (utf16 === 'utf-16be') {
    warnings.add('declared-encoding', undefined, 'UTF-16BE');
    return new ReplacementWatch(new WhatwgDecoder('utf-16be'), warnings);
  }
  // The declaration's start only: a whole report as text just to read it cost a copy of every report.
  const declaration = /^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']/.exec(
    head.toString('latin1', 0, SNIFF_BYTES),
  );
  const label = declaration?.[1]?.trim();
  // A UTF-16 label on a file whose bytes are ASCII-compatible is a mislabel: the bytes win.
  if (!label || /^utf-?8$/i.test(label) || /^utf-?16/i.test(label)) return new Utf8Decoder(warnings);
  let encoding: string;
  try {
    encoding = new TextDecoder(label).encoding;
  } catch {
    throw new ReportError('xml-encoding-unsupported', { encoding: label.slice(0, 40) });
  }
  if (encoding === 'utf-8') return new Utf8Decoder(warnings);
  // US-ASCII decodes as windows-1252 (WHATWG), a superset: nothing worth telling.
  if (!/ascii/i.test(label)) warnings.add('declared-encoding', undefined, label);
  return new ReplacementWatch(new WhatwgDecoder(label), warnings);
}

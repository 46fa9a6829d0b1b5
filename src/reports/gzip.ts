import { crc32, createInflateRaw, type InflateRaw, inflateRawSync } from 'node:zlib';
import { gzipFaultText } from '../i18n/reports.ts';
import { type DecompressionBudget, decompressedTooLarge } from './budget.ts';
import { faultOf, ReportError } from './errors.ts';
import type { Warnings } from './warnings.ts';

const FLAG_HCRC = 0x02;
const FLAG_EXTRA = 0x04;
const FLAG_NAME = 0x08;
const FLAG_COMMENT = 0x10;
/** Input fed to the inflater at a time: the ratio is checked against what was consumed so far. */
const SLICE = 16_384;
/** Output chunk size: the XML reader's chunk size, so a streamed payload reaches it unsplit. */
const OUTPUT_CHUNK = 65_536;

/**
 * Decompresses gzip data member by member (RFC 1952), so that what node:zlib refuses is read:
 * several members are joined, bytes after the last member (Mimecast's CRLF) are ignored with a
 * warning. Size and ratio are checked as output is produced: a bomb stops within a few MB.
 */
export async function gunzip(
  input: Buffer,
  budget: DecompressionBudget,
  warnings: Warnings,
): Promise<Buffer> {
  if (input.length <= GUNZIP_SYNC_MAX_INPUT_BYTES) return gunzipSmall(input, budget, warnings);
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of gunzipChunks(input, budget, warnings)) {
    parts.push(chunk);
    size += chunk.length;
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
}

/**
 * Compressed inputs up to this size are inflated in one synchronous call per member: most
 * reports are a few KB, and the stream's per-chunk machinery cost more than inflating them.
 * Their output is bounded by the ratio cap (at most 16 MB), so a bomb cannot go further.
 */
export const GUNZIP_SYNC_MAX_INPUT_BYTES = 64 * 1024;

/** `gunzip` of a small input, with the same checks, warnings and errors. */
function gunzipSmall(input: Buffer, budget: DecompressionBudget, warnings: Warnings): Buffer {
  const allowance = budget.remaining();
  const parts: Buffer[] = [];
  let produced = 0;
  let at = 0;
  while (true) {
    at = skipHeader(input, at);
    const left = allowance.bytes - produced;
    // Beyond this the output is a bomb whatever follows: more than the ratio allows for all the input left.
    const ratioCap = Math.max(budget.limits.ratioFloorBytes, (input.length - at) * budget.limits.maxRatio);
    let inflated: { buffer: Buffer; engine: { bytesWritten: number } };
    try {
      inflated = inflateRawSync(input.subarray(at), {
        info: true,
        maxOutputLength: Math.max(1, Math.min(left, ratioCap)),
      }) as unknown as typeof inflated;
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        // Charged as a stream is for what it inflated before it stopped (gunzipChunks).
        budget.spend(produced + Math.min(left, ratioCap));
        throw left <= ratioCap ? decompressedTooLarge(allowance) : budget.ratioError();
      }
      budget.spend(produced);
      throw gzipError(err);
    }
    const { buffer, engine } = inflated;
    let next: number | null;
    try {
      if (budget.ratioExceeded(buffer.length, engine.bytesWritten)) throw budget.ratioError();
      next = endOfMember(input, at + engine.bytesWritten, crc32(buffer), buffer.length, warnings);
    } catch (err) {
      budget.spend(produced + buffer.length);
      throw err;
    }
    produced += buffer.length;
    parts.push(buffer);
    if (next === null) break;
    at = next;
  }
  budget.spend(produced);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, produced);
}

/**
 * `gunzip` as a stream: the output in chunks of at most 64 KiB, produced only as fast as they
 * are read, so memory holds a few chunks whatever the size. The caps are checked as for
 * `gunzip`; going over one, or damaged data, throws a ReportError from the iteration (possibly
 * after many chunks were yielded). The budget is charged with what was inflated when the last
 * member has been read, or when the reading stops short (damaged data, a reader that refused
 * what came, such as XML not well-formed): else each of an input's streams could inflate its
 * payload's limit and fail, and the input's total would never be reached. `sniffing`: the
 * reading stopped short is a look at the start, inflated again to be read: not charged.
 */
export async function* gunzipChunks(
  input: Buffer,
  budget: DecompressionBudget,
  warnings: Warnings,
  sniffing = false,
): AsyncGenerator<Buffer> {
  const allowance = budget.remaining();
  let produced = 0;
  let size = 0;
  let finished = false;
  try {
    yield* members();
    finished = true;
  } finally {
    // Read whole, `size` is 0 (the last member's is in `produced`).
    if (finished || !sniffing) budget.spend(produced + size);
  }

  async function* members(): AsyncGenerator<Buffer> {
    let at = 0;
    while (true) {
      at = skipHeader(input, at);
      const inflater = createInflateRaw({ chunkSize: OUTPUT_CHUNK });
      feed(inflater, input, at);
      let crc = 0;
      try {
        for await (const chunk of inflater as AsyncIterable<Buffer>) {
          size += chunk.length;
          if (produced + size > allowance.bytes) throw decompressedTooLarge(allowance);
          if (budget.ratioExceeded(size, inflater.bytesWritten)) throw budget.ratioError();
          crc = crc32(chunk, crc);
          yield chunk;
        }
      } catch (err) {
        throw gzipError(err);
      } finally {
        inflater.destroy();
      }
      const next = endOfMember(input, at + inflater.bytesWritten, crc, size, warnings);
      produced += size;
      size = 0;
      if (next === null) break;
      at = next;
    }
  }
}

/**
 * Checks a member's trailer (at `at`, after its deflate data) against what was inflated; returns
 * where the next member starts, or null after the last one (bytes after it ignored with a warning).
 */
function endOfMember(
  input: Buffer,
  at: number,
  crc: number,
  size: number,
  warnings: Warnings,
): number | null {
  if (input.length - at < 8) throw new ReportError('gzip-truncated');
  if (input.readUInt32LE(at) !== crc || input.readUInt32LE(at + 4) !== size % 2 ** 32) {
    throw gzipCorrupt('checksum mismatch');
  }
  const next = at + 8;
  if (input.length - next >= 2 && input[next] === 0x1f && input[next + 1] === 0x8b) {
    warnings.add('gzip-multi-member');
    return next;
  }
  if (next < input.length) warnings.add('gzip-trailing-data', undefined, String(input.length - next));
  return null;
}

/**
 * Writes the input from `start` into one raw inflater, in slices, waiting whenever it is full.
 * The inflater ends itself at the end of the deflate data; what it did not consume (the trailer,
 * further members) is measured by `bytesWritten`.
 */
function feed(inflater: InflateRaw, input: Buffer, start: number): void {
  let offset = start;
  const more = () => {
    while (!inflater.destroyed && !inflater.writableEnded && offset < input.length) {
      const slice = input.subarray(offset, offset + SLICE);
      offset += slice.length;
      if (!inflater.write(slice)) {
        inflater.once('drain', more);
        return;
      }
    }
    if (!inflater.destroyed && !inflater.writableEnded) inflater.end();
  };
  more();
}

function gzipError(err: unknown): unknown {
  if (err instanceof ReportError) return err;
  const zlibError = err as Error & { code?: string };
  if (zlibError.code === 'Z_BUF_ERROR') return new ReportError('gzip-truncated', {}, { cause: err });
  if (typeof zlibError.code === 'string' && zlibError.code.startsWith('Z_')) {
    return gzipCorrupt(zlibError.message, err);
  }
  return err;
}

/** The damaged-data error for zlib's message, or Sumi's own, with the fault it names when known. */
function gzipCorrupt(message: string, cause?: unknown): ReportError {
  return new ReportError('gzip-corrupt', { detail: message, ...gzipFault(message) }, { cause });
}

/** The fault of gzipFaultText a message from zlib (or from this module) names, with its values. */
export function gzipFault(message: string) {
  return faultOf(gzipFaultText, message);
}

function skipHeader(input: Buffer, start: number): number {
  if (input.length - start < 10) throw new ReportError('gzip-truncated');
  if (input[start] !== 0x1f || input[start + 1] !== 0x8b || input[start + 2] !== 8) {
    throw gzipCorrupt('not a deflate gzip header');
  }
  const flags = input[start + 3] ?? 0;
  let at = start + 10;
  if (flags & FLAG_EXTRA) {
    if (input.length - at < 2) throw new ReportError('gzip-truncated');
    at += 2 + input.readUInt16LE(at);
  }
  for (const flag of [FLAG_NAME, FLAG_COMMENT]) {
    if (!(flags & flag)) continue;
    const end = input.indexOf(0, at);
    if (end < 0) throw new ReportError('gzip-truncated');
    at = end + 1;
  }
  if (flags & FLAG_HCRC) at += 2;
  if (at > input.length) throw new ReportError('gzip-truncated');
  return at;
}

import { crc32, createInflateRaw } from 'node:zlib';
import type { DecompressionBudget } from './budget.ts';
import { ReportError } from './errors.ts';
import type { Warnings } from './warnings.ts';

const FLAG_HCRC = 0x02;
const FLAG_EXTRA = 0x04;
const FLAG_NAME = 0x08;
const FLAG_COMMENT = 0x10;
/** Input fed to the inflater at a time: the ratio is checked against what was consumed so far. */
const SLICE = 16_384;

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
  const allowance = budget.remaining();
  const parts: Buffer[] = [];
  let produced = 0;
  let at = 0;
  while (true) {
    at = skipHeader(input, at);
    const member = await inflateMember(input, at, budget, allowance.bytes - produced, allowance.error);
    at += member.consumed;
    if (input.length - at < 8) throw new ReportError('gzip-truncated');
    const data = member.data;
    if (input.readUInt32LE(at) !== crc32(data) || input.readUInt32LE(at + 4) !== data.length % 2 ** 32) {
      throw new ReportError('gzip-corrupt', { detail: 'checksum mismatch' });
    }
    at += 8;
    parts.push(data);
    produced += data.length;
    if (input.length - at >= 2 && input[at] === 0x1f && input[at + 1] === 0x8b) {
      warnings.add('gzip-multi-member');
      continue;
    }
    if (at < input.length) warnings.add('gzip-trailing-data', undefined, String(input.length - at));
    break;
  }
  budget.spend(produced);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** One raw deflate stream from `start`; resolves with its output and the input bytes it used. */
function inflateMember(
  input: Buffer,
  start: number,
  budget: DecompressionBudget,
  maxBytes: number,
  overSize: () => ReportError,
): Promise<{ data: Buffer; consumed: number }> {
  return new Promise((resolve, reject) => {
    const inflater = createInflateRaw();
    const chunks: Buffer[] = [];
    let size = 0;
    let offset = start;
    let settled = false;
    const fail = (err: ReportError) => {
      if (settled) return;
      settled = true;
      inflater.destroy();
      reject(err);
    };
    inflater.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) fail(overSize());
      else if (budget.ratioExceeded(size, inflater.bytesWritten)) fail(budget.ratioError());
      else chunks.push(chunk);
    });
    inflater.on('end', () => {
      if (settled) return;
      settled = true;
      resolve({ data: Buffer.concat(chunks, size), consumed: inflater.bytesWritten });
    });
    inflater.on('error', (err: Error & { code?: string }) => {
      fail(
        err.code === 'Z_BUF_ERROR'
          ? new ReportError('gzip-truncated', {}, { cause: err })
          : new ReportError('gzip-corrupt', { detail: err.message }, { cause: err }),
      );
    });
    const feed = () => {
      while (!settled && !inflater.writableEnded && offset < input.length) {
        const slice = input.subarray(offset, offset + SLICE);
        offset += slice.length;
        if (!inflater.write(slice)) {
          inflater.once('drain', feed);
          return;
        }
      }
      if (!settled && !inflater.writableEnded) inflater.end();
    };
    feed();
  });
}

function skipHeader(input: Buffer, start: number): number {
  if (input.length - start < 10) throw new ReportError('gzip-truncated');
  if (input[start] !== 0x1f || input[start + 1] !== 0x8b || input[start + 2] !== 8) {
    throw new ReportError('gzip-corrupt', { detail: 'not a deflate gzip header' });
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

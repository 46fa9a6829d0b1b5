import { crc32, inflateRawSync } from 'node:zlib';
import type { DecompressionBudget } from './budget.ts';
import { ReportError } from './errors.ts';
import type { Warnings } from './warnings.ts';

const FLAG_HCRC = 0x02;
const FLAG_EXTRA = 0x04;
const FLAG_NAME = 0x08;
const FLAG_COMMENT = 0x10;

/**
 * Decompresses gzip data member by member (RFC 1952), so that what node:zlib refuses is read:
 * several members are joined, bytes after the last member (Mimecast's CRLF) are ignored with a
 * warning. Output is capped by the budget as it is produced, never after.
 */
export function gunzip(input: Buffer, budget: DecompressionBudget, warnings: Warnings): Buffer {
  const allowance = budget.allowance(input.length);
  const parts: Buffer[] = [];
  let produced = 0;
  let at = 0;
  while (true) {
    at = skipHeader(input, at);
    let inflated: { buffer: Buffer; engine: { bytesWritten: number } };
    try {
      const result = inflateRawSync(input.subarray(at), {
        maxOutputLength: Math.max(1, allowance.bytes - produced),
        info: true,
      }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
      inflated = result;
    } catch (err) {
      throw zlibError(err, allowance.error);
    }
    const member = inflated.buffer;
    at += inflated.engine.bytesWritten;
    if (input.length - at < 8) throw new ReportError('gzip-truncated');
    if (input.readUInt32LE(at) !== crc32(member) || input.readUInt32LE(at + 4) !== member.length % 2 ** 32) {
      throw new ReportError('gzip-corrupt', { detail: 'checksum mismatch' });
    }
    at += 8;
    parts.push(member);
    produced += member.length;
    if (produced > allowance.bytes) throw allowance.error();
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

function zlibError(err: unknown, overLimit: () => ReportError): ReportError {
  const { code, message } = err as { code?: string; message?: string };
  if (code === 'ERR_BUFFER_TOO_LARGE') return overLimit();
  if (code === 'Z_BUF_ERROR') return new ReportError('gzip-truncated', {}, { cause: err });
  return new ReportError('gzip-corrupt', { detail: message ?? String(err) }, { cause: err });
}

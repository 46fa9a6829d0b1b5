/** Raw input bytes as stored: hashed, compressed off the main thread, restored exactly. */
import { hash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, brotliCompressSync, brotliDecompress, constants, gunzip } from 'node:zlib';
import type { RawEncoding } from './schema.ts';

const compress = promisify(brotliCompress);
const decompress = promisify(brotliDecompress);
const inflateGzip = promisify(gunzip);

/**
 * Brotli quality for raw bytes. Measured on report XML: quality 5 compresses about twice as well
 * as gzip -6 at about 150 MB/s, and runs in libuv's thread pool while records are written.
 */
export const RAW_BROTLI_QUALITY = 5;

/**
 * Inputs up to this size are compressed on the main thread: a thread-pool round trip costs more
 * than compressing them (a 5 KB report: 0.06 ms to compress, several times that to hand over).
 */
export const RAW_SYNC_COMPRESS_MAX_BYTES = 256 * 1024;

/** Compression must save at least this share of the size, else the bytes are kept as they came (already gzip or zip). */
const MIN_SAVING = 0.1;

export interface PackedRaw {
  sha256: string;
  size: number;
  encoding: RawEncoding;
  data: Buffer;
}

/** One call, no Hash object: 10,000 report-sized inputs hashed in 41-55 ms against 51-72 (createHash, same run). */
export function sha256Hex(bytes: Uint8Array): string {
  return hash('sha256', bytes, 'hex');
}

/** Gzip and zip data: compressing them again gains nothing, and brotli's window costs tens of MB. */
function compressedAlready(bytes: Uint8Array): boolean {
  return (
    (bytes[0] === 0x1f && bytes[1] === 0x8b) ||
    (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04)
  );
}

export async function packRaw(bytes: Uint8Array, sha256: string = sha256Hex(bytes)): Promise<PackedRaw> {
  if (compressedAlready(bytes)) return identity(bytes, sha256);
  const options = { params: { [constants.BROTLI_PARAM_QUALITY]: RAW_BROTLI_QUALITY } };
  const compressed =
    bytes.length <= RAW_SYNC_COMPRESS_MAX_BYTES
      ? brotliCompressSync(bytes, options)
      : await compress(bytes, options);
  if (compressed.length <= bytes.length * (1 - MIN_SAVING)) {
    return { sha256, size: bytes.length, encoding: 'br', data: compressed };
  }
  return identity(bytes, sha256);
}

function identity(bytes: Uint8Array, sha256: string): PackedRaw {
  return {
    sha256,
    size: bytes.length,
    encoding: 'identity',
    data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
  };
}

/**
 * Bytes kept in the gzip they arrived in (one member, nothing after it: see Payload.gzipped),
 * with the hash and size of what it holds: nothing to compress again.
 */
export function keptGzip(gzip: Buffer, content: { sha256: string; size: number }): PackedRaw {
  return { sha256: content.sha256, size: content.size, encoding: 'gzip', data: gzip };
}

/** The original bytes; throws when they no longer match their recorded hash (storage damage). */
export async function unpackRaw(data: Uint8Array, encoding: RawEncoding, sha256: string): Promise<Buffer> {
  const bytes =
    encoding === 'br'
      ? await decompress(data)
      : encoding === 'gzip'
        ? await inflateGzip(data)
        : Buffer.from(data);
  if (sha256Hex(bytes) !== sha256) throw new Error(`stored raw bytes do not match their sha256 ${sha256}`);
  return bytes;
}

/** The original bytes of a packed raw (see unpackRaw). */
export function rawBytes(packed: PackedRaw): Promise<Buffer> {
  return unpackRaw(packed.data, packed.encoding, packed.sha256);
}

/** A table's raw columns (RawColumns in schema.ts) for packed bytes. */
export function rawColumns(packed: PackedRaw) {
  return {
    raw_sha256: packed.sha256,
    raw_size: packed.size,
    raw_encoding: packed.encoding as RawEncoding,
    raw: packed.data,
  };
}

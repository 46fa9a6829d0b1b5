/**
 * A gzip file holding one big aggregate report is parsed as it is decompressed, so that memory
 * holds the compressed file and a few batches of records, never the XML (a 200,000-record report
 * is 128 MB of XML, 3.4 MB gzipped). Anything else, or any trouble, goes the general way
 * (`unpack`), which handles every gzip quirk; a failed attempt left nothing in the store (one
 * transaction per report).
 */
import { Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { UNPACK_MAX_PAYLOAD_BYTES, UNPACK_MAX_RATIO } from '../reports/budget.ts';
import { ReportError } from '../reports/errors.ts';
import { sniff } from '../reports/sniff.ts';
import { StoreInputError } from '../store/errors.ts';
import type { ReportSource, Store } from '../store/types.ts';
import { type StoredAggregate, storeAggregateReport } from './aggregate.ts';

/** Compressed inputs from this size on are streamed; smaller ones are cheap to decompress whole. */
export const STREAM_GZIP_FROM_BYTES = 1024 * 1024;

export function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Stores the aggregate report inside `gz` while decompressing it; the raw bytes kept are the
 * gzip file as received. Returns null when this is not a plain gzipped aggregate report or
 * the stream fails: the caller then unpacks it the general way.
 */
export async function storeGzippedAggregate(
  store: Store,
  gz: Buffer,
  source: ReportSource,
): Promise<StoredAggregate | null> {
  const limit = Math.min(UNPACK_MAX_PAYLOAD_BYTES, gz.length * UNPACK_MAX_RATIO);
  let produced = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      produced += chunk.length;
      if (produced > limit) done(new ReportError('decompressed-too-large', { limit }));
      else done(null, chunk);
    },
  });
  const xml = Readable.from([gz])
    .pipe(createGunzip())
    .on('error', (e) => cap.destroy(e))
    .pipe(cap);
  const chunks = xml[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    const first = await chunks.next();
    if (first.done || sniff(first.value) !== 'aggregate') return null;
    const rest = (async function* () {
      yield first.value;
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
    })();
    return await storeAggregateReport(store, gz, source, rest);
  } catch (error) {
    // A parse, zlib or refused-value error: the general path reads it again and reports it
    // precisely (quarantine included).
    if (
      error instanceof ReportError ||
      error instanceof StoreInputError ||
      (error as NodeJS.ErrnoException).code?.startsWith('Z_')
    ) {
      return null;
    }
    throw error;
  } finally {
    xml.destroy();
  }
}

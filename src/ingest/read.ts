/**
 * The first half of ingesting an input, with no store: unpack it and parse the small aggregate
 * reports in it, with their raw bytes hashed and compressed. Pure work on bytes, so it can run
 * on a worker thread (see read-pool.ts) while the main thread writes to the store.
 */
import { parseAggregateReportToObject } from '../reports/aggregate.ts';
import { previewBytes, ReportError } from '../reports/errors.ts';
import type { AggregateReportWithRecords, FailureReport, Payload } from '../reports/types.ts';
import { UNPACK_STREAM_ABOVE_BYTES, type UnpackLimits, unpack } from '../reports/unpack.ts';
import { type PreparedRecords, prepareRecords } from '../store/aggregate-rows.ts';
import type { EngineKind } from '../store/engine.ts';
import { keptGzip, type PackedRaw, packRaw } from '../store/raw.ts';

/**
 * Reports whose XML is at most this size are parsed whole here and stored in batches; larger
 * ones are streamed into their own transaction, never whole in memory.
 */
export const BATCHED_MAX_XML_BYTES = 512 * 1024;

/** A small aggregate report parsed, its records made into the store's rows. */
export type ParsedAggregateReport = Omit<AggregateReportWithRecords, 'records'> & {
  records: PreparedRecords;
};

/** One thing found in an input, with where it was (`mail.eml > attachment 2 report.zip`). */
export type MessagePart =
  /**
   * A small aggregate report, parsed, its records made into rows (the writing thread's work
   * done here), with its XML and the XML packed for the store. `xml` is
   * null once the part crossed from a read thread: only a refused report needs it again, and
   * unpacking `raw` then is cheaper than copying every report's XML between threads.
   */
  | {
      kind: 'aggregate';
      where: string;
      report: ParsedAggregateReport;
      xml: Buffer | null;
      raw: PackedRaw;
    }
  /**
   * A failure report (unpack parsed it), with its mail packed for the store (`bytes` is null once
   * the part crossed from a read thread, as an aggregate report's `xml`).
   */
  | { kind: 'failure'; where: string; report: FailureReport; bytes: Buffer | null; raw: PackedRaw }
  /** A payload for the store side to read: TLS reports, aggregate reports not parsed here. */
  | { kind: 'payload'; where: string; payload: Payload }
  /** A part that looked like a report but could not be read. */
  | { kind: 'damaged'; where: string; bytes: Buffer; error: ReportError }
  /** A part that is not a report (a logo, a readme). */
  | { kind: 'unknown'; where: string; error: ReportError };

export interface ReadOptions {
  limits?: Partial<UnpackLimits>;
  /** Aggregate reports larger than this, decompressed, are streamed (default UNPACK_STREAM_ABOVE_BYTES). */
  streamAbove?: number;
  /**
   * Parse small aggregate reports here and make their records into rows for a store of this
   * engine (for batched storing); otherwise they are payloads.
   */
  parseAggregates?: EngineKind;
}

/** The parts of one input, in order. Errors in the input are parts; only bugs throw. */
export async function* readMessage(
  bytes: Buffer,
  name: string,
  source: string,
  options: ReadOptions = {},
): AsyncGenerator<MessagePart> {
  const unpacking = unpack(bytes, name, {
    streamAbove: options.streamAbove ?? UNPACK_STREAM_ABOVE_BYTES,
    ...(options.limits ? { limits: options.limits } : {}),
  });
  for await (const item of unpacking) {
    const where = item.provenance === name ? source : `${source}${item.provenance.slice(name.length)}`;
    if (item.kind === 'error') {
      item.error.provenance = where;
      yield { kind: 'damaged', where, bytes: item.bytes, error: item.error };
      continue;
    }
    if (item.kind === 'unknown') {
      // An empty zip entry or attachment is said to be empty, not to start with nothing.
      const error =
        item.bytes.length === 0
          ? new ReportError('empty-input', {}, { provenance: where })
          : new ReportError(
              'unknown-payload',
              { name: item.name, start: previewBytes(item.bytes) },
              { provenance: where },
            );
      yield { kind: 'unknown', where, error };
      continue;
    }
    if (item.failure) {
      const raw = await packRaw(item.bytes, item.sha256);
      yield { kind: 'failure', where, report: item.failure, bytes: item.bytes, raw };
      continue;
    }
    if (
      options.parseAggregates &&
      item.kind === 'aggregate' &&
      !item.stream &&
      item.bytes.length <= BATCHED_MAX_XML_BYTES
    ) {
      try {
        const { records, ...header } = await parseAggregateReportToObject(item.bytes);
        const report = { ...header, records: prepareRecords(options.parseAggregates, header, records) };
        const raw = item.gzipped
          ? keptGzip(item.gzipped, { sha256: item.sha256, size: item.bytes.length })
          : await packRaw(item.bytes, item.sha256);
        yield { kind: 'aggregate', where, report, xml: item.bytes, raw };
      } catch (error) {
        if (!(error instanceof ReportError)) throw error;
        if (error.provenance === undefined) error.provenance = where;
        yield { kind: 'damaged', where, bytes: item.bytes, error };
      }
      continue;
    }
    yield { kind: 'payload', where, payload: item };
  }
}

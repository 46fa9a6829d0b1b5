/**
 * Ingests one input (a mail, an archive, a report file): every payload inside it is parsed and
 * stored, each report in its own transaction. An input that yields no report is kept whole in
 * the store's quarantine with the reasons; a damaged part of an input that did yield reports is
 * quarantined on its own. Nothing read is ever dropped silently.
 */
import { previewBytes, ReportError } from '../reports/errors.ts';
import { parseTlsReport } from '../reports/tls.ts';
import type { Payload } from '../reports/types.ts';
import type { UnpackLimits } from '../reports/unpack.ts';
import { StoreInputError } from '../store/errors.ts';
import { type IngestError, quarantineReason } from '../store/quarantine-reason.ts';
import { rawBytes } from '../store/raw.ts';
import type { InsertOutcome, ReportSource, Store } from '../store/types.ts';
import { type AggregateParser, storeAggregateReport } from './aggregate.ts';
import type { AggregateBatcher } from './batch.ts';
import type { InputError } from './inputs.ts';
import { type MessagePart, readMessage } from './read.ts';

export type ReportKind = 'aggregate' | 'failure' | 'tls';

/**
 * A report the store will not take from whoever gave the input (its domain is outside the
 * uploader's scope: server/uploads.ts), refused before anything of it is written. It is judged
 * on its own: the input's other reports are stored, and it is neither stored nor quarantined but
 * named in the outcome.
 */
export class OutOfScopeError extends Error {
  constructor(readonly domain: string) {
    super(`${domain}: not one of the uploader's domains`);
  }
}

/** A report left out for its domain (OutOfScopeError): where it was in the input, and the domain. */
export interface RefusedReport {
  source: string;
  domain: string;
}

export interface FailedInput {
  /** Where: the input, and inside it (`mail.eml > attachment 2 report.zip > entry a.xml`). */
  source: string;
  error: IngestError | InputError;
}

export interface StoredReport {
  kind: ReportKind;
  status: 'stored' | 'duplicate';
  id: number;
  source: string;
  /**
   * Aggregate reports: rows stored and messages they cover. For a duplicate 0, or for the
   * fuller copy of a stored report now counted in its place, what those grew by.
   */
  records: number;
  messages: number;
  /** A duplicate aggregate or TLS report with other bytes than the stored one: the copy kept of it. */
  copy?: number;
  /** A duplicate that is the fuller copy of the stored report, now counted in its place (the one before is copy `copy`). */
  recounted?: true;
}

export interface MessageOutcome {
  reports: StoredReport[];
  failed: FailedInput[];
  /** Set when the whole input went to the quarantine. */
  quarantined: boolean;
  /** Set when, with `leaveOther`, the input held nothing like a report and was left alone. */
  other?: true;
  /** Reports refused for their domain (OutOfScopeError); set when there were any. */
  refused?: RefusedReport[];
}

export interface MessageOptions {
  /** When it arrived, seconds since the epoch. */
  receivedAt?: number | null;
  limits?: Partial<UnpackLimits>;
  /**
   * Aggregate reports larger than this, decompressed, are parsed while they are decompressed,
   * never whole in memory (default UNPACK_STREAM_ABOVE_BYTES).
   */
  streamAbove?: number;
  /** Stores small aggregate reports together with those of other inputs (see AggregateBatcher). */
  batcher?: AggregateBatcher;
  /** The input is read again from the quarantine: failing again is not receiving it again. */
  fromQuarantine?: boolean;
  /**
   * An input in which nothing looks like a report (a mail without XML, JSON, gzip or zip in it,
   * or with only parts that are not reports: someone's own mail in a mailbox shared with the
   * reports) is not quarantined nor failed: its outcome says `other`. An input holding a report
   * that could not be read is quarantined whatever this says.
   */
  leaveOther?: boolean;
  /**
   * Where a streamed aggregate report (too large to hold) is parsed, when elsewhere than here
   * (a read thread, while this thread stores its records); undefined: here.
   */
  streamParser?: (payload: Payload) => AggregateParser | undefined;
}

/**
 * Parses and stores every report in `bytes`. Throws only for runtime failures (the store is
 * unreachable, a bug): everything wrong with the input itself is in the outcome.
 */
export async function ingestMessage(
  store: Store,
  bytes: Buffer,
  name: string,
  source: string,
  options: MessageOptions = {},
): Promise<MessageOutcome> {
  const parts = readMessage(bytes, name, source, {
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.streamAbove !== undefined ? { streamAbove: options.streamAbove } : {}),
    ...(options.batcher ? { parseAggregates: store.engine } : {}),
  });
  return storeMessage(store, parts, bytes, source, options);
}

/**
 * The second half of ingesting an input: stores the parts readMessage found in it (read here or
 * on a worker thread), quarantining what could not be read.
 */
export async function storeMessage(
  store: Store,
  parts: AsyncIterable<MessagePart> | Iterable<MessagePart>,
  bytes: Buffer,
  source: string,
  options: Pick<
    MessageOptions,
    'receivedAt' | 'batcher' | 'fromQuarantine' | 'streamParser' | 'leaveOther'
  > = {},
): Promise<MessageOutcome> {
  const receivedAt = options.receivedAt ?? null;
  const again = { again: options.fromQuarantine === true };
  const outcome: MessageOutcome = { reports: [], failed: [], quarantined: false };
  // Parts that gave no report, kept until we know whether the input as a whole gave any.
  const damaged: { bytes: Buffer; source: string; error: IngestError }[] = [];
  const unknown: { source: string; error: ReportError }[] = [];
  // Each report's storing, in the input's order. Parsed reports go to the batcher all at once and
  // are awaited together: awaited one by one, each of a zip's 500 reports waited for a batch
  // of its own (BATCH_WAIT_MS), 11 s for what takes 0.3 s. Payloads are stored in turn (a
  // streamed one reads the input as it goes).
  const storing: { part: ReportPart; stored: Promise<StoredReport> }[] = [];
  for await (const part of parts) {
    if (part.kind === 'damaged') {
      damaged.push({ bytes: part.bytes, source: part.where, error: part.error });
      continue;
    }
    if (part.kind === 'unknown') {
      unknown.push({ source: part.where, error: part.error });
      continue;
    }
    const stored = storePart(store, part, { description: part.where, receivedAt }, options);
    // Settled below, in order; until then a refusal is not an unhandled rejection.
    stored.catch(() => {});
    storing.push({ part, stored });
    if (part.kind !== 'aggregate') await stored.catch(() => {});
  }
  for (const { part, stored } of storing) {
    try {
      outcome.reports.push(await stored);
    } catch (error) {
      if (error instanceof OutOfScopeError) {
        outcome.refused ??= [];
        outcome.refused.push({ source: part.where, domain: error.domain });
        continue;
      }
      if (!(error instanceof ReportError || error instanceof StoreInputError)) throw error;
      if (error instanceof ReportError && error.provenance === undefined) error.provenance = part.where;
      damaged.push({ bytes: await partBytes(part), source: part.where, error });
    }
  }

  if (outcome.reports.length > 0 || outcome.refused) {
    // The input gave reports: its damaged parts are kept on their own; parts that are simply
    // not reports (a logo, a readme next to the XML) are no loss. So too when it held a report
    // refused for its domain: kept whole, the input would keep that report, for an admin's retry
    // to store.
    for (const part of damaged) {
      await store.quarantine(
        part.bytes,
        { description: part.source, receivedAt },
        quarantineReason([part]),
        again,
      );
      outcome.failed.push({ source: part.source, error: part.error });
    }
    return outcome;
  }
  if (options.leaveOther && damaged.every((part) => isNoReportFound(part.error))) {
    return { reports: [], failed: [], quarantined: false, other: true };
  }
  const failures: { source: string; error: IngestError }[] = damaged.length > 0 ? damaged : unknown;
  if (failures.length === 0) {
    failures.push({ source, error: new ReportError('no-report-found', {}, { provenance: source }) });
  }
  await store.quarantine(bytes, { description: source, receivedAt }, quarantineReason(failures), again);
  outcome.quarantined = true;
  for (const failure of failures) outcome.failed.push({ source: failure.source, error: failure.error });
  return outcome;
}

/**
 * A mail whose parts were read and none looked like a report (not a damaged one), or that is ARF
 * feedback other than a DMARC failure (an abuse complaint in the same mailbox): mail to leave.
 */
function isNoReportFound(error: IngestError): boolean {
  return (
    error instanceof ReportError &&
    (error.code === 'no-report-found' || error.code === 'failure-other-feedback')
  );
}

type ReportPart = Extract<MessagePart, { kind: 'aggregate' | 'failure' | 'payload' }>;

/**
 * A refused part's bytes, for the quarantine: a parsed report's own, or, once it crossed from a
 * read thread without them, unpacked from its raw copy (cheaper than copying every report's).
 */
async function partBytes(part: ReportPart): Promise<Buffer> {
  if (part.kind === 'payload') return part.payload.bytes;
  return (part.kind === 'aggregate' ? part.xml : part.bytes) ?? (await rawBytes(part.raw));
}

/** The copy a duplicate's outcome kept, and whether it is counted now, as a StoredReport carries them. */
function keptCopy(outcome: InsertOutcome): { copy?: number; recounted?: true } {
  if (outcome.status !== 'duplicate') return {};
  return {
    ...(outcome.copy !== undefined ? { copy: outcome.copy } : {}),
    ...(outcome.gained ? { recounted: true } : {}),
  };
}

async function storePart(
  store: Store,
  part: ReportPart,
  source: ReportSource,
  { batcher, streamParser }: Pick<MessageOptions, 'batcher' | 'streamParser'>,
): Promise<StoredReport> {
  const base = { source: source.description, records: 0, messages: 0 };
  if (part.kind === 'failure') {
    const outcome = await store.insertFailureReport(part.report, part.raw, source);
    return { ...base, kind: 'failure', status: outcome.status, id: outcome.id };
  }
  if (part.kind === 'aggregate' || part.payload.kind === 'aggregate') {
    let outcome: InsertOutcome;
    if (part.kind === 'aggregate') {
      // Reports are parsed ahead (parseAggregates) only to be stored in batches.
      if (!batcher) throw new Error('a parsed aggregate report was given to be stored without a batcher');
      outcome = await batcher.add({ report: part.report, packed: part.raw, source });
    } else {
      const payload = part.payload;
      // A streamed payload's bytes are the raw file (gzip) the store keeps; the XML comes from its stream.
      const xml = payload.stream ? payload.stream.open() : payload.bytes;
      const parse = payload.stream ? streamParser?.(payload) : undefined;
      ({ outcome } = await storeAggregateReport(store, payload.bytes, source, xml, parse));
    }
    return outcome.status === 'stored'
      ? {
          ...base,
          kind: 'aggregate',
          status: 'stored',
          id: outcome.id,
          records: outcome.records,
          messages: outcome.messages,
        }
      : {
          ...base,
          kind: 'aggregate',
          status: 'duplicate',
          id: outcome.id,
          ...keptCopy(outcome),
          ...outcome.gained,
        };
  }
  const payload = part.payload;
  if (payload.kind === 'tls') {
    const report = await parseTlsReport(payload.bytes);
    const outcome = await store.insertTlsReport(report, payload.bytes, source);
    return {
      ...base,
      kind: 'tls',
      status: outcome.status,
      id: outcome.id,
      ...keptCopy(outcome),
    };
  }
  throw new ReportError('unknown-payload', { name: payload.name, start: previewBytes(payload.bytes) });
}

import { hash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  DecompressionBudget,
  type DecompressionLimits,
  UNPACK_MAX_PAYLOAD_BYTES,
  UNPACK_MAX_RATIO,
  UNPACK_MAX_TOTAL_BYTES,
  UNPACK_RATIO_FLOOR_BYTES,
} from './budget.ts';
import { ReportError } from './errors.ts';
import { isDmarcFailureFeedback, isFailureReportMail, parseFailureReport } from './failure.ts';
import { GUNZIP_SYNC_MAX_INPUT_BYTES, gunzip, gunzipChunks } from './gzip.ts';
import { attachmentBytes, MAIL_MAX_PARTS, type MailSummary, parseMail } from './mail.ts';
import { sniff } from './sniff.ts';
import type { FailureReport, Payload, PayloadKind, PayloadStream } from './types.ts';
import { Warnings } from './warnings.ts';
import { ZIP_MAX_ENTRIES, zipEntries } from './zip.ts';

/** Bytes of one input (a mail, an archive, a file). Report mails are under 10 MB. */
export const UNPACK_MAX_INPUT_BYTES = 256 * 1024 * 1024;
/** Containers inside containers: mail > zip > gzip > file is 3; a deeper stack is an attack. */
export const UNPACK_MAX_DEPTH = 6;
/** Files one input may yield in all. */
export const UNPACK_MAX_PAYLOADS = 10_000;
/**
 * Aggregate reports larger than this (decompressed) are yielded as streams when `unpack` is
 * asked to stream: holding 4 MiB is nothing, and a 200,000-record report (133 MB) streamed
 * keeps ingestion under 250 MB where holding it and its gzip twice took 375 MB.
 */
export const UNPACK_STREAM_ABOVE_BYTES = 4 * 1024 * 1024;
/** Chunk size of an `identity` payload stream: the XML reader's own. */
const STREAM_CHUNK = 65_536;

export interface UnpackLimits extends DecompressionLimits {
  maxInputBytes: number;
  maxDepth: number;
  maxPayloads: number;
  maxZipEntries: number;
  maxMailParts: number;
}

export const UNPACK_LIMITS: Readonly<UnpackLimits> = {
  maxInputBytes: UNPACK_MAX_INPUT_BYTES,
  maxDepth: UNPACK_MAX_DEPTH,
  maxPayloads: UNPACK_MAX_PAYLOADS,
  maxZipEntries: ZIP_MAX_ENTRIES,
  maxMailParts: MAIL_MAX_PARTS,
  maxPayloadBytes: UNPACK_MAX_PAYLOAD_BYTES,
  maxTotalBytes: UNPACK_MAX_TOTAL_BYTES,
  maxRatio: UNPACK_MAX_RATIO,
  ratioFloorBytes: UNPACK_RATIO_FLOOR_BYTES,
};

/** A part of the input that could not be unpacked; `bytes` are its raw bytes, for the quarantine. */
export interface UnpackFailure {
  kind: 'error';
  provenance: string;
  name: string;
  bytes: Buffer;
  error: ReportError;
}

export type Unpacked = Payload | UnpackFailure;

export interface UnpackOptions {
  limits?: Partial<UnpackLimits>;
  /**
   * Stream aggregate reports whose content is larger than this many bytes (pass
   * UNPACK_STREAM_ABOVE_BYTES): their payload gets `stream`, and `bytes` are then the raw bytes
   * as they came (the gzip file, not its content). Absent: every payload is held whole.
   */
  streamAbove?: number;
}

interface Context {
  limits: UnpackLimits;
  budget: DecompressionBudget;
  payloads: number;
  streamAbove: number | undefined;
}

/**
 * Opens one input (a mail, gzip, zip, or a report file) and yields every report inside it, one
 * at a time, judged by content rather than declared type: mails are walked part by part (any
 * number of attachments, inline parts, a report as the body), gzip and zip are decompressed,
 * nesting is followed. Whatever cannot be opened is yielded as an `error` item with its
 * provenance, and the rest is still read. A mail that is a failure report (ARF or not) is
 * yielded whole as a `failure` payload; ARF feedback of another type (abuse, fraud...) as an
 * error saying so, as a mail with no report in it is. Parts that are not reports are yielded as `unknown`.
 * With `streamAbove`, a large aggregate report is yielded unread, as a stream (see Payload):
 * damage or a bomb in it then shows as its stream's error when read, not as an `error` item.
 */
export async function* unpack(
  input: Buffer,
  name: string,
  options: UnpackOptions = {},
): AsyncGenerator<Unpacked> {
  const limits = { ...UNPACK_LIMITS, ...options.limits };
  if (input.length > limits.maxInputBytes) {
    yield failure(
      input,
      name,
      name,
      new ReportError('input-too-large', { size: input.length, limit: limits.maxInputBytes }),
    );
    return;
  }
  if (input.length === 0) {
    yield failure(input, name, name, new ReportError('empty-input'));
    return;
  }
  const context: Context = {
    limits,
    budget: new DecompressionBudget(limits),
    payloads: 0,
    streamAbove: options.streamAbove,
  };
  for await (const item of visit(input, name, name, 0, context, null, new Warnings())) {
    if (item.kind !== 'error' && ++context.payloads > limits.maxPayloads) {
      yield failure(input, name, name, new ReportError('too-many-payloads', { limit: limits.maxPayloads }));
      return;
    }
    yield item;
  }
}

/** Every item of `unpack`, in an array: for small inputs and tests. */
export async function unpackAll(
  input: Buffer,
  name: string,
  options: UnpackOptions = {},
): Promise<Unpacked[]> {
  const items: Unpacked[] = [];
  for await (const item of unpack(input, name, options)) items.push(item);
  return items;
}

async function* visit(
  bytes: Buffer,
  name: string,
  provenance: string,
  depth: number,
  context: Context,
  mail: MailSummary | null,
  warnings: Warnings,
  /** The gzip `bytes` were inflated from, when it was one clean member. */
  gzipped?: Buffer,
): AsyncGenerator<Unpacked> {
  const kind = sniff(bytes);
  const container = kind === 'gzip' || kind === 'zip' || kind === 'mail';
  if (container && depth >= context.limits.maxDepth) {
    yield failure(
      bytes,
      name,
      provenance,
      new ReportError('nesting-too-deep', { limit: context.limits.maxDepth }),
    );
    return;
  }
  if (kind === 'gzip') {
    let inner: Buffer | null;
    const read = new Warnings();
    try {
      inner = await gunzipUnlessStreamed(bytes, context, read);
      warnings.addAll(read.list());
    } catch (err) {
      yield failure(bytes, name, provenance, asReportError(err));
      return;
    }
    const innerName = name.replace(/\.(gz|gzip)$/i, '');
    const innerProvenance = `${provenance} > gunzip`;
    if (inner === null) {
      yield gzipStreamPayload(bytes, innerName, innerProvenance, mail, warnings, context.budget);
      return;
    }
    // A clean single-member gzip can be kept as the stored form of its content (no recompressing).
    const clean = read.list().length === 0 ? bytes : undefined;
    yield* visit(inner, innerName, innerProvenance, depth + 1, context, mail, warnings, clean);
    return;
  }
  if (kind === 'zip') {
    yield* visitZip(bytes, name, provenance, depth, context, mail);
    return;
  }
  if (kind === 'mail') {
    yield* visitMail(bytes, name, provenance, depth, context);
    return;
  }
  const item = payload(kind, bytes, name, provenance, mail, warnings);
  if (gzipped && kind === 'aggregate') item.gzipped = gzipped;
  if (kind === 'aggregate' && context.streamAbove !== undefined && bytes.length > context.streamAbove) {
    item.stream = { encoding: 'identity', open: () => Readable.from(slices(bytes), { objectMode: false }) };
  }
  yield item;
}

/**
 * Gunzips `bytes` whole, or, when streaming and the content turns out to be an aggregate
 * report larger than `streamAbove`, stops there and returns null: the report will be read from
 * its payload's stream. Other large content (a zip, a mail, nested gzip) is still held whole,
 * since reading it needs all of it.
 */
async function gunzipUnlessStreamed(
  bytes: Buffer,
  context: Context,
  warnings: Warnings,
): Promise<Buffer | null> {
  const { streamAbove } = context;
  if (streamAbove === undefined) return gunzip(bytes, context.budget, warnings);
  // So small that the ratio cap keeps its content under streamAbove: inflate it whole.
  const { maxRatio, ratioFloorBytes } = context.budget.limits;
  if (
    bytes.length <= GUNZIP_SYNC_MAX_INPUT_BYTES &&
    Math.max(ratioFloorBytes, bytes.length * maxRatio) <= streamAbove
  ) {
    return gunzip(bytes, context.budget, warnings);
  }
  // Warnings are kept only if the content is read here, else the stream finds them again.
  const read = new Warnings();
  const parts: Buffer[] = [];
  let size = 0;
  let sniffed = false;
  for await (const chunk of gunzipChunks(bytes, context.budget, read, true)) {
    parts.push(chunk);
    size += chunk.length;
    if (!sniffed && size > streamAbove) {
      sniffed = true;
      // Leaving the loop closes the inflater; the budget is charged when the stream is read.
      if (sniff(Buffer.concat(parts, size)) === 'aggregate') return null;
    }
  }
  warnings.addAll(read.list());
  return Buffer.concat(parts, size);
}

/**
 * An aggregate report left compressed: `bytes` (and the hash) are the gzip as it came, and
 * `open()` gunzips it anew with the same caps, out of the same input's budget. Its gzip
 * warnings are known once a stream has been read to the end.
 */
function gzipStreamPayload(
  bytes: Buffer,
  name: string,
  provenance: string,
  mail: MailSummary | null,
  warnings: Warnings,
  budget: DecompressionBudget,
): Payload {
  const outer = warnings.list();
  let read = new Warnings();
  const stream: PayloadStream = {
    encoding: 'gzip',
    open: () => {
      read = new Warnings();
      return Readable.from(gunzipChunks(bytes, budget, read), { objectMode: false });
    },
  };
  return {
    kind: 'aggregate',
    provenance,
    name,
    bytes,
    sha256: sha256Hex(bytes),
    mail,
    get warnings() {
      const all = new Warnings();
      all.addAll(outer);
      all.addAll(read.list());
      return all.list();
    },
    stream,
  };
}

/** Bytes held whole, in the chunks a payload's stream gives (an identity stream's, a parse on a thread's). */
export function* slices(bytes: Buffer): Generator<Buffer> {
  for (let at = 0; at < bytes.length; at += STREAM_CHUNK) yield bytes.subarray(at, at + STREAM_CHUNK);
}

async function* visitZip(
  bytes: Buffer,
  name: string,
  provenance: string,
  depth: number,
  context: Context,
  mail: MailSummary | null,
): AsyncGenerator<Unpacked> {
  try {
    for await (const entry of zipEntries(bytes, context.budget, context.limits.maxZipEntries)) {
      const where = `${provenance} > entry ${entry.name}`;
      if ('error' in entry) yield failure(bytes, entry.name, where, entry.error);
      else yield* visit(entry.bytes, entry.name, where, depth + 1, context, mail, new Warnings());
    }
  } catch (err) {
    yield failure(bytes, name, provenance, asReportError(err));
  }
}

async function* visitMail(
  bytes: Buffer,
  name: string,
  provenance: string,
  depth: number,
  context: Context,
): AsyncGenerator<Unpacked> {
  let parsed: Awaited<ReturnType<typeof parseMail>>;
  try {
    parsed = await parseMail(bytes, context.limits.maxMailParts);
  } catch (err) {
    yield failure(bytes, name, provenance, asReportError(err));
    return;
  }
  const attachments = parsed.email.attachments.map((attachment) => ({
    attachment,
    bytes: attachmentBytes(attachment),
  }));
  if (
    isFailureReportMail(
      parsed,
      attachments.map((a) => sniff(a.bytes)),
    )
  ) {
    let report: FailureReport;
    try {
      report = await parseFailureReport(bytes, parsed);
    } catch (err) {
      yield failure(bytes, name, provenance, asReportError(err));
      return;
    }
    if (!isDmarcFailureFeedback(report)) {
      const feedbackType = (report.feedbackType ?? '').slice(0, 60);
      yield failure(bytes, name, provenance, new ReportError('failure-other-feedback', { feedbackType }));
      return;
    }
    yield { ...payload('failure', bytes, name, provenance, parsed.summary, new Warnings()), failure: report };
    return;
  }
  let found = 0;
  for (const [index, { attachment, bytes: partBytes }] of attachments.entries()) {
    const partName = attachment.filename ?? `part ${index + 1}`;
    const where = `${provenance} > attachment ${index + 1} ${attachment.filename ?? attachment.mimeType}`;
    for await (const item of visit(
      partBytes,
      partName,
      where,
      depth + 1,
      context,
      parsed.summary,
      new Warnings(),
    )) {
      found++;
      yield item;
    }
  }
  // Some reporters put the XML or JSON in the body itself.
  const body = parsed.email.text?.trim();
  if (body && (body.startsWith('<') || body.startsWith('{'))) {
    // postal-mime decoded the body by the mail's charset, and its bytes here are UTF-8: an XML
    // declaration naming the charset it was sent in (ISO-8859-1) would have it decoded twice.
    const bodyBytes = Buffer.from(
      body.replace(/^(<\?xml\s[^>]*?encoding\s*=\s*)(["'])[^"']*\2/, '$1$2UTF-8$2'),
    );
    const kind = sniff(bodyBytes);
    if (kind === 'aggregate' || kind === 'tls') {
      found++;
      yield payload(kind, bodyBytes, name, `${provenance} > body`, parsed.summary, new Warnings());
    }
  }
  if (found === 0) yield failure(bytes, name, provenance, new ReportError('no-report-found'));
}

function payload(
  kind: PayloadKind,
  bytes: Buffer,
  name: string,
  provenance: string,
  mail: MailSummary | null,
  warnings: Warnings,
): Payload {
  return {
    kind,
    provenance,
    name,
    bytes,
    sha256: sha256Hex(bytes),
    mail,
    warnings: warnings.list(),
  };
}

function failure(bytes: Buffer, name: string, provenance: string, error: ReportError): UnpackFailure {
  if (error.provenance === undefined) error.provenance = provenance;
  return { kind: 'error', provenance, name, bytes, error };
}

function asReportError(err: unknown): ReportError {
  if (err instanceof ReportError) return err;
  throw err;
}

/** As store/raw.ts's: one call, no Hash object. */
function sha256Hex(bytes: Buffer): string {
  return hash('sha256', bytes, 'hex');
}

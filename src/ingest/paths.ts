/**
 * `sumi ingest PATH...`: files, directories, mbox files, Maildir folders and stdin, several
 * inputs at a time (bounded), each report stored in its own transaction.
 */
import { sniff } from '../reports/sniff.ts';
import type { Payload } from '../reports/types.ts';
import type { UnpackLimits } from '../reports/unpack.ts';
import type { EngineKind } from '../store/engine.ts';
import { PG_POOL_SIZE } from '../store/open.ts';
import type { Store } from '../store/types.ts';
import type { AggregateParser } from './aggregate.ts';
import { AggregateBatcher } from './batch.ts';
import {
  expandFile,
  InputError,
  type InputMessage,
  inputMessages,
  type ScannedPath,
  scanPaths,
} from './inputs.ts';
import { ingestMessage, type MessageOptions, storeMessage } from './message.ts';
import type { MessagePart } from './read.ts';
import { defaultReadThreads, MAIL_BYTES_FOR_MORE_THREADS, mailReadThreads, ReadPool } from './read-pool.ts';
import { addOutcome, emptyTotals, type IngestProgress, type IngestTotals } from './totals.ts';

/**
 * Inputs processed at once. Parsing and SQLite writes share one thread, so more buys little;
 * a few hide file reads and let PostgreSQL commit while the next report is parsed.
 */
export const INGEST_CONCURRENCY = 4;
/**
 * On PostgreSQL reports commit in parallel, each on its own pooled connection: one short of
 * the pool, so the reporter upsert (outside the report's transaction) always finds one.
 * Measured on 1,000 reports: 9.4 s with 4 at once, 6.4 s with 9.
 */
export const INGEST_CONCURRENCY_POSTGRES = PG_POOL_SIZE - 1;
/**
 * Inputs in flight when small reports are stored in batches: each waits for its batch to
 * commit, so enough must be in flight to fill one while the previous is written.
 */
export const INGEST_CONCURRENCY_BATCHED: Readonly<Record<EngineKind, number>> = {
  sqlite: 128,
  postgres: 512,
};
/** Fewer inputs than this are read on the main thread: starting threads costs more. */
export const READ_THREADS_MIN_INPUTS = 64;

/**
 * Bytes of input held at once, whatever the number of inputs in flight: many small reports at
 * a time, but never hundreds of large mails at a time.
 */
export const INGEST_MAX_BYTES_IN_FLIGHT = 64 * 1024 * 1024;

/** Waits until `bytes` more fit in the budget; an input larger than the whole budget waits to run alone. */
class ByteBudget {
  #used = 0;
  #waiting: { bytes: number; go: () => void }[] = [];

  async take(bytes: number): Promise<number> {
    const wanted = Math.min(bytes, INGEST_MAX_BYTES_IN_FLIGHT);
    if (this.#used > 0 && this.#used + wanted > INGEST_MAX_BYTES_IN_FLIGHT) {
      await new Promise<void>((go) => this.#waiting.push({ bytes: wanted, go }));
    } else this.#used += wanted;
    return wanted;
  }

  give(bytes: number): void {
    this.#used -= bytes;
    while (this.#waiting.length > 0) {
      const next = this.#waiting[0]!;
      if (this.#used > 0 && this.#used + next.bytes > INGEST_MAX_BYTES_IN_FLIGHT) break;
      this.#waiting.shift();
      this.#used += next.bytes;
      next.go();
    }
  }
}

export interface IngestPathsOptions {
  store: Store;
  onProgress?: (progress: IngestProgress) => void;
  /** Where `-` reads from (default: process.stdin). */
  stdin?: AsyncIterable<Uint8Array>;
  concurrency?: number;
  /**
   * Store small aggregate reports in batches, a transaction per batch (default true); false: a
   * transaction per report, each committed before the next input is taken.
   */
  batch?: boolean;
  /**
   * Threads reading inputs (unpacking, parsing) while this one stores, when batching and there
   * are at least READ_THREADS_MIN_INPUTS inputs; default: one per core beside this one, up to
   * READ_THREADS_MAX, and one per core once MAILS_BEFORE_MORE_THREADS mails have come with
   * much input left (see mailReadThreads). 0: read on this thread.
   */
  readThreads?: number;
  /** Keep the rollups of batched reports (default true); false only to measure their cost. */
  rollup?: boolean;
  /**
   * A mail with nothing like a report in it (someone's own mail in a Maildir or mbox the reports
   * share) is left as it is: not quarantined, not a failure, counted in `otherMail`
   * (MessageOptions.leaveOther). Only mail: a file that is not a report and not a mail still fails.
   */
  leaveOtherMail?: boolean;
  maxMessageBytes?: number;
  limits?: Partial<UnpackLimits>;
  signal?: AbortSignal;
  /**
   * Called when `signal` stopped the run with inputs (or an mbox's mails) not read: a stop that
   * came once every input was taken (the last reports being committed) leaves nothing undone.
   */
  onCutShort?: () => void;
}

/**
 * Ingests every input under `paths`, adding what they gave to `totals` as each report commits.
 * Rejects on a runtime failure (the store failing): `totals` then says what was stored before
 * it. Inputs that are not reports, or cannot be read, are in `failed`. Throws the file system's
 * error (ENOENT...) before doing anything when a given path does not exist.
 */
export async function ingestPaths(
  paths: readonly string[],
  options: IngestPathsOptions,
  totals: IngestTotals = emptyTotals(),
): Promise<IngestTotals> {
  const run = new IngestRun(options);
  let scanned: ScannedPath[];
  try {
    // Read threads start once enough inputs are found: they boot while the rest is scanned.
    scanned = await scanPaths(paths, { found: (count) => run.found(count), skip: options.store.files });
  } catch (error) {
    await run.abandon();
    throw error;
  }
  await run.ingest(scanned, totals);
  return totals;
}

/**
 * Ingests inputs already scanned (a watched folder's new files, see watch.ts), adding what they
 * gave to `totals`.
 */
export async function ingestScanned(
  scanned: readonly ScannedPath[],
  options: IngestPathsOptions,
  totals: IngestTotals,
): Promise<void> {
  const run = new IngestRun(options);
  run.found(scanned.length);
  await run.ingest(scanned, totals);
}

/**
 * Decompressed size from which a streamed aggregate report is parsed on a thread of its own when
 * the run has no read threads (a few inputs) and the store is PostgreSQL: starting one costs
 * 0.2-0.4 s, what it saves is about the smaller of parsing and storing the report. Not on
 * SQLite, the embedded default, held to a small footprint: there the thread took a report of
 * 200,000 records (133 MB of XML) from 10.5-11.3 s to 8.8-9.2 s, but its peak RSS from 214-222 MB
 * to 228-256 MB, over the 250 MB such a report is allowed.
 */
export const STREAM_THREAD_MIN_BYTES = 16 * 1024 * 1024;

/** One ingest of scanned inputs: its batcher, and its read threads once enough inputs are found. */
class IngestRun {
  readonly #options: IngestPathsOptions;
  readonly #threads: number;
  readonly #threadsForMail: number;
  readonly #batcher: AggregateBatcher | undefined;
  #pool: ReadPool | undefined;
  /** A thread for large streamed reports, when the run has no read threads. */
  #streamPool: ReadPool | undefined;

  constructor(options: IngestPathsOptions) {
    this.#options = options;
    this.#threads = options.readThreads ?? defaultReadThreads();
    this.#threadsForMail = options.readThreads ?? mailReadThreads();
    this.#batcher =
      (options.batch ?? true)
        ? new AggregateBatcher(options.store, {
            insert: { rollup: options.rollup ?? true },
            readers: this.#threads,
            ...(options.concurrency !== undefined ? { inFlight: options.concurrency } : {}),
          })
        : undefined;
  }

  /** `count` inputs are known: enough of them are worth read threads. */
  found(count: number): void {
    if (!this.#pool && this.#batcher && this.#threads > 0 && count >= READ_THREADS_MIN_INPUTS)
      this.#pool = new ReadPool(this.#threads, this.#threadsForMail);
  }

  /**
   * Where a streamed report is parsed: on a read thread (while this one stores its records) when
   * the run has them, or on one of its own for a large report into PostgreSQL.
   */
  readonly #streamParser = (payload: Payload): AggregateParser | undefined => {
    if (this.#threads === 0) return undefined;
    if (this.#pool === undefined) {
      const worthIt =
        this.#options.store.engine === 'postgres' && streamedSize(payload) >= STREAM_THREAD_MIN_BYTES;
      if (!worthIt) return undefined;
      this.#streamPool ??= new ReadPool(1, 1, true);
    }
    const pool = this.#pool ?? this.#streamPool!;
    const { engine } = this.#options.store;
    return (xml, handlers) => pool.parseAggregate(xml, { ...handlers, engine });
  };

  /** Stops the read threads of a run that will not ingest (its scan failed). */
  async abandon(): Promise<void> {
    await this.#pool?.close();
  }

  async ingest(scanned: readonly ScannedPath[], totals: IngestTotals): Promise<void> {
    const options = this.#options;
    const batcher = this.#batcher;
    const hasStdin = scanned.some((s) => 'stdin' in s);
    const progress: IngestProgress = {
      totals,
      bytesDone: 0,
      totalBytes: hasStdin ? null : scanned.reduce((sum, s) => sum + ('size' in s ? s.size : 0), 0),
      inputsTotal: null,
    };
    const concurrency =
      options.concurrency ??
      (batcher
        ? INGEST_CONCURRENCY_BATCHED[options.store.engine]
        : options.store.engine === 'postgres'
          ? INGEST_CONCURRENCY_POSTGRES
          : INGEST_CONCURRENCY);
    const budget = new ByteBudget();
    // Mail among the inputs, with much left to read: the read threads get the main thread's core.
    const onMail = () => {
      const left =
        progress.totalBytes === null ? Number.POSITIVE_INFINITY : progress.totalBytes - progress.bytesDone;
      if (left >= MAIL_BYTES_FOR_MORE_THREADS) this.#pool?.forMail();
    };
    // With read threads, whole files are read there too (reading 10,000 small files took the
    // main thread longer than storing them).
    const messages = inputMessages(scanned, {
      stdin: options.stdin ?? (hasStdin ? process.stdin : undefined),
      ...(options.maxMessageBytes ? { maxMessageBytes: options.maxMessageBytes } : {}),
      lazyFiles: this.#pool !== undefined,
    });
    // Many inputs: the engine set up for a long run of writes (SQLite checkpoints aside).
    const writing = this.#pool ? options.store.writingInBulk : (work: () => Promise<void>) => work();
    await writing(async () => {
      try {
        let pulled = 0;
        const whole = await eachBounded(messages, concurrency, options.signal, async (input) => {
          // The mails of a large mbox count too: read threads start once enough inputs come,
          // however few files held them.
          this.found(++pulled);
          const pool = this.#pool;
          const held = await budget.take(input.size);
          try {
            await ingestInput(options.store, input, totals, {
              ...(options.limits ? { limits: options.limits } : {}),
              ...(batcher ? { batcher } : {}),
              ...(pool ? { pool } : {}),
              onMail,
              concurrency,
              streamParser: this.#streamParser,
              ...(options.leaveOtherMail ? { leaveOtherMail: true } : {}),
              ...(options.signal ? { signal: options.signal } : {}),
              ...(options.onCutShort ? { onCutShort: options.onCutShort } : {}),
            });
          } finally {
            budget.give(held);
          }
          progress.bytesDone += input.size;
          options.onProgress?.(progress);
        });
        if (!whole) options.onCutShort?.();
      } finally {
        await batcher?.flush();
        await this.#pool?.close();
        await this.#streamPool?.close();
      }
    });
  }
}

/**
 * One input: read, ingest, count. Input errors are counted as failures; store errors propagate.
 * A file a read thread found to be an mbox has its mails ingested `concurrency` at a time (on
 * the read threads too), as the inputs of a run are.
 */
export async function ingestInput(
  store: Store,
  input: InputMessage,
  totals: IngestTotals,
  options: {
    limits?: Partial<UnpackLimits>;
    batcher?: AggregateBatcher;
    pool?: ReadPool;
    concurrency?: number;
    signal?: AbortSignal;
    /** Called for each input that is a mail (known before reading it, or found by a read thread). */
    onMail?: () => void;
    streamParser?: MessageOptions['streamParser'];
    /** IngestPathsOptions.leaveOtherMail. */
    leaveOtherMail?: boolean;
    /** IngestPathsOptions.onCutShort: an mbox's mails left unread. */
    onCutShort?: () => void;
  } = {},
): Promise<void> {
  const { pool, concurrency = 1, signal, onMail, leaveOtherMail, onCutShort, ...messageOptions } = options;
  if (input.mail) onMail?.();
  const readOptions = {
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.batcher ? { parseAggregates: store.engine } : {}),
  };
  let bytes: Buffer;
  let parts: MessagePart[] | null | undefined;
  /** Whether the input is a mail: known from where it was (a Maildir, an mbox), else from its bytes. */
  let mail = input.mail === true;
  if (pool && input.file) {
    const read = await pool.readFile(input.file, input.name, input.source, readOptions);
    if (read.kind === 'unreadable') {
      unreadable(totals, input, read.error);
      return;
    }
    if (read.kind === 'parts' && read.mail) onMail?.();
    if (read.kind === 'mbox') {
      // One at a time, each mail waited for its batch (BATCH_WAIT_MS) alone: 2,000 mails took 45 s.
      const whole = await eachBounded(expandFile(input, read.bytes), concurrency, signal, (message) =>
        ingestInput(store, message, totals, {
          ...messageOptions,
          pool,
          ...(onMail ? { onMail } : {}),
          ...(leaveOtherMail ? { leaveOtherMail } : {}),
        }),
      );
      if (!whole) onCutShort?.();
      return;
    }
    ({ bytes, parts } = read);
    if (read.mail) mail = true;
  } else {
    try {
      bytes = await input.load();
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      unreadable(totals, input, error);
      return;
    }
    parts = await pool?.read(bytes, input.name, input.source, readOptions);
    if (leaveOtherMail && !mail) mail = sniff(bytes) === 'mail';
  }
  const leaveOther = leaveOtherMail && mail ? { leaveOther: true } : {};
  const outcome = parts
    ? await storeMessage(store, parts, bytes, input.source, {
        receivedAt: input.receivedAt,
        ...(options.batcher ? { batcher: options.batcher } : {}),
        ...(options.streamParser ? { streamParser: options.streamParser } : {}),
        ...leaveOther,
      })
    : await ingestMessage(store, bytes, input.name, input.source, {
        receivedAt: input.receivedAt,
        ...messageOptions,
        ...leaveOther,
      });
  addOutcome(totals, outcome);
}

/** Too large to read or unreadable: nothing to keep, the input stays where it is. */
function unreadable(totals: IngestTotals, input: InputMessage, error: InputError): void {
  totals.inputs++;
  totals.failed.push({ source: input.source, error });
}

/**
 * A streamed report's decompressed size as far as its bytes tell: a gzip's trailer holds its
 * (last member's) size, modulo 2^32.
 */
function streamedSize(payload: Payload): number {
  const { bytes } = payload;
  if (payload.stream?.encoding !== 'gzip') return bytes.length;
  return bytes.length >= 18 ? bytes.readUInt32LE(bytes.length - 4) : 0;
}

/**
 * Runs `work` on each item (of an async source, or a list) with at most `limit` at once, pulling
 * the next item only when a slot is free (so a lazy source is read no further ahead than that). The first failure stops the
 * pulling; the ones running finish, then it rejects. Resolves with whether every item was taken:
 * false when `signal` stopped the pulling before the source was seen to end.
 */
export async function eachBounded<T>(
  items: AsyncIterable<T> | Iterable<T>,
  limit: number,
  signal: AbortSignal | undefined,
  work: (item: T) => Promise<void>,
): Promise<boolean> {
  const iterator: AsyncIterator<T> | Iterator<T> =
    Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : items[Symbol.iterator]();
  let failure: { error: unknown } | null = null;
  let ended = false;
  let pulling = Promise.resolve();
  // Pulls are chained: an async generator must not be asked for two items at once.
  const pull = (): Promise<IteratorResult<T>> => {
    const next = pulling.then(() => iterator.next());
    pulling = next.then(
      () => {},
      () => {},
    );
    return next;
  };
  const worker = async (): Promise<void> => {
    while (failure === null && !signal?.aborted) {
      const next = await pull();
      if (next.done) {
        ended = true;
        return;
      }
      await work(next.value);
    }
  };
  const workers = Array.from({ length: Math.max(1, limit) }, () =>
    worker().catch((error: unknown) => {
      failure ??= { error };
    }),
  );
  await Promise.all(workers);
  // Stopped early (failure or abort): close the source (open files, streams).
  await iterator.return?.(undefined);
  if (failure !== null) throw (failure as { error: unknown }).error;
  return ended || !signal?.aborted;
}

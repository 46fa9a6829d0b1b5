/**
 * A large aggregate report parsed on a read thread while the main thread stores its records.
 * A streamed report (too large to hold: 200,000 records are 133 MB of XML) was decompressed,
 * parsed and written on the main thread in turn, so parsing and writing took their sum; now the
 * main thread decompresses and writes, the thread parses, and the two overlap.
 *
 * The main thread sends the XML in chunks (moved, not copied), at most CHUNKS_AHEAD ahead of
 * what the thread has taken; the thread sends the header, the records in batches of
 * RECORDS_PER_BATCH made into the store's rows (as a read thread does for small reports: rows
 * cross threads for a third of what record objects cost), at most BATCHES_AHEAD ahead of what
 * the main thread has stored, then the report without its records, or the error that ended it. Memory holds a few chunks and batches
 * whatever the report's size. Either side may stop: the main thread when the store needs no more
 * (a duplicate) or its input fails, the thread when the XML does.
 */
import type { MessagePort } from 'node:worker_threads';
import { type AggregateParseOptions, parseAggregateReport } from '../reports/aggregate.ts';
import { ReportError, type ReportErrorArgs, type ReportErrorCode } from '../reports/errors.ts';
import type { AggregateRecord, AggregateReport, AggregateReportHeader } from '../reports/types.ts';
import { slices } from '../reports/unpack.ts';
import type { XmlInput } from '../reports/xml-input.ts';
import { type PreparedRows, prepareRecords } from '../store/aggregate-rows.ts';
import type { EngineKind } from '../store/engine.ts';
import { StoreInputError, type StoreInputErrorArgs, type StoreInputErrorCode } from '../store/errors.ts';

/** Chunks of XML sent and not yet taken by the parser. */
const CHUNKS_AHEAD = 4;
/** Records sent to the main thread at once. */
export const RECORDS_PER_BATCH = 1_000;
/** Batches of records sent and not yet stored. */
const BATCHES_AHEAD = 4;

/** From the main thread, about stream `stream`. */
export type StreamRequest = { stream: number } & (
  | { open: { engine: EngineKind; limits?: AggregateParseOptions['limits'] } }
  | { chunk: Uint8Array }
  | { end: true }
  /** A batch of records was stored. */
  | { stored: true }
  | { cancel: true }
);

/** From the thread, about stream `stream`. */
export type StreamAnswer = { stream: number } & (
  | { header: AggregateReportHeader }
  | { rows: PreparedRows }
  /** A record the store would refuse (a negative count...): the report is. */
  | { refused: { code: StoreInputErrorCode; args: StoreInputErrorArgs } }
  /** A chunk was taken by the parser. */
  | { taken: true }
  | { done: AggregateReport }
  | { error: { code: ReportErrorCode; args: ReportErrorArgs } }
  /** A bug, not a problem of the report. */
  | { failure: string }
);

export function isStreamAnswer(message: object): message is StreamAnswer {
  return 'stream' in message;
}

/** What a parse on a thread is given: the engine to make rows for, and where they go. */
export interface StreamParseOptions extends Omit<AggregateParseOptions, 'onRecord'> {
  engine: EngineKind;
  /** Each batch of records as rows, in order; a returned promise is awaited before the next. */
  onRows: (rows: PreparedRows) => void | Promise<void>;
}

/** Thrown into a parse the other side stopped. */
class Stopped extends Error {}

/** Ends a parse whose records the store would refuse. */
class Refused extends Error {
  constructor(readonly refused: { code: StoreInputErrorCode; args: StoreInputErrorArgs }) {
    super(refused.code);
  }
}

/** A queue of values one side waits on, ended or failed by the other. */
class Waiting<T> {
  readonly #items: T[] = [];
  #ended = false;
  #error: unknown = null;
  #wake: (() => void) | null = null;

  get length(): number {
    return this.#items.length;
  }

  push(item: T): void {
    this.#items.push(item);
    this.#poke();
  }

  end(): void {
    this.#ended = true;
    this.#poke();
  }

  fail(error: unknown): void {
    this.#error ??= error;
    this.#poke();
  }

  /** The next value; undefined once ended. */
  async next(): Promise<T | undefined> {
    while (true) {
      if (this.#error !== null) throw this.#error;
      if (this.#items.length > 0) return this.#items.shift();
      if (this.#ended) return undefined;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  #poke(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}

/** A count of credits one side spends and the other gives back; spending waits while there are none. */
class Credits {
  #left: number;
  #stopped: unknown = null;
  #wake: (() => void) | null = null;

  constructor(count: number) {
    this.#left = count;
  }

  async spend(): Promise<void> {
    while (this.#left === 0 && this.#stopped === null) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
    if (this.#stopped !== null) throw this.#stopped;
    this.#left--;
  }

  give(): void {
    this.#left++;
    this.#poke();
  }

  stop(error: unknown): void {
    this.#stopped ??= error;
    this.#poke();
  }

  #poke(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}

/**
 * The main thread's side of one stream: `parse` is parseAggregateReport done on the thread (the
 * header to `onHeader`, then the records made into rows a batch at a time to `onRows`, each
 * awaited in order, then the report; a ReportError if the XML is bad, a StoreInputError if a
 * record is one the store refuses). `send` posts to the thread (with the chunk's buffer moved);
 * answers come through `receive`.
 */
export class StreamParse {
  readonly #id: number;
  readonly #send: (request: StreamRequest, move?: ArrayBuffer[]) => void;
  readonly #answers = new Waiting<StreamAnswer>();
  readonly #chunks = new Credits(CHUNKS_AHEAD);

  constructor(id: number, send: (request: StreamRequest, move?: ArrayBuffer[]) => void) {
    this.#id = id;
    this.#send = send;
  }

  receive(answer: StreamAnswer): void {
    if ('taken' in answer) this.#chunks.give();
    else this.#answers.push(answer);
  }

  /** The thread is gone (the pool closed, or it crashed). */
  fail(error: unknown): void {
    this.#answers.fail(error);
    this.#chunks.stop(error);
  }

  async parse(xml: XmlInput, options: StreamParseOptions): Promise<AggregateReport> {
    const stream = this.#id;
    const { engine, limits } = options;
    this.#send({ stream, open: { engine, ...(limits ? { limits } : {}) } });
    const feeding = this.#feed(xml);
    // Until the answers are read, a failed feed is seen through them (feed fails them too).
    feeding.catch(() => {});
    try {
      while (true) {
        const answer = await this.#answers.next();
        if (answer === undefined) throw new Error('a read thread ended a parse without a report');
        if ('header' in answer) await options.onHeader?.(answer.header);
        else if ('rows' in answer) {
          await options.onRows(answer.rows);
          this.#send({ stream, stored: true });
        } else if ('done' in answer) {
          await feeding;
          return answer.done;
        } else if ('error' in answer) throw new ReportError(answer.error.code, answer.error.args);
        else if ('refused' in answer) throw new StoreInputError(answer.refused.code, answer.refused.args);
        else if ('failure' in answer)
          throw new Error(`parsing a report on a read thread failed: ${answer.failure}`);
      }
    } catch (error) {
      this.#send({ stream, cancel: true });
      this.#chunks.stop(error);
      // The input's own failure (a gzip cut short) is the reason, not the parse it stopped.
      let reason = error;
      await feeding.catch((feedError: unknown) => {
        reason = feedError;
      });
      throw reason;
    }
  }

  async #feed(xml: XmlInput): Promise<void> {
    const stream = this.#id;
    try {
      const chunks =
        typeof xml === 'string'
          ? slices(Buffer.from(xml))
          : xml instanceof Uint8Array
            ? slices(Buffer.from(xml.buffer, xml.byteOffset, xml.byteLength))
            : xml;
      for await (const chunk of chunks) {
        await this.#chunks.spend();
        // A copy of its own to move: a chunk (a Buffer made from a string too) may be a view into
        // a buffer shared with others (Node copies its own pool whole rather than move it).
        const bytes = new Uint8Array(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
        this.#send({ stream, chunk: bytes }, [bytes.buffer as ArrayBuffer]);
      }
      this.#send({ stream, end: true });
    } catch (error) {
      // The input failed (a gzip cut short): the parse waiting on the thread stops with its error.
      // Or the parse stopped the chunks: it has its error already, and this changes nothing.
      this.#answers.fail(error);
      throw error;
    }
  }
}

/**
 * The thread's side: serves the streams the main thread opens on `port`. Each is parsed by
 * parseAggregateReport as its chunks come.
 */
export class StreamServer {
  readonly #post: (answer: StreamAnswer) => void;
  readonly #streams = new Map<number, { chunks: Waiting<Uint8Array>; stored: Credits }>();

  constructor(port: Pick<MessagePort, 'postMessage'>) {
    this.#post = (answer) => port.postMessage(answer);
  }

  handle(request: StreamRequest): void {
    const id = request.stream;
    if ('open' in request) {
      this.#open(id, request.open.engine, request.open.limits);
      return;
    }
    const open = this.#streams.get(id);
    if (open === undefined) return;
    if ('chunk' in request) open.chunks.push(request.chunk);
    else if ('end' in request) open.chunks.end();
    else if ('stored' in request) open.stored.give();
    else {
      open.chunks.fail(new Stopped());
      open.stored.stop(new Stopped());
    }
  }

  #open(stream: number, engine: EngineKind, limits: AggregateParseOptions['limits']): void {
    const chunks = new Waiting<Uint8Array>();
    const stored = new Credits(BATCHES_AHEAD);
    this.#streams.set(stream, { chunks, stored });
    const post = this.#post;
    async function* xml(): AsyncGenerator<Uint8Array> {
      while (true) {
        const chunk = await chunks.next();
        if (chunk === undefined) return;
        post({ stream, taken: true });
        yield chunk;
      }
    }
    let batch: AggregateRecord[] = [];
    let header: AggregateReportHeader | undefined;
    let sent = 0;
    const send = async () => {
      const rows = prepareRecords(engine, header!, batch, sent);
      if ('refused' in rows) throw new Refused(rows.refused);
      await stored.spend();
      post({ stream, rows });
      sent += batch.length;
      batch = [];
    };
    parseAggregateReport(xml(), {
      ...(limits ? { limits } : {}),
      onHeader: (read) => {
        header = read;
        post({ stream, header: read });
      },
      onRecord: (record) => {
        batch.push(record);
        return batch.length >= RECORDS_PER_BATCH ? send() : undefined;
      },
    })
      .then(async (report) => {
        if (batch.length > 0) await send();
        post({ stream, done: report });
      })
      .catch((error: unknown) => {
        if (error instanceof Stopped) return;
        if (error instanceof Refused) post({ stream, refused: error.refused });
        else if (error instanceof ReportError)
          post({ stream, error: { code: error.code, args: error.args } });
        else post({ stream, failure: (error as Error).stack ?? String(error) });
      })
      .finally(() => this.#streams.delete(stream));
  }
}

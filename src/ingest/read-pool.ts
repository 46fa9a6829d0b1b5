/**
 * Threads that read inputs (unpack, parse, hash and compress, make records into the store's
 * rows: readMessage) while the main thread stores what they found. Parsing and writing each
 * took about half of an ingest's time on one thread; on two they overlap.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ReportError, type ReportErrorArgs, type ReportErrorCode } from '../reports/errors.ts';
import type { AggregateReport } from '../reports/types.ts';
import type { XmlInput } from '../reports/xml-input.ts';
import { type FileAt, InputError } from './inputs.ts';
import type { MessagePart, ReadOptions } from './read.ts';
import { isStreamAnswer, type StreamAnswer, StreamParse, type StreamParseOptions } from './stream-parse.ts';

/** Threads at most: one per core beside the main thread's, which writes to the store. */
export const READ_THREADS_MAX = 4;

export function defaultReadThreads(): number {
  return Math.max(1, Math.min(READ_THREADS_MAX, availableParallelism() - 1));
}

/**
 * Threads for mail: one per core, the main thread's too. Reading a report mail (MIME, base64,
 * gunzip, parse) costs several times what storing its reports does, so the main thread idles
 * most of its core: on 2 cores a Maildir of 20,000 report mails went in 6.4-7.0 s with one read
 * thread and 5.3-5.7 s with two (SQLite), 8.6-10.9 s and 6.2-7.5 s (PostgreSQL). Report files are
 * not: a second thread made the ingest bench's 10,000 files slower. Nor is a little mail: a
 * thread's start and warm-up cost more than it saves below some 5,000 mails (MAIL_BYTES_FOR_MORE_THREADS).
 */
export function mailReadThreads(): number {
  return Math.max(1, Math.min(READ_THREADS_MAX, availableParallelism()));
}

/** Mails read before a pool grows to its size for mail: a few mails among report files change nothing. */
export const MAILS_BEFORE_MORE_THREADS = 64;

/**
 * Input left to read, in bytes, for a mail to count toward MAILS_BEFORE_MORE_THREADS: `npm run
 * bench -- mail` on 2 cores, 2,000 mails (2.4 MB) took 1.1-1.3 s with one thread and 0.2 s more
 * with a second started, 10,000 (12 MB) 10-24% less time with it.
 */
export const MAIL_BYTES_FOR_MORE_THREADS = 8 * 1024 * 1024;

/** An input to read: its bytes, or a file the thread reads itself (a whole file, see InputMessage.file). */
export interface ReadRequest {
  id: number;
  input: { bytes: Uint8Array } | { file: FileAt & { maildir: boolean; max: number } };
  name: string;
  source: string;
  options: ReadOptions;
}

export type ReadResponse =
  /** `mail`: the file read is a mail. */
  | { id: number; parts: WirePart[]; bytes?: Uint8Array; mail?: true }
  /** The input holds a report too large to read whole: the main thread streams it itself. */
  | { id: number; deferred: true; bytes?: Uint8Array; mail?: true }
  /** The file is an mbox: the main thread splits it into its mails. */
  | { id: number; mbox: true; bytes: Uint8Array }
  /** The file could not be read (InputError's fields). */
  | {
      id: number;
      inputError: { code: InputError['code']; args: Record<string, string | number>; message: string };
    }
  /** A bug in reading: the ingest stops, as it would on the main thread. */
  | { id: number; failure: string };

/** What reading a file on a thread gave: its parts (null: read it on the main thread) and bytes, or an mbox. */
export type FileRead =
  /** `mail`: the file is a mail (a folder of .eml files is mail as much as a Maildir is). */
  | { kind: 'parts'; parts: MessagePart[] | null; bytes: Buffer; mail?: true }
  | { kind: 'mbox'; bytes: Buffer }
  | { kind: 'unreadable'; error: InputError };

/** A ReportError as it crosses threads (its class does not). */
interface WireError {
  code: ReportErrorCode;
  args: ReportErrorArgs;
  provenance: string | undefined;
}

type WirePart =
  | Exclude<MessagePart, { kind: 'damaged' | 'unknown' }>
  | { kind: 'damaged'; where: string; bytes: Uint8Array; error: WireError }
  | { kind: 'unknown'; where: string; error: WireError };

/**
 * A part as it crosses threads. An aggregate report's records are rows already (flat lists of
 * strings and numbers, see PreparedRecords): structured clone of records as objects cost more
 * than parsing them (measured on 3,000 of the bench's reports: 150 ms to serialize and 120 ms
 * to deserialize as objects, 50 and 50 ms flat).
 */
export function toWire(part: MessagePart): WirePart {
  if (part.kind === 'aggregate') return { ...part, xml: null };
  if (part.kind === 'failure') return { ...part, bytes: null };
  if (part.kind === 'damaged' || part.kind === 'unknown') {
    const { code, args, provenance } = part.error;
    return { ...part, error: { code, args, provenance } };
  }
  return part;
}

/** Buffers arrive as plain Uint8Arrays: the store and the parsers want Buffers. */
function buffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function fromWire(part: WirePart): MessagePart {
  switch (part.kind) {
    case 'damaged':
      return { ...part, bytes: buffer(part.bytes), error: reportError(part.error) };
    case 'unknown':
      return { ...part, error: reportError(part.error) };
    case 'aggregate':
    case 'failure':
      return { ...part, raw: { ...part.raw, data: buffer(part.raw.data) } };
    case 'payload':
      return {
        ...part,
        payload: {
          ...part.payload,
          bytes: buffer(part.payload.bytes),
          ...(part.payload.gzipped ? { gzipped: buffer(part.payload.gzipped) } : {}),
        },
      };
  }
}

function reportError(wire: WireError): ReportError {
  return new ReportError(
    wire.code,
    wire.args,
    wire.provenance === undefined ? {} : { provenance: wire.provenance },
  );
}

interface Pending {
  resolve(response: ReadResponse): void;
  reject(error: unknown): void;
}

export class ReadPool {
  readonly #threads: { worker: Worker; busy: number }[] = [];
  readonly #pending = new Map<number, Pending>();
  /** Large reports being parsed on a thread (stream-parse.ts), by their stream's id. */
  readonly #streams = new Map<number, StreamParse>();
  #nextId = 0;
  readonly #sizeForMail: number;
  readonly #entry: URL;
  #mails = 0;

  /**
   * `size` threads, `sizeForMail` once MAILS_BEFORE_MORE_THREADS mails have come (forMail).
   * `streamsOnly`: threads that only parse streamed reports (parseAggregate), lighter to start.
   */
  constructor(size: number = defaultReadThreads(), sizeForMail: number = size, streamsOnly = false) {
    this.#sizeForMail = sizeForMail;
    this.#entry = new URL(streamsOnly ? './stream-thread.cjs' : './read-thread.cjs', import.meta.url);
    this.#grow(Math.max(1, size));
  }

  /** Threads reading. */
  get size(): number {
    return this.#threads.length;
  }

  /**
   * Says a mail is about to be read, or was (a file a thread found to be one, FileRead.mail), with
   * much input still to read: once MAILS_BEFORE_MORE_THREADS have come, the pool has its size for
   * mail.
   */
  forMail(): void {
    if (++this.#mails === MAILS_BEFORE_MORE_THREADS) this.#grow(this.#sizeForMail);
  }

  #grow(size: number): void {
    while (this.#threads.length < size) {
      // No flags of this process's: the thread's entry registers tsx itself, and one inheriting
      // `--import tsx` (tsx's CLI, the tests, the benches) started tsx's ESM hooks too, 80 ms
      // more CPU before its first answer (V8's flags are the process's whatever this says).
      const worker = new Worker(this.#entry, { execArgv: [] });
      const thread = { worker, busy: 0 };
      worker.on('message', (response: ReadResponse | StreamAnswer) => {
        if (isStreamAnswer(response)) {
          this.#streams.get(response.stream)?.receive(response);
          return;
        }
        thread.busy--;
        this.#settle(response);
      });
      worker.on('error', (error) => this.#failAll(error));
      worker.on('exit', (code) => {
        if (this.#pending.size > 0 || this.#streams.size > 0)
          this.#failAll(new Error(`a read thread exited (code ${code})`));
      });
      this.#threads.push(thread);
    }
  }

  /**
   * The parts of one input, read on the least busy thread; null when the input must be read on
   * the main thread (it holds a report to stream).
   */
  async read(
    bytes: Buffer,
    name: string,
    source: string,
    options: ReadOptions,
  ): Promise<MessagePart[] | null> {
    const response = await this.#request({ input: { bytes }, name, source, options });
    if ('parts' in response) return response.parts.map(fromWire);
    if ('deferred' in response) return null;
    throw new Error('a read thread answered a read of bytes as a file');
  }

  /** Reads a whole file on a thread, then its parts as `read` does. */
  async readFile(
    file: FileAt & { maildir: boolean; max: number },
    name: string,
    source: string,
    options: ReadOptions,
  ): Promise<FileRead> {
    const response = await this.#request({ input: { file }, name, source, options });
    if ('inputError' in response) {
      const { code, args, message } = response.inputError;
      return { kind: 'unreadable', error: new InputError(code, args, message) };
    }
    if ('mbox' in response) return { kind: 'mbox', bytes: buffer(response.bytes) };
    if (!('bytes' in response) || response.bytes === undefined)
      throw new Error('a read thread sent no bytes');
    const bytes = buffer(response.bytes);
    const mail = response.mail ? { mail: true as const } : {};
    if ('deferred' in response) return { kind: 'parts', parts: null, bytes, ...mail };
    if ('parts' in response) return { kind: 'parts', parts: response.parts.map(fromWire), bytes, ...mail };
    throw new Error('unexpected answer from a read thread');
  }

  /**
   * Parses a large aggregate report on the least busy thread as its XML is read here (see
   * stream-parse.ts): parseAggregateReport's contract, but its records come made into rows, a
   * batch at a time to `options.onRows`, on this thread while the next are parsed there.
   */
  async parseAggregate(xml: XmlInput, options: StreamParseOptions): Promise<AggregateReport> {
    const id = this.#nextId++;
    const thread = this.#leastBusy();
    const parse = new StreamParse(id, (request, move) => thread.worker.postMessage(request, move ?? []));
    this.#streams.set(id, parse);
    thread.busy++;
    try {
      return await parse.parse(xml, options);
    } finally {
      this.#streams.delete(id);
      thread.busy--;
    }
  }

  #leastBusy(): { worker: Worker; busy: number } {
    return this.#threads.reduce((a, b) => (b.busy < a.busy ? b : a));
  }

  #request(request: Omit<ReadRequest, 'id'>): Promise<ReadResponse> {
    const id = this.#nextId++;
    const thread = this.#leastBusy();
    return new Promise<ReadResponse>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      thread.busy++;
      thread.worker.postMessage({ id, ...request } satisfies ReadRequest);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#threads.map(({ worker }) => worker.terminate()));
  }

  #settle(response: ReadResponse): void {
    const pending = this.#pending.get(response.id);
    if (!pending) return;
    this.#pending.delete(response.id);
    if ('failure' in response) pending.reject(new Error(`reading an input failed: ${response.failure}`));
    else pending.resolve(response);
  }

  #failAll(error: unknown): void {
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
    for (const parse of this.#streams.values()) parse.fail(error);
  }
}

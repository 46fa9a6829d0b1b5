/**
 * COPY ... FROM STDIN through Kysely. PostgreSQL's COPY loads rows for a fraction of what an
 * INSERT of the same rows costs both sides (no parameters to encode or parse, rows inserted in
 * bulk), but it is not a statement with parameters: Kysely can only hand a connection SQL text
 * and values. The pool given to Kysely wraps each connection so that a `copy ... from stdin`
 * statement whose one parameter is the data (COPY's text format, see copyText) is run as COPY.
 */
import { finished } from 'node:stream/promises';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const COPY_FROM_STDIN = /^copy \S+ \([^)]*\) from stdin$/;

/**
 * A pool whose connections run `copy ... from stdin` statements (see the module comment).
 * `connectError` turns a failure to open a connection into the error to throw.
 */
export function copyingPool(
  pool: pg.Pool,
  connectError: (error: unknown) => unknown = (error) => error,
): PostgresPool {
  // One wrapper per pooled connection: Kysely keeps its own state per client object.
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  return {
    async connect(): Promise<PostgresPoolClient> {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw connectError(error);
      }
      let wrapper = wrappers.get(client);
      if (wrapper === undefined) {
        wrapper = copyingClient(client);
        wrappers.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
}

function copyingClient(client: pg.PoolClient): PostgresPoolClient {
  return {
    // biome-ignore lint/suspicious/noExplicitAny: the signature Kysely's PostgresPoolClient declares.
    query(sqlOrCursor: any, parameters?: readonly unknown[]): any {
      if (typeof sqlOrCursor === 'string' && isCopy(sqlOrCursor)) {
        return copy(client, sqlOrCursor, parameters?.[0]);
      }
      return client.query(sqlOrCursor, parameters as unknown[] | undefined);
    },
    release: () => client.release(),
  };
}

async function copy(client: pg.PoolClient, text: string, data: unknown) {
  if (!(data instanceof Uint8Array)) throw new Error('a COPY statement takes its data as its one parameter');
  const stream = client.query(copyFrom(text));
  stream.end(data);
  await finished(stream);
  return { command: 'COPY', rowCount: stream.rowCount, rows: [] };
}

// In COPY's text format a row is a line, columns are separated by tabs, \N is NULL, and a
// backslash, tab, newline or carriage return in a value is written as a backslash escape.
const COPY_ESCAPE = /[\\\t\n\r]/;
const COPY_ESCAPES = /[\\\t\n\r]/g;
const COPY_ESCAPED: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A value as a column of a COPY text row. */
export function copyValue(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  // bytea in hex (`\x...`), its backslash escaped as COPY wants.
  if (value instanceof Uint8Array)
    return `\\\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  if (typeof value !== 'string') return String(value);
  return COPY_ESCAPE.test(value) ? value.replace(COPY_ESCAPES, (c) => COPY_ESCAPED[c]!) : value;
}

/** `width` values from `at` as one COPY text row, without its newline. */
function copyLine(values: readonly unknown[], at: number, width: number): string {
  let line = copyValue(values[at]);
  for (let c = 1; c < width; c++) line += `\t${copyValue(values[at + c])}`;
  return line;
}

/**
 * Rows gathered as COPY text, each encoded as it is added: a batch waiting to be sent is one
 * buffer outside the JavaScript heap rather than thousands of strings the collector copies on
 * every scavenge while they wait (measured on a 200,000-record report: a third of its time was
 * spent collecting).
 */
export class CopyRows {
  #buffer = Buffer.allocUnsafe(64 * 1024);
  #length = 0;
  /** Rows since the last take(). */
  rows = 0;

  /** Adds the row of `width` values starting at `at`. */
  add(values: readonly unknown[], at: number, width: number): void {
    const line = `${copyLine(values, at, width)}\n`;
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    const most = line.length * 3;
    if (this.#length + most > this.#buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.#length + most));
      this.#buffer.copy(grown, 0, 0, this.#length);
      this.#buffer = grown;
    }
    this.#length += this.#buffer.write(line, this.#length);
    this.rows++;
  }

  /** The text of every row added since the last take(). */
  take(): Buffer {
    const text = Buffer.from(this.#buffer.subarray(0, this.#length));
    this.#length = 0;
    this.rows = 0;
    return text;
  }
}

/** Rows of `width` values, flattened, as COPY text. */
export function copyText(values: readonly unknown[], width: number): Buffer {
  const rows = new CopyRows();
  for (let at = 0; at < values.length; at += width) rows.add(values, at, width);
  return rows.take();
}

/** Whether the statement is a COPY FROM STDIN (it cannot be joined to others). */
export function isCopy(sql: string): boolean {
  return COPY_FROM_STDIN.test(sql);
}

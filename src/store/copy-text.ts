/**
 * PostgreSQL COPY's text format, made without a connection or a driver (pg-copy.ts sends it): so
 * aggregate-rows.ts, which read threads load to make records into rows, loads no database code.
 */
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

const TAB = 0x09;
const NEWLINE = 0x0a;
const BACKSLASH = 0x5c;
/** For each ASCII character, the letter of its escape after a backslash, or 0 when it is written as it is. */
const ESCAPE_LETTER = new Uint8Array(128);
ESCAPE_LETTER[0x5c] = 0x5c;
ESCAPE_LETTER[0x09] = 0x74;
ESCAPE_LETTER[0x0a] = 0x6e;
ESCAPE_LETTER[0x0d] = 0x72;

/**
 * Rows gathered as COPY text, each encoded as it is added: a batch waiting to be sent is one
 * buffer outside the JavaScript heap rather than thousands of strings the collector copies on
 * every scavenge while they wait (measured on a 200,000-record report: a third of its time was
 * spent collecting). Values are written into the buffer byte by byte, the same text as
 * copyValue's: a line built as a string first made the writing thread allocate 1.2 KB per row
 * (250 of the 560 MB it allocated ingesting the bench's 10,000 reports).
 */
export class CopyRows {
  #buffer = Buffer.allocUnsafe(64 * 1024);
  #length = 0;
  /** Where the row last added starts in #buffer. */
  #lastRow = 0;
  /** Rows since the last take(). */
  rows = 0;

  /** Adds the row of `width` values starting at `at`. */
  add(values: readonly unknown[], at: number, width: number): void {
    this.#lastRow = this.#length;
    for (let c = 0; c < width; c++) {
      if (c > 0) this.#byte(TAB);
      this.#value(values[at + c]);
    }
    this.#byte(NEWLINE);
    this.rows++;
  }

  /** Adds a row of two whole numbers from 0 (`first`, `second`), then `width` values from `at`. */
  addAfter(first: number, second: number, values: readonly unknown[], at: number, width: number): void {
    this.#lastRow = this.#length;
    this.#value(first);
    this.#byte(TAB);
    this.#value(second);
    for (let c = 0; c < width; c++) {
      this.#byte(TAB);
      this.#value(values[at + c]);
    }
    this.#byte(NEWLINE);
    this.rows++;
  }

  /**
   * A 53-bit hash of the text of the first `columns` columns of the row last added: the same
   * values give the same text, so equal hashes tell of rows that may be equal there, and
   * different ones of rows that are not. Two hashes of 32 bits: FNV-1a, and its like with
   * another multiplier.
   */
  lastRowHash(columns: number): number {
    const buffer = this.#buffer;
    let low = 0x811c9dc5;
    let high = 0x050c5d1f;
    for (let at = this.#lastRow, tabs = 0; at < this.#length; at++) {
      const byte = buffer[at]!;
      if (byte === TAB && ++tabs === columns) break;
      low = Math.imul(low ^ byte, 0x01000193);
      high = Math.imul(high ^ byte, 0x5bd1e995);
    }
    return (high >>> 11) * 0x100000000 + (low >>> 0);
  }

  /** The text of every row added since the last take(). */
  take(): Buffer {
    const text = Buffer.from(this.#buffer.subarray(0, this.#length));
    this.#length = 0;
    this.rows = 0;
    return text;
  }

  #value(value: unknown): void {
    if (value === null || value === undefined) {
      this.#room(2);
      this.#buffer[this.#length++] = BACKSLASH;
      this.#buffer[this.#length++] = 0x4e;
    } else if (typeof value === 'string') this.#string(value);
    else if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) this.#digits(value);
    else if (value instanceof Uint8Array) this.#bytea(value);
    else this.#string(String(value));
  }

  /** A string, escaped; ASCII byte by byte, anything else through the UTF-8 encoder. */
  #string(value: string): void {
    const n = value.length;
    // Escapes take 2 bytes per character, UTF-8 at most 3 per UTF-16 code unit.
    this.#room(n * 3);
    const buffer = this.#buffer;
    const start = this.#length;
    let at = start;
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c >= 0x80) {
        this.#length = start + buffer.write(copyValue(value), start);
        return;
      }
      const letter = ESCAPE_LETTER[c]!;
      if (letter === 0) buffer[at++] = c;
      else {
        buffer[at++] = BACKSLASH;
        buffer[at++] = letter;
      }
    }
    this.#length = at;
  }

  #digits(value: number): void {
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    this.#room(digits);
    const buffer = this.#buffer;
    let at = this.#length + digits;
    this.#length = at;
    let rest = value;
    do {
      buffer[--at] = 0x30 + (rest % 10);
      rest = Math.floor(rest / 10);
    } while (rest > 0);
  }

  /** bytea in hex (`\x...`), as copyValue writes it (a report's raw bytes, one per report). */
  #bytea(value: Uint8Array): void {
    const text = copyValue(value);
    this.#room(text.length);
    this.#length += this.#buffer.write(text, this.#length, 'latin1');
  }

  #byte(byte: number): void {
    this.#room(1);
    this.#buffer[this.#length++] = byte;
  }

  #room(bytes: number): void {
    if (this.#length + bytes <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.#length + bytes));
    this.#buffer.copy(grown, 0, 0, this.#length);
    this.#buffer = grown;
  }
}

/** Rows of `width` values, flattened, as COPY text. */
export function copyText(values: readonly unknown[], width: number): Buffer {
  const rows = new CopyRows();
  for (let at = 0; at < values.length; at += width) rows.add(values, at, width);
  return rows.take();
}

/**
 * What differs between SQLite and PostgreSQL, in one place: how many rows are written per
 * statement and how, and how text holding a NUL character is kept (PostgreSQL text cannot hold one).
 */
import { CompiledQuery, type Kysely } from 'kysely';
import { copyText } from './copy-text.ts';
import type { Database } from './schema.ts';

export type EngineKind = 'sqlite' | 'postgres';

/** A COPY FROM STDIN as RowWriter.copy writes it (run by pg-copy.ts's pool). */
const COPY_FROM_STDIN = /^copy \S+ \([^)]*\) from stdin$/;

/** Whether the statement is a COPY FROM STDIN (it cannot be joined to others). */
export function isCopy(sql: string): boolean {
  return COPY_FROM_STDIN.test(sql);
}

/**
 * Bound parameters one SQLite statement may carry (SQLITE_MAX_VARIABLE_NUMBER). PostgreSQL's
 * limit (65,535) does not bind: its statements carry one array parameter per column.
 */
export const SQLITE_MAX_PARAMETERS = 32_766;

/**
 * Rows per statement. SQLite: multi-row VALUES, at most MAX_PARAMETERS / columns rows; larger
 * statements gained nothing. PostgreSQL: rows per COPY of a report written as it is read (one
 * part in flight while the next is read and built). Each of a part's statements waits for the
 * reading thread to take its answer (about 1.6 ms on average while it parses), so fewer, larger
 * parts keep the server busier: a 200,000-record report went in at 51,000 records/s in parts of
 * 5,000, 56,000-60,000 in parts of 10,000 and 58,000-61,000 in parts of 20,000 (40,000: no
 * more); peak RSS stayed under 200 MB.
 */
export const ROWS_PER_STATEMENT: Record<EngineKind, number> = { sqlite: 1_000, postgres: 20_000 };

/**
 * How many rows each INSERT of `rows` rows carries: as many full statements of `max` rows as
 * fit, then the rest in powers of two. SQLite prepares each distinct statement text anew (a
 * multi-row INSERT of thousands of parameters takes milliseconds to prepare); this way a few
 * dozen texts cover every row count and stay in the statement cache.
 */
export function statementSizes(rows: number, max: number): number[] {
  const sizes: number[] = [];
  const full = 2 ** Math.floor(Math.log2(Math.max(1, max)));
  let left = rows;
  while (left >= full) {
    sizes.push(full);
    left -= full;
  }
  for (let size = full / 2; size >= 1; size /= 2) {
    if (left >= size) {
      sizes.push(size);
      left -= size;
    }
  }
  return sizes;
}

/** A column as RowWriter writes it: its name, and whether it holds integers or text. */
export type ColumnSpec = readonly [name: string, type: 'int' | 'text'];

/**
 * Writes rows. SQLite: INSERTs of a fixed shape, so each statement's text is built once and the
 * engine sees few distinct statements (it keeps them prepared, see open.ts). PostgreSQL: one
 * COPY (pg-copy.ts; it loaded rows for less than INSERT ... unnest of array literals did, both
 * sides). Values are given flattened, row after row, already in the engine's form (see encodeText).
 */
export class RowWriter {
  readonly #kind: EngineKind;
  readonly #table: string;
  readonly #columns: readonly ColumnSpec[];
  readonly #rowsPerStatement: number;
  readonly #suffix: string;
  readonly #sqlByRows = new Map<number, string>();
  /** PostgreSQL's COPY statement, the same for every batch of rows. */
  readonly #copySql: string;

  /**
   * `suffix`: a clause after the rows, such as an upsert's `on conflict ... do update`: SQLite
   * only, COPY has no such form.
   */
  constructor(kind: EngineKind, table: string, columns: readonly ColumnSpec[], suffix = '') {
    if (kind === 'postgres' && suffix !== '')
      throw new Error(`${table}: PostgreSQL rows go by COPY, which takes no ${suffix}`);
    this.#kind = kind;
    this.#table = table;
    this.#columns = columns;
    this.#suffix = suffix === '' ? '' : ` ${suffix}`;
    this.#copySql = `copy ${table} (${columns.map(([name]) => name).join(',')}) from stdin`;
    this.#rowsPerStatement = Math.min(
      ROWS_PER_STATEMENT.sqlite,
      Math.floor(SQLITE_MAX_PARAMETERS / columns.length),
    );
  }

  /** Values per row. */
  get width(): number {
    return this.#columns.length;
  }

  /** Inserts the rows: `values.length` must be a multiple of the column count. */
  async write(db: Kysely<Database>, values: readonly unknown[]): Promise<void> {
    for (const statement of this.statements(values)) await db.executeQuery(statement);
  }

  /** Whether rows go as COPY text (PostgreSQL). */
  get copies(): boolean {
    return this.#kind === 'postgres';
  }

  /** The COPY of rows given as COPY text (see pg-copy.ts). */
  copy(text: Buffer): CompiledQuery {
    return CompiledQuery.raw(this.#copySql, [text]);
  }

  /** The statements for the rows, built now (the CPU work) to be run later. */
  statements(values: readonly unknown[]): CompiledQuery[] {
    const width = this.#columns.length;
    if (values.length === 0) return [];
    if (this.copies) return [this.copy(copyText(values, width))];
    const rows = values.length / width;
    const statements: CompiledQuery[] = [];
    let start = 0;
    for (const count of statementSizes(rows, this.#rowsPerStatement)) {
      const params = count === rows ? values : values.slice(start * width, (start + count) * width);
      statements.push(CompiledQuery.raw(this.#sql(count), params as unknown[]));
      start += count;
    }
    return statements;
  }

  /** SQLite's INSERT of `rows` rows. */
  #sql(rows: number): string {
    let text = this.#sqlByRows.get(rows);
    if (text !== undefined) return text;
    const names = this.#columns.map(([name]) => name).join(',');
    const tuple = `(${this.#columns.map(() => '?').join(',')})`;
    text = `insert into ${this.#table} (${names}) values ${Array<string>(rows).fill(tuple).join(',')}${this.#suffix}`;
    this.#sqlByRows.set(rows, text);
    return text;
  }
}

/**
 * The statements as few round trips as the engine allows. PostgreSQL: one statement, the first
 * ones as data-modifying WITH clauses (each runs once, to completion); a round trip costs more
 * than the work of a small report's statements. SQLite runs in-process: as they are. The
 * statements must not depend on each other's rows (they see the same snapshot), and their SQL
 * must use `$n` only as placeholders.
 */
export function asFewStatements(
  kind: EngineKind,
  statements: readonly CompiledQuery[],
): readonly CompiledQuery[] {
  if (kind === 'sqlite' || statements.length < 2) return statements;
  // A COPY cannot be a WITH clause: it goes first, on its own.
  const copies: CompiledQuery[] = [];
  const joined: CompiledQuery[] = [];
  for (const statement of statements) (isCopy(statement.sql) ? copies : joined).push(statement);
  if (joined.length < 2) return [...copies, ...joined];
  const parts: string[] = [];
  const parameters: unknown[] = [];
  for (const statement of joined) {
    const offset = parameters.length;
    parts.push(statement.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`));
    parameters.push(...statement.parameters);
  }
  const main = parts.pop();
  return [
    ...copies,
    CompiledQuery.raw(`with ${parts.map((part, i) => `w${i} as (${part})`).join(', ')} ${main}`, parameters),
  ];
}

/**
 * What differs between SQLite and PostgreSQL, in one place: how many rows are written per
 * statement and how, and how text holding a NUL character is kept (PostgreSQL text cannot hold one).
 */
import { CompiledQuery, type Kysely } from 'kysely';
import { copyText, isCopy } from './pg-copy.ts';
import type { Database } from './schema.ts';

export type EngineKind = 'sqlite' | 'postgres';

/**
 * Bound parameters one SQLite statement may carry (SQLITE_MAX_VARIABLE_NUMBER). PostgreSQL's
 * limit (65,535) does not bind: its statements carry one array parameter per column.
 */
export const SQLITE_MAX_PARAMETERS = 32_766;

/**
 * Rows per INSERT statement. SQLite: multi-row VALUES, at most MAX_PARAMETERS / columns rows;
 * larger statements gained nothing. PostgreSQL: one array parameter per column (unnest), so the
 * parameter limit does not bind; measured 2-3x faster than multi-row VALUES, best near 5,000.
 */
export const ROWS_PER_STATEMENT: Record<EngineKind, number> = { sqlite: 1_000, postgres: 5_000 };

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

// Inside a double-quoted array element only these two need a backslash.
const ARRAY_ELEMENT_ESCAPE = /["\\]/;
const ARRAY_ELEMENT_ESCAPES = /["\\]/g;

/** A column as RowWriter writes it: its name, and whether it holds integers or text. */
export type ColumnSpec = readonly [name: string, type: 'int' | 'text'];

/**
 * Writes rows with INSERTs of a fixed shape, so each statement's text is built once and the
 * engine sees few distinct statements (SQLite keeps them prepared, see open.ts). Values are
 * given flattened, row after row, already in the engine's form (see encodeText).
 */
export class RowWriter {
  readonly #kind: EngineKind;
  readonly #table: string;
  readonly #columns: readonly ColumnSpec[];
  readonly #rowsPerStatement: number;
  readonly #suffix: string;
  readonly #sqlByRows = new Map<number, string>();

  /** `suffix`: a clause after the rows, such as an upsert's `on conflict ... do update`. */
  constructor(kind: EngineKind, table: string, columns: readonly ColumnSpec[], suffix = '') {
    this.#kind = kind;
    this.#table = table;
    this.#columns = columns;
    this.#suffix = suffix === '' ? '' : ` ${suffix}`;
    this.#rowsPerStatement =
      kind === 'sqlite'
        ? Math.min(ROWS_PER_STATEMENT.sqlite, Math.floor(SQLITE_MAX_PARAMETERS / columns.length))
        : ROWS_PER_STATEMENT.postgres;
  }

  /** Values per row. */
  get width(): number {
    return this.#columns.length;
  }

  /** Inserts the rows: `values.length` must be a multiple of the column count. */
  async write(db: Kysely<Database>, values: readonly unknown[]): Promise<void> {
    for (const statement of this.statements(values)) await db.executeQuery(statement);
  }

  /** Whether rows go to PostgreSQL as COPY text (plain inserts there; upserts have no COPY form). */
  get copies(): boolean {
    return this.#kind === 'postgres' && this.#suffix === '';
  }

  /** The COPY of rows given as COPY text (see pg-copy.ts). */
  copy(text: Buffer): CompiledQuery {
    const names = this.#columns.map(([name]) => name).join(',');
    return CompiledQuery.raw(`copy ${this.#table} (${names}) from stdin`, [text]);
  }

  /** The INSERT statements for the rows, built now (the CPU work) to be run later. */
  statements(values: readonly unknown[]): CompiledQuery[] {
    const width = this.#columns.length;
    if (values.length === 0) return [];
    // PostgreSQL: plain inserts as one COPY (pg-copy.ts); upserts have no COPY form.
    if (this.copies) return [this.copy(copyText(values, width))];
    const rows = values.length / width;
    const statements: CompiledQuery[] = [];
    // PostgreSQL's statement is the same whatever the row count: plain chunks.
    const sizes =
      this.#kind === 'postgres'
        ? Array.from({ length: Math.ceil(rows / this.#rowsPerStatement) }, (_, i) =>
            Math.min(this.#rowsPerStatement, rows - i * this.#rowsPerStatement),
          )
        : statementSizes(rows, this.#rowsPerStatement);
    let start = 0;
    for (const count of sizes) {
      let params: readonly unknown[];
      if (this.#kind === 'postgres') params = this.#arrayLiterals(values, start, count);
      else if (count === rows) params = values;
      else params = values.slice(start * width, (start + count) * width);
      statements.push(CompiledQuery.raw(this.#sql(count), params as unknown[]));
      start += count;
    }
    return statements;
  }

  /**
   * One PostgreSQL array literal per column. Built here rather than by pg from JS arrays: pg
   * escapes every element with two regex replacements, most of the client's time on a large
   * report; here only elements holding a quote or backslash are escaped.
   */
  #arrayLiterals(values: readonly unknown[], start: number, count: number): string[] {
    const width = this.#columns.length;
    return this.#columns.map(([, type], c) => {
      // Appended to one string (flattened once, when sent): 20% less time than joining an array.
      let literal = '{';
      for (let r = 0; r < count; r++) {
        const value = values[(start + r) * width + c];
        if (r > 0) literal += ',';
        if (value === null || value === undefined) literal += 'NULL';
        else if (type === 'int') literal += value as number;
        else {
          const text = value as string;
          literal += ARRAY_ELEMENT_ESCAPE.test(text)
            ? `"${text.replace(ARRAY_ELEMENT_ESCAPES, '\\$&')}"`
            : `"${text}"`;
        }
      }
      return `${literal}}`;
    });
  }

  #sql(rows: number): string {
    // PostgreSQL's statement does not depend on the row count: one entry under 0.
    const key = this.#kind === 'postgres' ? 0 : rows;
    let text = this.#sqlByRows.get(key);
    if (text !== undefined) return text;
    const names = this.#columns.map(([name]) => name).join(',');
    if (this.#kind === 'postgres') {
      const arrays = this.#columns.map(([, type], c) => `$${c + 1}::${type === 'int' ? 'bigint' : 'text'}[]`);
      text = `insert into ${this.#table} (${names}) select * from unnest(${arrays.join(',')})${this.#suffix}`;
    } else {
      const tuple = `(${this.#columns.map(() => '?').join(',')})`;
      text = `insert into ${this.#table} (${names}) values ${Array<string>(rows).fill(tuple).join(',')}${this.#suffix}`;
    }
    this.#sqlByRows.set(key, text);
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
  const copies = statements.filter((statement) => isCopy(statement.sql));
  const joined = statements.filter((statement) => !isCopy(statement.sql));
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

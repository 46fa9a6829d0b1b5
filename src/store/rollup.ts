/**
 * Rollups maintained at ingest: the tables analysis reads instead of the records. Each stored
 * report's records are added up in memory as they are written (RollupAccumulator), and the sums
 * are upserted in the report's (or batch's) transaction, so a report counts in every rollup or
 * in none. Summing here rather than in SQL from the stored records halved the rollups' cost:
 * SQL read every record back and grouped its auth results with string_agg.
 */
import { CompiledQuery } from 'kysely';
import type { AggregateRecord } from '../reports/types.ts';
import { type EngineKind, SQLITE_MAX_PARAMETERS, statementSizes } from './engine.ts';

/**
 * Caps on the rollup's text key columns: untrusted reports may carry any number of auth results
 * and any length of name, and a PostgreSQL index entry must stay under about 2,700 bytes.
 */
export const SOURCE_ROLLUP_CAPS = { headerFrom: 255, dkimAuth: 800, spfAuth: 500, reasons: 200 } as const;

/**
 * Distinct rollup rows held before they are written: a report with hundreds of thousands of
 * distinct senders is summed in parts (upserts add up), so memory stays bounded.
 */
export const ROLLUP_MAX_PENDING_ROWS = 2_000;

/** What the rollups need of a report, with text as the engine stores it (encodeText). */
export interface RollupReport {
  policyDomain: string;
  /** rollupDay() of the report's window. */
  day: number;
  adkim: string | null;
  aspf: string | null;
}

/** Rows per upsert at most: larger ones were no faster. */
const ROLLUP_ROWS_PER_STATEMENT = 512;

/** Bound parameters one PostgreSQL statement may carry (a 16-bit count). */
const PG_MAX_PARAMETERS = 65_535;

interface RollupTable {
  name: string;
  keys: readonly string[];
  /** Rows per statement: keys + messages parameters each, under either engine's limit. */
  rowsPerStatement: number;
  sums: Map<string, { key: string[]; messages: number }>;
}

function table(name: string, keys: readonly string[], engine: EngineKind): RollupTable {
  const width = keys.length + 1;
  return {
    name,
    keys,
    rowsPerStatement: Math.min(
      ROLLUP_ROWS_PER_STATEMENT,
      Math.floor((engine === 'sqlite' ? SQLITE_MAX_PARAMETERS : PG_MAX_PARAMETERS) / width),
    ),
    sums: new Map(),
  };
}

/** The first `max` characters (code points, as SQL's substr counts them). */
function capped(text: string, max: number): string {
  if (text.length <= max) return text;
  return Array.from(text).slice(0, max).join('');
}

const noSpaces = (text: string | null) => (text ?? '').replaceAll(' ', '');

/**
 * Sums records into the rollup tables' rows: daily_rollup (per day, source, From domain,
 * disposition and aligned results) and source_rollup (per day and source, with the report's
 * alignment modes and every DKIM and SPF result and override reason flattened to text, so a
 * sender's fail reason can be worked out from the rollup alone; spaces separate the entries,
 * so they are removed from names).
 */
export class RollupAccumulator {
  readonly #engine: EngineKind;
  readonly #text: (value: string | null) => string | null;
  readonly #daily: RollupTable;
  readonly #source: RollupTable;

  /** `text`: the engine's form of a string (KyselyStore.text), as the records are stored. */
  constructor(engine: EngineKind, text: (value: string | null) => string | null) {
    this.#engine = engine;
    this.#text = text;
    this.#daily = table(
      'daily_rollup',
      ['policy_domain', 'day', 'source_ip', 'header_from', 'disposition', 'dkim', 'spf'],
      engine,
    );
    this.#source = table(
      'source_rollup',
      [
        'policy_domain',
        'day',
        'source_ip',
        'header_from',
        'dkim',
        'spf',
        'adkim',
        'aspf',
        'dkim_auth',
        'spf_auth',
        'reasons',
      ],
      engine,
    );
  }

  /** Distinct rows waiting to be written. */
  get pending(): number {
    return this.#daily.sums.size + this.#source.sums.size;
  }

  add(report: RollupReport, record: AggregateRecord): void {
    const t = (value: string | null) => this.#text(value) ?? '';
    const pe = record.policyEvaluated;
    const ip = record.sourceIp ?? '';
    const day = String(report.day);
    const dkim = t(pe.dkim);
    const spf = t(pe.spf);
    const headerFrom = t(record.headerFrom);
    sum(this.#daily, [report.policyDomain, day, ip, headerFrom, t(pe.disposition), dkim, spf], record.count);
    const caps = SOURCE_ROLLUP_CAPS;
    const dkimAuth = record.authResults.dkim.map((r) => `${noSpaces(t(r.domain))}:${noSpaces(t(r.result))}`);
    const spfAuth = record.authResults.spf.map(
      (r) => `${noSpaces(t(r.domain))}:${noSpaces(t(r.scope))}:${noSpaces(t(r.result))}`,
    );
    const reasons = pe.reasons.map((r) => noSpaces(t(r.type)));
    sum(
      this.#source,
      [
        report.policyDomain,
        day,
        ip,
        capped(headerFrom, caps.headerFrom),
        dkim,
        spf,
        report.adkim ?? '',
        report.aspf ?? '',
        capped(dkimAuth.join(' '), caps.dkimAuth),
        capped(spfAuth.join(' '), caps.spfAuth),
        capped(reasons.join(' '), caps.reasons),
      ],
      record.count,
    );
  }

  /**
   * The upserts adding every sum so far to the tables, which are then forgotten. Rows go in key
   * order, table by table, so that concurrent writers (PostgreSQL) lock them in one order.
   */
  take(): CompiledQuery[] {
    return [...this.#statements(this.#daily), ...this.#statements(this.#source)];
  }

  #statements(rollup: RollupTable): CompiledQuery[] {
    const rows = [...rollup.sums.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    rollup.sums.clear();
    const statements: CompiledQuery[] = [];
    const columns = [...rollup.keys, 'messages'].join(', ');
    const keyList = rollup.keys.join(', ');
    const update = `on conflict (${keyList}) do update set messages = ${rollup.name}.messages + excluded.messages`;
    let start = 0;
    for (const size of statementSizes(rows.length, rollup.rowsPerStatement)) {
      const parameters: unknown[] = [];
      for (let i = start; i < start + size; i++) {
        const { key, messages } = rows[i]![1];
        for (const part of key) parameters.push(part);
        parameters.push(messages);
      }
      statements.push(CompiledQuery.raw(this.#insert(rollup, columns, size, update), parameters));
      start += size;
    }
    return statements;
  }

  #insert(rollup: RollupTable, columns: string, rows: number, update: string): string {
    const width = rollup.keys.length + 1;
    // `day` and `messages` are integers; PostgreSQL infers every other parameter as text.
    const dayAt = rollup.keys.indexOf('day');
    if (this.#engine === 'sqlite') {
      const tuple = `(${Array.from({ length: width }, (_, i) => (i === dayAt ? 'cast(? as integer)' : '?')).join(', ')})`;
      return `insert into ${rollup.name} (${columns}) values ${Array<string>(rows).fill(tuple).join(', ')} ${update}`;
    }
    const tuples: string[] = [];
    for (let r = 0; r < rows; r++) {
      const cells = Array.from({ length: width }, (_, i) => {
        const n = r * width + i + 1;
        return i === dayAt || i === width - 1 ? `cast($${n} as bigint)` : `$${n}`;
      });
      tuples.push(`(${cells.join(', ')})`);
    }
    return `insert into ${rollup.name} (${columns}) values ${tuples.join(', ')} ${update}`;
  }
}

function sum(rollup: RollupTable, key: string[], count: number): void {
  // NUL cannot occur in a report's text (XML forbids it), so it separates the parts unambiguously;
  // a key holding one anyway (a caller's own records) is told apart by its JSON form.
  const id = key.some((part) => part.includes('\u0000')) ? JSON.stringify(key) : key.join('\u0000');
  const row = rollup.sums.get(id);
  if (row) row.messages += count;
  else rollup.sums.set(id, { key, messages: count });
}

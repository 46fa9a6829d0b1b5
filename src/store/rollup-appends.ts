/**
 * PostgreSQL, during a bulk ingest: what this process appended to each slice of source_rollup,
 * so that the run's folds compact only the slices that need it. A slice needs none when it holds
 * exactly the rows the run appended to it and those had different keys and some messages each:
 * then it already holds what one upsert per key would have left. Counting a slice's rows by the
 * (policy_domain, day) index is cheap; the compaction groups every row by its whole key (on the
 * ingest bench's 10,000 reports, whose 100,000 records each have a key of their own: 0.3-0.5 s
 * of the server's CPU, and the run's last seconds, where nothing else is done).
 *
 * Any doubt compacts: a row another writer appended (a count above the run's), a transaction
 * rolled back after its rows were noted (a count below it), a key seen twice (or two keys whose
 * hashes are equal), a withdrawn copy's negated rows, a slice met through a stored report, a
 * failed compaction. Readers sum a key's rows, so a slice left uncompacted is only slower to read:
 * two runs appending to one slice each count after their own commits, so the later count sees
 * the other's rows and compacts.
 */
import { type Kysely, sql } from 'kysely';
import { type RollupSlice, sliceKey } from './rollup.ts';
import type { Database } from './schema.ts';

/** What one transaction appended to a slice: its rows and their keys' hashes, or null when it must be compacted. */
export interface SliceAppends {
  slice: RollupSlice;
  rows: number;
  keys: number[] | null;
}

/** Key hashes kept for a run at most (about 40 bytes each); a slice whose keys would pass them is compacted. */
export const APPENDED_KEYS_MAX = 1_000_000;

/** Slices counted per statement. */
const COUNTED_SLICES_PER_STATEMENT = 1_000;

interface Appended {
  slice: RollupSlice;
  rows: number;
  /** The keys' hashes; null: compact it. */
  keys: Set<number> | null;
  /** Written since the last fold. */
  written: boolean;
}

export class AppendedSlices {
  readonly #slices = new Map<string, Appended>();
  #keys = 0;

  /** A transaction's appends (as RollupAccumulator.written gives them). */
  add(appends: readonly SliceAppends[]): void {
    for (const { slice, rows, keys } of appends) {
      const appended = this.#entry(slice);
      appended.rows += rows;
      if (appended.keys === null) continue;
      if (keys === null || this.#keys + keys.length > APPENDED_KEYS_MAX) {
        this.#forget(appended);
        continue;
      }
      for (const key of keys) {
        if (appended.keys.has(key)) {
          this.#forget(appended);
          break;
        }
        appended.keys.add(key);
        this.#keys++;
      }
    }
  }

  /** Slices to compact whatever they hold (met through a stored report, or whose compaction failed). */
  compact(slices: readonly RollupSlice[]): void {
    for (const slice of slices) this.#forget(this.#entry(slice));
  }

  /**
   * The slices written since the last call that need compacting: those known to, and those
   * whose rows are not the run's alone (counted in `db`). The others are left as they are.
   */
  async toCompact(db: Kysely<Database>): Promise<RollupSlice[]> {
    const written = [...this.#slices.values()].filter((appended) => appended.written);
    for (const appended of written) appended.written = false;
    const compact = written.filter((appended) => appended.keys === null);
    const counted = written.filter((appended) => appended.keys !== null);
    try {
      for (let from = 0; from < counted.length; from += COUNTED_SLICES_PER_STATEMENT) {
        const part = counted.slice(from, from + COUNTED_SLICES_PER_STATEMENT);
        const { rows } = await sql<{ at: number; rows: number | string }>`
          select s.at::int as at,
            (select count(*) from source_rollup r where r.policy_domain = s.policy_domain and r.day = s.day) as rows
          from unnest(${part.map((a) => a.slice.policyDomain)}::text[], ${part.map((a) => a.slice.day)}::bigint[])
            with ordinality s(policy_domain, day, at)`.execute(db);
        for (const { at, rows: held } of rows) {
          const appended = part[at - 1]!;
          if (Number(held) !== appended.rows) compact.push(appended);
        }
      }
    } catch (error) {
      // Not counted: compacted by the next fold.
      this.compact(written.map((appended) => appended.slice));
      throw error;
    }
    for (const appended of compact) this.#forget(appended);
    return compact.map((appended) => appended.slice);
  }

  /** The run ended: only the slices still waiting for a compaction (a failed one) are kept. */
  ended(): void {
    for (const [key, appended] of this.#slices) if (!appended.written) this.#slices.delete(key);
    this.#keys = 0;
  }

  #entry(slice: RollupSlice): Appended {
    const key = sliceKey(slice);
    let appended = this.#slices.get(key);
    if (appended === undefined) {
      appended = { slice, rows: 0, keys: new Set(), written: true };
      this.#slices.set(key, appended);
    }
    appended.written = true;
    return appended;
  }

  /** From now on the slice is compacted whenever written: its rows no longer match what was noted. */
  #forget(appended: Appended): void {
    if (appended.keys !== null) this.#keys -= appended.keys.size;
    appended.keys = null;
  }
}

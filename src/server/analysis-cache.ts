/**
 * Analysis answers kept until the reports change: the domain page asks six questions whose
 * answers stay the same until a new report is stored, and people open the same pages. Keyed by
 * route, domain, period and language; dropped when a new report arrives (its id is past the
 * newest one seen), when anything is changed through the API, and after a minute at most (marks
 * or inventory changed by another process). Concurrent askers of one question share its work.
 */
import type { Store } from '../store/types.ts';

/** Answers kept at most (the least recently used go first). */
export const ANALYSIS_CACHE_ENTRIES = 500;
/** The longest an answer is kept, in ms. */
export const ANALYSIS_CACHE_MS = 60_000;

export class AnalysisCache {
  readonly #entries = new Map<string, { version: number; expires: number; value: Promise<unknown> }>();

  constructor(
    private readonly store: Store,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Forgets every answer (something changed through the API). */
  clear(): void {
    this.#entries.clear();
  }

  async get<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const version = await this.#newestReport();
    const now = this.clock();
    const hit = this.#entries.get(key);
    if (hit && hit.version === version && hit.expires > now) {
      // Most recently used last, so the first entry is the one to evict.
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit.value as Promise<T>;
    }
    const value = compute();
    const entry = { version, expires: now + ANALYSIS_CACHE_MS, value };
    this.#entries.set(key, entry);
    // A failed question is asked again next time.
    value.catch(() => {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
    });
    while (this.#entries.size > ANALYSIS_CACHE_ENTRIES) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    return value;
  }

  /** The newest report's id: a lookup at the end of the primary key, whatever the store's size. */
  async #newestReport(): Promise<number> {
    const row = await this.store.db
      .selectFrom('reports')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirst();
    return Number(row?.id ?? 0);
  }
}

/**
 * Analysis answers kept, as the JSON sent, until the reports change: the domain page asks six
 * questions whose answers stay the same until a new report is stored, and people open the same
 * pages. Keyed by route, domain, period and language; dropped when a new report arrives (its id
 * is past the newest one seen), when anything is changed through the API, and after a minute at
 * most (marks or inventory changed by another process). Concurrent askers of one question share
 * its work. Kept as text: a big domain's senders are megabytes of JSON, and writing them again
 * for every request cost more than reading them from the store.
 */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Store } from '../store/types.ts';

const gzipAsync = promisify(gzip);

/** Answers kept at most (the least recently used go first). */
export const ANALYSIS_CACHE_ENTRIES = 500;
/** Characters of JSON kept at most, all answers together. */
export const ANALYSIS_CACHE_CHARS = 128 * 1024 * 1024;
/** The longest an answer is kept, in ms. */
export const ANALYSIS_CACHE_MS = 60_000;

interface Entry {
  version: number;
  expires: number;
  json: Promise<string>;
  /** The JSON gzipped, made when first asked for. */
  gzipped?: Promise<Buffer>;
  /** Characters (and gzipped bytes), once known. */
  size: number;
}

export class AnalysisCache {
  readonly #entries = new Map<string, Entry>();
  #chars = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: () => number = Date.now,
    private readonly maxChars = ANALYSIS_CACHE_CHARS,
  ) {}

  /** Forgets every answer (something changed through the API). */
  clear(): void {
    this.#entries.clear();
    this.#chars = 0;
  }

  /** The answer's JSON, computed by `compute` unless a fresh one is kept. */
  async json(key: string, compute: () => Promise<unknown>): Promise<string> {
    const version = await this.#newestReport();
    const now = this.clock();
    const hit = this.#entries.get(key);
    if (hit && hit.version === version && hit.expires > now) {
      // Most recently used last, so the first entry is the one to evict.
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit.json;
    }
    if (hit) this.#drop(key);
    const entry: Entry = {
      version,
      expires: now + ANALYSIS_CACHE_MS,
      json: compute().then(JSON.stringify),
      size: 0,
    };
    this.#entries.set(key, entry);
    entry.json.then(
      (text) => {
        if (this.#entries.get(key) !== entry) return;
        entry.size = text.length;
        this.#chars += text.length;
        this.#evict();
      },
      // A failed question is asked again next time.
      () => {
        if (this.#entries.get(key) === entry) this.#drop(key);
      },
    );
    this.#evict();
    return entry.json;
  }

  /** The kept JSON of `key`, gzipped once and kept beside it (compressing megabytes per request costs more). */
  async gzipped(key: string, json: string): Promise<Buffer> {
    const entry = this.#entries.get(key);
    if (entry?.gzipped) return entry.gzipped;
    const made = gzipAsync(json);
    if (entry) {
      entry.gzipped = made;
      made.then(
        (bytes) => {
          if (this.#entries.get(key) !== entry) return;
          entry.size += bytes.length;
          this.#chars += bytes.length;
          this.#evict();
        },
        () => {
          if (this.#entries.get(key) === entry) delete entry.gzipped;
        },
      );
    }
    return made;
  }

  #drop(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#chars -= entry.size;
    this.#entries.delete(key);
  }

  #evict(): void {
    while (
      this.#entries.size > ANALYSIS_CACHE_ENTRIES ||
      (this.#chars > this.maxChars && this.#entries.size > 1)
    ) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#drop(oldest);
    }
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

import type { DnsResult, Resolver, RRType } from '../dns/types.ts';
import { isTemporary, normalizeName } from '../dns/types.ts';

/** Answers kept for names shared across domains (tree-walk parents such as `_dmarc.co.jp`). */
export const SHARED_CACHE_ENTRIES = 10_000;

/**
 * A bounded, least-recently-used answer cache for the questions many domains share. Unlike
 * the per-run CachingResolver (which keeps every answer and would grow with the list), its
 * size is fixed, so memory stays flat over millions of domains. Temporary failures are
 * dropped once settled, so the retry pass asks again.
 */
export class SharedAnswerCache implements Resolver {
  private readonly answers = new Map<string, Promise<DnsResult>>();
  hits = 0;
  misses = 0;

  constructor(
    private readonly inner: Resolver,
    private readonly capacity = SHARED_CACHE_ENTRIES,
  ) {}

  lookup<T extends RRType>(name: string, type: T): Promise<DnsResult<T>> {
    const key = `${type} ${normalizeName(name)}`;
    const cached = this.answers.get(key);
    if (cached) {
      this.hits++;
      // Map order is insertion order: re-inserting marks the entry as recently used.
      this.answers.delete(key);
      this.answers.set(key, cached);
      return cached as Promise<DnsResult<T>>;
    }
    this.misses++;
    const answer = this.inner.lookup(name, type);
    this.answers.set(key, answer);
    if (this.answers.size > this.capacity) this.answers.delete(this.answers.keys().next().value!);
    answer.then(
      (result) => {
        if (isTemporary(result.status) && this.answers.get(key) === answer) this.answers.delete(key);
      },
      () => this.answers.delete(key),
    );
    return answer;
  }

  get size(): number {
    return this.answers.size;
  }
}

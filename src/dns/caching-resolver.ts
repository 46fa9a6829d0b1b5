import type { DnsResult, Resolver, RRType } from './types.ts';
import { normalizeName } from './types.ts';

/**
 * Remembers every answer for the life of one run, so that one name is never asked twice
 * (shared SPF includes, org-domain records, rua destinations). Concurrent askers of the same
 * question share one query in flight.
 */
export class CachingResolver implements Resolver {
  private readonly answers = new Map<string, Promise<DnsResult>>();
  /** Questions passed to the resolver underneath. */
  misses = 0;
  /** Questions answered from the cache. */
  hits = 0;

  constructor(private readonly inner: Resolver) {}

  lookup<T extends RRType>(name: string, type: T): Promise<DnsResult<T>> {
    const key = `${type} ${normalizeName(name)}`;
    const cached = this.answers.get(key);
    if (cached) {
      this.hits++;
      return cached as Promise<DnsResult<T>>;
    }
    this.misses++;
    const answer = this.inner.lookup(name, type);
    this.answers.set(key, answer);
    return answer;
  }

  /** The distinct questions asked so far, as "TYPE name". */
  questions(): string[] {
    return [...this.answers.keys()];
  }
}

import type { Resolver } from '../dns/types.ts';
import { SharedAnswerCache } from './cache.ts';
import type { Categoriser } from './categorise.ts';
import { OTHER_CATEGORY } from './categorise.ts';

/** The one category of a list that has no category column and no categoriser. */
export const ALL_CATEGORY = 'all';

import type { InputLine, SurveyItem } from './input.ts';
import { type DomainMeasurement, measureDomain } from './measure.ts';
import { RateLimitedResolver, TokenBucket } from './rate.ts';

export const DEFAULT_CONCURRENCY = 64;
/** Default cap on queries per second: polite to a shared recursive resolver. */
export const DEFAULT_QPS = 300;
/** Passes after the first over the domains that had a temporary failure. */
export const DEFAULT_RETRY_PASSES = 2;
/** Wait before the first retry pass; it doubles for each further pass. */
export const DEFAULT_RETRY_DELAY_MS = 2000;
/** Most domains held for the retry passes; beyond it they stay unmeasured (memory stays bounded). */
export const MAX_RETRY_DOMAINS = 1_000_000;

export interface ScanOptions {
  resolver: Resolver;
  /** Domains measured at once. */
  concurrency?: number;
  /** Cap on DNS queries per second (0 or undefined with `unlimited`: no cap). */
  qps?: number;
  retryPasses?: number;
  retryDelayMs?: number;
  /** Most domains held for the retry passes (default MAX_RETRY_DOMAINS). */
  maxRetryDomains?: number;
  /** Decides a domain's category (and organisation); the list's own columns win over it. */
  categoriser?: Categoriser;
  /** DKIM selectors asked for each domain (none: DKIM is not asked). */
  dkimSelectors?: readonly string[];
  /** Called for each input line that is not a domain. */
  onInvalid?: (line: number, text: string) => void;
  /** Called when a retry pass starts. */
  onPass?: (pass: number, domains: number) => void;
  /** For tests: how to wait between passes. */
  sleep?: (ms: number) => Promise<void>;
}

export interface ScanStats {
  lines: number;
  invalid: number;
  retried: number;
  /** Questions answered from the shared cache / sent on. */
  sharedHits: number;
  sharedMisses: number;
}

/**
 * Measures every domain of a list, streaming: at most `concurrency` domains in flight, no
 * list kept in memory. Measured domains are yielded as they finish; domains with a
 * temporary failure (SERVFAIL, timeout, refused) are measured again in later passes after
 * a back-off, and those still failing are yielded at the end with `measured: false`.
 */
export async function* scanDomains(
  lines: AsyncIterable<InputLine>,
  options: ScanOptions,
  stats: ScanStats = { lines: 0, invalid: 0, retried: 0, sharedHits: 0, sharedMisses: 0 },
): AsyncGenerator<DomainMeasurement> {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const qps = options.qps ?? DEFAULT_QPS;
  const limited =
    qps > 0 ? new RateLimitedResolver(options.resolver, new TokenBucket(qps)) : options.resolver;
  const shared = new SharedAnswerCache(limited);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const measure = (item: SurveyItem, passes: number) =>
    measureDomain(item.domain, limited, {
      ...placeItem(item, options.categoriser),
      shared,
      passes,
      ...(options.dkimSelectors?.length ? { dkimSelectors: options.dkimSelectors } : {}),
    });

  async function* items(): AsyncGenerator<SurveyItem> {
    for await (const line of lines) {
      stats.lines++;
      if ('invalid' in line) {
        stats.invalid++;
        options.onInvalid?.(line.line, line.invalid);
      } else yield line.item;
    }
  }

  const passes = 1 + (options.retryPasses ?? DEFAULT_RETRY_PASSES);
  const maxRetry = options.maxRetryDomains ?? MAX_RETRY_DOMAINS;
  let delay = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
  let source: AsyncIterable<SurveyItem> = items();
  for (let pass = 1; pass <= passes; pass++) {
    const last = pass === passes;
    const failed: SurveyItem[] = [];
    const measured = mapBounded(source, concurrency, async (item) => ({
      item,
      result: await measure(item, pass),
    }));
    for await (const { item, result } of measured) {
      if (result.measured || last || failed.length >= maxRetry) yield result;
      else failed.push(item);
    }
    syncStats();
    if (failed.length === 0) break;
    stats.retried += pass === 1 ? failed.length : 0;
    options.onPass?.(pass + 1, failed.length);
    await sleep(delay);
    delay *= 2;
    source = fromArray(failed);
  }

  function syncStats() {
    stats.sharedHits = shared.hits;
    stats.sharedMisses = shared.misses;
  }
}

/** A list item's category and organisation: the list's own columns win over the categoriser. */
export function placeItem(
  item: SurveyItem,
  categoriser: Categoriser | undefined,
): { category: string; organisation?: string } {
  const placed = categoriser?.(item.domain);
  const category = item.category ?? placed?.category ?? (categoriser ? OTHER_CATEGORY : ALL_CATEGORY);
  const organisation = item.organisation ?? placed?.organisation;
  return organisation === undefined ? { category } : { category, organisation };
}

async function* fromArray<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

/**
 * Runs `fn` over `source` with at most `limit` calls pending, yielding results as they
 * finish (not in input order). Pulls from `source` only while there is room, and only while
 * the consumer asks for more: calls pending plus results waiting never exceed `limit`.
 */
export async function* mapBounded<I, O>(
  source: AsyncIterable<I>,
  limit: number,
  fn: (item: I) => Promise<O>,
): AsyncGenerator<O> {
  const iterator = source[Symbol.asyncIterator]();
  const done: O[] = [];
  let active = 0;
  let exhausted = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const settle = () => {
    active--;
    const w = wake;
    wake = undefined;
    w?.();
  };
  try {
    for (;;) {
      // Finished results go out before more input comes in: when calls finish at once (cached
      // answers), pulling on would otherwise read the whole list into `done`.
      while (!exhausted && active < limit && done.length === 0 && !failure) {
        const next = await iterator.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        active++;
        fn(next.value).then(
          (value) => {
            done.push(value);
            settle();
          },
          (error: unknown) => {
            failure ??= { error };
            settle();
          },
        );
      }
      if (failure) throw failure.error;
      if (done.length > 0) {
        yield* done.splice(0);
        continue;
      }
      if (active === 0 && exhausted) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    if (!exhausted) await iterator.return?.();
  }
}

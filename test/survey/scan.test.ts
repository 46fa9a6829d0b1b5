import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { DnsResult, Resolver, RRType } from '../../src/dns/types.ts';
import { Zone } from '../../src/dns/zone.ts';
import { ZoneResolver } from '../../src/dns/zone-resolver.ts';
import { SharedAnswerCache } from '../../src/survey/cache.ts';
import { readDomainList } from '../../src/survey/input.ts';
import type { DomainMeasurement } from '../../src/survey/measure.ts';
import { RateLimitedResolver, TokenBucket } from '../../src/survey/rate.ts';
import { MAX_RETRY_DOMAINS, mapBounded, scanDomains } from '../../src/survey/scan.ts';

const list = (...lines: string[]) => readDomainList(Readable.from([`${lines.join('\n')}\n`]));

async function collect(source: AsyncIterable<DomainMeasurement>): Promise<Map<string, DomainMeasurement>> {
  const out = new Map<string, DomainMeasurement>();
  for await (const m of source) out.set(m.domain, m);
  return out;
}

/** Answers SERVFAIL for a name's first `failures` questions, then as the zone says: a transient failure. */
class FlakyResolver implements Resolver {
  private readonly seen = new Map<string, number>();
  constructor(
    private readonly inner: Resolver,
    private readonly flaky: Set<string>,
    private readonly failures: number,
  ) {}

  async lookup<T extends RRType>(name: string, type: T): Promise<DnsResult<T>> {
    const n = this.seen.get(name) ?? 0;
    this.seen.set(name, n + 1);
    if (this.flaky.has(name) && n < this.failures)
      return { name, type, status: 'servfail', records: [], cnames: [] };
    return this.inner.lookup(name, type);
  }
}

const ZONE = `
$ORIGIN good.co.jp.
@       TXT "v=spf1 -all"
_dmarc  TXT "v=DMARC1; p=reject"
$ORIGIN flaky.co.jp.
@       TXT "v=spf1 -all"
_dmarc  TXT "v=DMARC1; p=quarantine"
`;

describe('second pass over temporary failures', () => {
  it('turns a transient SERVFAIL into a measured domain', async () => {
    const resolver = new FlakyResolver(
      new ZoneResolver(Zone.parse(ZONE)),
      new Set(['_dmarc.flaky.co.jp']),
      1,
    );
    const delays: number[] = [];
    const passes: number[] = [];
    const results = await collect(
      scanDomains(list('good.co.jp', 'flaky.co.jp'), {
        resolver,
        qps: 0,
        sleep: async (ms) => void delays.push(ms),
        retryDelayMs: 100,
        onPass: (pass, domains) => passes.push(pass, domains),
      }),
    );
    const flaky = results.get('flaky.co.jp')!;
    expect(flaky.measured).toBe(true);
    expect(flaky.passes).toBe(2);
    expect(flaky.dmarc).toMatchObject({ applies: true, p: 'quarantine' });
    expect(results.get('good.co.jp')!.passes).toBe(1);
    expect(passes).toEqual([2, 1]);
    expect(delays).toEqual([100]);
  });

  it('backs off between passes and leaves a domain that keeps failing unmeasured, never absent', async () => {
    const resolver = new FlakyResolver(
      new ZoneResolver(Zone.parse(ZONE)),
      new Set(['_dmarc.flaky.co.jp']),
      3,
    );
    const delays: number[] = [];
    const results = await collect(
      scanDomains(list('flaky.co.jp'), {
        resolver,
        qps: 0,
        retryPasses: 2,
        retryDelayMs: 50,
        sleep: async (ms) => void delays.push(ms),
      }),
    );
    const flaky = results.get('flaky.co.jp')!;
    expect(flaky.measured).toBe(false);
    expect(flaky.passes).toBe(3);
    expect(flaky.questions).toContainEqual({ name: '_dmarc.flaky.co.jp', type: 'TXT', status: 'servfail' });
    expect(delays).toEqual([50, 100]);
  });

  it('holds at most maxRetryDomains for the retry passes; the rest stay unmeasured', async () => {
    expect(MAX_RETRY_DOMAINS).toBe(1_000_000);
    const flaky = new Set(['a.co.jp', 'b.co.jp', 'c.co.jp']);
    const resolver = new FlakyResolver(new ZoneResolver(Zone.parse(ZONE)), flaky, 1);
    const results = await collect(
      scanDomains(list('a.co.jp', 'b.co.jp', 'c.co.jp'), {
        resolver,
        qps: 0,
        concurrency: 1,
        maxRetryDomains: 2,
        retryDelayMs: 0,
      }),
    );
    expect([...results.values()].filter((m) => m.measured)).toHaveLength(2);
    expect([...results.values()].filter((m) => !m.measured && m.passes === 1)).toHaveLength(1);
  });

  it('with no retry passes, a transient failure stays unmeasured', async () => {
    const resolver = new FlakyResolver(new ZoneResolver(Zone.parse(ZONE)), new Set(['flaky.co.jp']), 1);
    const results = await collect(scanDomains(list('flaky.co.jp'), { resolver, qps: 0, retryPasses: 0 }));
    expect(results.get('flaky.co.jp')!.measured).toBe(false);
  });
});

describe('categories', () => {
  it("puts a list without categories in one group, the list's own column first, the categoriser after", async () => {
    const resolver = new ZoneResolver(Zone.parse(ZONE));
    const plain = await collect(scanDomains(list('good.co.jp'), { resolver, qps: 0 }));
    expect(plain.get('good.co.jp')!.category).toBe('all');
    const jp = (d: string) => ({ category: d.endsWith('.jp') ? 'jp-name' : 'other' });
    const mixed = await collect(
      scanDomains(list('good.co.jp,listed', 'flaky.co.jp'), { resolver, qps: 0, categoriser: jp }),
    );
    expect(mixed.get('good.co.jp')!.category).toBe('listed');
    expect(mixed.get('flaky.co.jp')!.category).toBe('jp-name');
  });
});

describe('query rate cap', () => {
  it('spaces questions at the token bucket rate', async () => {
    const bucket = new TokenBucket(200, 1);
    const start = performance.now();
    await Promise.all(Array.from({ length: 41 }, () => bucket.take()));
    // 40 tokens beyond the first at 200/s: at least 200 ms.
    expect(performance.now() - start).toBeGreaterThanOrEqual(190);
  });

  it('caps a whole scan', async () => {
    const zone = new ZoneResolver(Zone.parse(ZONE));
    const start = performance.now();
    await collect(
      scanDomains(list('a.co.jp', 'b.co.jp', 'c.co.jp', 'd.co.jp'), { resolver: zone, qps: 100 }),
    );
    const elapsed = performance.now() - start;
    // 4 domains x 6 own questions + 2 shared parents = 26 questions, 5 in the first burst.
    expect(zone.asked.length).toBe(26);
    expect(elapsed).toBeGreaterThanOrEqual(((26 - 5) / 100) * 1000 - 20);
  });

  it('a rate-limited resolver passes every answer through', async () => {
    const inner = new ZoneResolver(Zone.parse(ZONE));
    const limited = new RateLimitedResolver(inner, new TokenBucket(1000));
    expect((await limited.lookup('good.co.jp', 'TXT')).status).toBe('ok');
  });

  it('refuses a rate of 0', () => {
    expect(() => new TokenBucket(0)).toThrow(RangeError);
  });
});

describe('shared answer cache', () => {
  it('asks once for a name many domains share, holds a bounded number of answers, and forgets failures', async () => {
    const inner = new FlakyResolver(new ZoneResolver(Zone.parse(ZONE)), new Set(['_dmarc.co.jp']), 1);
    const cache = new SharedAnswerCache(inner, 3);
    expect((await cache.lookup('_dmarc.co.jp', 'TXT')).status).toBe('servfail');
    expect((await cache.lookup('_dmarc.co.jp', 'TXT')).status).toBe('nxdomain');
    expect((await cache.lookup('_dmarc.co.jp', 'TXT')).status).toBe('nxdomain');
    expect(cache.hits).toBe(1);
    for (const n of ['a', 'b', 'c', 'd', 'e']) await cache.lookup(`_dmarc.${n}.jp`, 'TXT');
    expect(cache.size).toBe(3);
  });
});

describe('streaming', () => {
  it('keeps at most `limit` calls in flight and pulls input only as results are taken', async () => {
    let pulled = 0;
    let inFlight = 0;
    let most = 0;
    async function* source() {
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield i;
      }
    }
    const out = mapBounded(source(), 8, async (i) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, i % 3));
      inFlight--;
      return i;
    });
    let taken = 0;
    for await (const _ of out) {
      taken++;
      expect(pulled).toBeLessThanOrEqual(taken + 8);
      if (taken === 100) break;
    }
    expect(most).toBe(8);
    expect(pulled).toBeLessThanOrEqual(108);
  });

  it('stays bounded when calls finish at once (answers from a cache)', async () => {
    let pulled = 0;
    let taken = 0;
    let most = 0;
    async function* source() {
      for (let i = 0; i < 10_000; i++) {
        pulled++;
        most = Math.max(most, pulled - taken);
        yield i;
      }
    }
    for await (const _ of mapBounded(source(), 16, async (i) => i)) taken++;
    expect(taken).toBe(10_000);
    expect(most).toBeLessThanOrEqual(17);
  });

  it('scans a 20,000-line list without holding it', async () => {
    const zone = new ZoneResolver(Zone.parse(ZONE));
    const lines = Readable.from(
      (function* () {
        for (let i = 0; i < 20_000; i++) yield `d${i}.example.jp\n`;
      })(),
    );
    let count = 0;
    for await (const m of scanDomains(readDomainList(lines), { resolver: zone, qps: 0, concurrency: 256 })) {
      if (m.measured) count++;
    }
    expect(count).toBe(20_000);
  });

  it('passes an error of the measuring function on', async () => {
    async function* source() {
      yield 1;
      yield 2;
    }
    const run = async () => {
      for await (const _ of mapBounded(source(), 2, async (i) => {
        if (i === 2) throw new Error('boom');
        return i;
      }));
    };
    await expect(run()).rejects.toThrow('boom');
  });
});

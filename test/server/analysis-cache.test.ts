/** The analysis answer cache: shared work, expiry, the size cap, new reports. */
import { afterAll, describe, expect, it } from 'vitest';
import {
  ANALYSIS_CACHE_ENTRIES,
  ANALYSIS_CACHE_MS,
  ANALYSIS_VERSION_MS,
  AnalysisCache,
  approxJsonChars,
} from '../../src/server/analysis-cache.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import { failureReport, header, record } from '../store/helpers.ts';

describe('AnalysisCache', () => {
  const opened: Store[] = [];
  afterAll(async () => {
    for (const store of opened) await store.close();
  });
  /** A cache over a fresh in-memory store, on a clock the test moves (`clock.now`, in ms). */
  const onClock = async () => {
    const store = await openStore(':memory:');
    opened.push(store);
    const clock = { now: 1_000_000 };
    return { store, clock, cache: new AnalysisCache(store, () => clock.now) };
  };

  it('shares one computation, keeps it for its time, and caps the entries and their size', async () => {
    const { store, clock, cache } = await onClock();
    let runs = 0;
    const ask = (key: string) =>
      cache.json('example.jp', key, async () => {
        runs++;
        return { key };
      });
    await Promise.all([ask('a'), ask('a'), ask('a')]);
    expect(runs).toBe(1);
    clock.now += ANALYSIS_CACHE_MS + 1;
    await ask('a');
    expect(runs).toBe(2);
    for (let i = 0; i <= ANALYSIS_CACHE_ENTRIES; i++) await ask(`k${i}`);
    runs = 0;
    await ask('a');
    expect(runs).toBe(1);
    cache.clear();
    await ask('a');
    expect(runs).toBe(2);
    // Two answers over the size cap together: the older goes.
    const small = new AnalysisCache(store, () => clock.now, 1_000);
    const big = 'x'.repeat(600);
    let bigRuns = 0;
    const askBig = (key: string) =>
      small.json('example.jp', key, async () => {
        bigRuns++;
        return big;
      });
    await askBig('big1');
    await askBig('big2');
    await askBig('big1');
    expect(bigRuns).toBe(3);
  });

  it('asks a failed question again', async () => {
    const store = await openStore(':memory:');
    opened.push(store);
    const cache = new AnalysisCache(store);
    await expect(cache.json('example.jp', 'x', () => Promise.reject(new Error('down')))).rejects.toThrow(
      'down',
    );
    expect(await cache.json('example.jp', 'x', async () => 'up')).toBe('"up"');
  });

  it('keeps data answers too, and drops them once a new report is stored (seen within ANALYSIS_VERSION_MS)', async () => {
    const { store, clock, cache } = await onClock();
    let runs = 0;
    const ask = () =>
      cache.value(
        'example.jp',
        'senders',
        async () => {
          runs++;
          return { senders: [runs] };
        },
        () => 10,
      );
    const first = await ask();
    expect(await ask()).toBe(first);
    await store.insertAggregateReport(
      { ...header({ reportId: 'new-1' }), records: [record()] },
      Buffer.from('new-1'),
      { description: 'test new-1' },
    );
    // One look at the newest report serves a short while, so the store is not asked per request.
    expect(await ask()).toBe(first);
    clock.now += ANALYSIS_VERSION_MS;
    expect(await ask()).toEqual({ senders: [2] });
    expect(runs).toBe(2);
  });

  it('keeps no answer computed while a bulk ingest has rollup sums waiting to be folded', async () => {
    const { store, clock, cache } = await onClock();
    let runs = 0;
    const ask = () => cache.json('example.jp', 'summary', async () => ++runs);
    const items = (i: number) => [
      {
        report: { ...header({ reportId: `bulk-${i}` }), records: [record()] },
        raw: Buffer.from(`bulk-${i}`),
        source: { description: 'test' },
      },
    ];
    await store.writingInBulk(async () => {
      await store.insertAggregateReports(items(1));
      expect(await ask()).toBe('1');
      expect(await ask()).toBe('2');
    });
    // Folded: the next answer is complete, and kept.
    clock.now += ANALYSIS_VERSION_MS;
    expect(await ask()).toBe('3');
    expect(await ask()).toBe('3');
  });

  it('drops the answers about a report once a fuller copy of it takes the count over (seen within ANALYSIS_VERSION_MS)', async () => {
    const { store, clock, cache } = await onClock();
    let runs = 0;
    const ask = () => cache.json('example.jp', 'summary', async () => ++runs);
    const copy = (records: number) =>
      store.insertAggregateReport(
        { ...header({ reportId: 'resent' }), records: Array.from({ length: records }, () => record()) },
        Buffer.from(`resent with ${records}`),
        { description: `resent with ${records}` },
      );
    await copy(1);
    clock.now += ANALYSIS_VERSION_MS;
    expect(await ask()).toBe('1');
    // Stored by another process: no upload through the API clears the answers.
    expect(await copy(2)).toMatchObject({ status: 'duplicate' });
    clock.now += ANALYSIS_VERSION_MS;
    expect(await ask()).toBe('2');
  });

  it('drops the answers that read failure reports once another is stored, and keeps the others', async () => {
    const { store, clock, cache } = await onClock();
    const runs = { failures: 0, summary: 0 };
    const ask = (kind: keyof typeof runs) =>
      cache.json(
        'example.jp',
        kind,
        async () => ++runs[kind],
        kind === 'failures' ? { failureReports: true } : {},
      );
    const data = () =>
      cache.value(
        'example.jp',
        'failures-view',
        async () => ({ n: ++runs.failures }),
        () => 10,
        {
          failureReports: true,
        },
      );
    await ask('failures');
    await ask('summary');
    const view = await data();
    // Stored by another process (smtpd, a watched mailbox): nothing clears the answers.
    await store.insertFailureReport(failureReport(), Buffer.from('ruf 1'), { description: 'ruf 1' });
    expect(await ask('failures')).toBe('1');
    clock.now += ANALYSIS_VERSION_MS;
    expect(await ask('failures')).toBe('3');
    expect(await data()).not.toBe(view);
    expect(await ask('summary')).toBe('1');
    expect(await ask('failures')).toBe('3');
  });

  it('estimates the JSON size of a long list from a few items', () => {
    const list = Array.from({ length: 5_000 }, (_, i) => ({
      ip: `198.51.100.${i % 256}`,
      note: 'x'.repeat(i % 40),
    }));
    const actual = JSON.stringify(list).length;
    expect(Math.abs(approxJsonChars(list) - actual) / actual).toBeLessThan(0.1);
    expect(approxJsonChars([])).toBe(2);
  });

  it("drops only the answers about a new report's domain, its parents and subdomains", async () => {
    const { store, clock, cache } = await onClock();
    const runs = new Map<string, number>();
    const ask = (domain: string) =>
      cache.json(domain, `summary ${domain}`, async () => {
        runs.set(domain, (runs.get(domain) ?? 0) + 1);
        return domain;
      });
    const domains = ['example.jp', 'shop.example.jp', 'a.shop.example.jp', 'xexample.jp', 'other.jp'];
    const report = async (domain: string, reportId: string) => {
      await store.insertAggregateReport(
        { ...header({ domain, reportId }), records: [record({ headerFrom: domain })] },
        Buffer.from(reportId),
        { description: reportId },
      );
      clock.now += ANALYSIS_VERSION_MS;
      for (const d of domains) await ask(d);
    };
    for (const d of domains) await ask(d);
    await report('shop.example.jp', 'r1');
    // The domain, its parent and its subdomain are asked again; the others are kept.
    expect(Object.fromEntries(runs)).toEqual({
      'example.jp': 2,
      'shop.example.jp': 2,
      'a.shop.example.jp': 2,
      'xexample.jp': 1,
      'other.jp': 1,
    });
    await report('other.jp', 'r2');
    expect(runs.get('other.jp')).toBe(2);
    expect(runs.get('example.jp')).toBe(2);
  });

  it('keeps big data apart: it never pushes the small answers out', async () => {
    const store = await openStore(':memory:');
    opened.push(store);
    const cache = new AnalysisCache(store, Date.now, 10_000, 1_000);
    let answers = 0;
    let data = 0;
    const answer = () =>
      cache.json('example.jp', 'summary', async () => {
        answers++;
        return 'small';
      });
    const list = (key: string) =>
      cache.value(
        'example.jp',
        key,
        async () => {
          data++;
          return 'x'.repeat(600);
        },
        (v) => v.length,
      );
    await answer();
    await list('senders 30d');
    await list('senders 90d');
    await list('senders 30d');
    // Two lists over the data cap: the older went; the answer stayed.
    expect(data).toBe(3);
    await answer();
    expect(answers).toBe(1);
  });
});

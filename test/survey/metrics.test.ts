import { describe, expect, it } from 'vitest';
import type { DomainMeasurement } from '../../src/survey/measure.ts';
import { SurveyTally, wilson } from '../../src/survey/metrics.ts';

describe('Wilson score interval (95%)', () => {
  it('matches known values', () => {
    const close = (k: number, n: number, low: number, high: number) => {
      const i = wilson(k, n);
      expect(i.share).toBeCloseTo(k / n, 12);
      expect(i.low).toBeCloseTo(low, 4);
      expect(i.high).toBeCloseTo(high, 4);
    };
    close(0, 10, 0, 0.2775);
    close(5, 10, 0.2366, 0.7634);
    close(10, 10, 0.7225, 1);
    close(81, 263, 0.2553, 0.3662);
    close(1, 1, 0.2065, 1);
  });

  it('is symmetric and stays within [0, 1]', () => {
    for (let n = 1; n <= 40; n++) {
      for (let k = 0; k <= n; k++) {
        const a = wilson(k, n);
        const b = wilson(n - k, n);
        expect(a.low! + b.high!).toBeCloseTo(1, 10);
        expect(a.low!).toBeGreaterThanOrEqual(0);
        expect(a.high!).toBeLessThanOrEqual(1);
        expect(a.low!).toBeLessThanOrEqual(a.share!);
        expect(a.high!).toBeGreaterThanOrEqual(a.share!);
      }
    }
  });

  it('has no share for n = 0', () => {
    expect(wilson(0, 0)).toEqual({ share: null, low: null, high: null });
  });
});

function domain(
  name: string,
  organisation: string,
  facts: { measured?: boolean; spf?: boolean; dmarc?: 'none' | 'reject' },
): DomainMeasurement {
  return {
    domain: name,
    category: 'co.jp',
    organisation,
    measured: facts.measured ?? true,
    questions: [],
    passes: 1,
    spf: facts.spf ? { records: 1, valid: true, all: '-' } : { records: 0, valid: false },
    dmarc: facts.dmarc
      ? { records: 1, applies: true, source: 'own record', p: facts.dmarc, rua: false, sp: false, np: false }
      : { records: 0, applies: false },
    mx: 'hosts',
    bimi: false,
    mtaSts: false,
    tlsRpt: false,
  };
}

describe('organisation-level counts', () => {
  const tally = new SurveyTally();
  // A: both domains have SPF, one has DMARC reject. B: one SPF of two. C: one domain unmeasured.
  tally.add(domain('a1.co.jp', 'A', { spf: true, dmarc: 'reject' }));
  tally.add(domain('a2.co.jp', 'A', { spf: true }));
  tally.add(domain('b1.co.jp', 'B', { spf: true, dmarc: 'none' }));
  tally.add(domain('b2.co.jp', 'B', { dmarc: 'none' }));
  tally.add(domain('c1.co.jp', 'C', { spf: true }));
  tally.add(domain('c2.co.jp', 'C', { measured: false }));

  it('counts an organisation when any of its domains has the record', () => {
    const any = tally.organisationCounts('co.jp', 'any')!;
    expect(any.total).toBe(3);
    expect(any.measured).toBe(2);
    expect(any.count('spf')).toBe(2);
    expect(any.count('dmarc')).toBe(2);
    expect(any.count('policyReject')).toBe(1);
    expect(any.count('policyNone')).toBe(1);
  });

  it('with the all rule, only when every domain has it', () => {
    const all = tally.organisationCounts('co.jp', 'all')!;
    expect(all.measured).toBe(2);
    expect(all.count('spf')).toBe(1);
    expect(all.count('dmarc')).toBe(1);
    expect(all.count('policyNone')).toBe(1);
    expect(all.count('policyReject')).toBe(0);
  });

  it('still counts domains one by one', () => {
    const counts = tally.domains.get('co.jp')!;
    expect(counts.total).toBe(6);
    expect(counts.measured).toBe(5);
    expect(counts.count('spf')).toBe(4);
    expect(tally.unmeasured).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import { isoDay, PeriodError, parsePeriod, periodDays } from '../../src/analysis/period.ts';
import { reporterStats } from '../../src/analysis/reporters.ts';

const NOW = Date.UTC(2026, 9, 31, 15, 30) / 1000; // 2026-10-31 15:30 UTC

describe('parsePeriod', () => {
  const iso = (p: { since: number; until: number }) => [isoDay(p.since), isoDay(p.until)];

  it('defaults to the last 30 days, today included', () => {
    expect(iso(parsePeriod({}, NOW))).toEqual(['2026-10-02', '2026-10-31']);
    expect(iso(parsePeriod({ since: '30d' }, NOW))).toEqual(['2026-10-02', '2026-10-31']);
    expect(iso(parsePeriod({ since: '1d' }, NOW))).toEqual(['2026-10-31', '2026-10-31']);
  });

  it('takes dates and relative ends', () => {
    expect(iso(parsePeriod({ since: '2026-10-01', until: '2026-10-15' }, NOW))).toEqual([
      '2026-10-01',
      '2026-10-15',
    ]);
    expect(iso(parsePeriod({ until: '7d' }, NOW))).toEqual(['2026-09-25', '2026-10-24']);
    expect(periodDays(parsePeriod({ since: '3d' }, NOW)).map(isoDay)).toEqual([
      '2026-10-29',
      '2026-10-30',
      '2026-10-31',
    ]);
  });

  it('names what it cannot read', () => {
    expect(() => parsePeriod({ since: 'last week' }, NOW)).toThrow(PeriodError);
    expect(() => parsePeriod({ since: '2026-02-30' }, NOW)).toThrow(/2026-02-30/);
    expect(() => parsePeriod({ since: '0d' }, NOW)).toThrow(/1d/);
    expect(() => parsePeriod({ since: '2026-10-20', until: '2026-10-10' }, NOW)).toThrow(/after it ends/);
  });
});

describe('reporterStats', () => {
  it('counts a window that begins before the previous one ended as an overlap', () => {
    const day = Date.UTC(2026, 9, 1) / 1000;
    const head = (begin: number, end: number) => ({
      orgName: 'r',
      policyDomain: 'example.jp',
      begin,
      end,
      p: null,
      sp: null,
      np: null,
      pct: null,
      messages: 1,
    });
    const result = reporterStats(
      'example.jp',
      [
        head(day, day + 86_399),
        head(day + 86_400, day + 2 * 86_400),
        head(day + 2 * 86_400 - 3_600, day + 3 * 86_400),
      ],
      { since: day, until: day + 2 * 86_400 },
    );
    expect(result.reporters[0]?.overlaps).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import { parsePeriod } from '../../src/analysis/period.ts';
import type { ReportHead } from '../../src/analysis/reads.ts';
import { policyByDay } from '../../src/analysis/summary.ts';

const DAY = 86_400;
const jan1 = Date.UTC(2025, 0, 1) / 1000;
const head = (day: number, p: string, sp: string | null, pct: number | null = null): ReportHead =>
  ({
    orgName: 'r.example',
    policyDomain: 'example.jp',
    begin: jan1 + day * DAY,
    end: jan1 + (day + 1) * DAY - 1,
    p,
    sp,
    np: null,
    pct,
  }) as ReportHead;

describe('policyByDay', () => {
  const period = parsePeriod({ since: '2025-01-01', until: '2025-01-03' });

  it('gives the same answer whatever order the reports were stored in', () => {
    const heads = [head(0, 'none', 'reject'), head(0, 'none', 'quarantine'), head(1, 'none', 'reject')];
    const answers = [heads, [...heads].reverse(), [heads[1]!, heads[0]!, heads[2]!]].map((order) =>
      policyByDay(order, period),
    );
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });

  it('takes a missing sp as p and a missing pct as 100: not a change of policy', () => {
    const days = policyByDay(
      [head(0, 'none', 'none'), head(0, 'none', null), head(1, 'none', null, 100)],
      period,
    );
    expect(days.map((d) => [d.day, d.reports, d.totalReports, d.changed])).toEqual([
      ['2025-01-01', 2, 2, false],
      ['2025-01-02', 1, 1, false],
    ]);
    expect(policyByDay([head(0, 'none', null), head(1, 'quarantine', null)], period)[1]).toMatchObject({
      p: 'quarantine',
      changed: true,
    });
  });
});

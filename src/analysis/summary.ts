/**
 * Summary: a domain's mail over a period in a few numbers, a per-day series for the dashboard
 * chart, and the policy the domain published each day as the reports saw it.
 * `summarise` is the pure part; `summary` reads the rollup and the reports.
 */
import { rollupDay } from '../store/index.ts';
import type { Store } from '../store/types.ts';
import { isoDay, type Period, periodDays } from './period.ts';
import { type DailyRow, type ReportHead, readDailyRows, readReportHeads } from './reads.ts';
import { normaliseName } from './senders/match.ts';

export interface Totals {
  messages: number;
  /** Aligned SPF or aligned DKIM pass, as the reporters evaluated it. */
  dmarcPass: number;
  dmarcFail: number;
  spfAligned: number;
  dkimAligned: number;
  /** Messages by the disposition the receivers applied (none, quarantine, reject; '' when unsaid). */
  dispositions: Record<string, number>;
}

export interface DayTotals extends Totals {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
}

/** The policy published on one day, as the day's reports carried it. */
export interface PolicyDay {
  day: string;
  p: string | null;
  sp: string | null;
  pct: number | null;
  /** Reports of the day that carried this policy, and all the day's reports. */
  reports: number;
  totalReports: number;
  /** Differs from the policy of the previous day with reports. */
  changed: boolean;
}

export interface SummaryResult {
  domain: string;
  since: string;
  until: string;
  totals: Totals;
  /** Every day of the period, days without reports included (all zero). */
  days: DayTotals[];
  /** Days with reports only, in order. */
  policy: PolicyDay[];
}

function emptyTotals(): Totals {
  return { messages: 0, dmarcPass: 0, dmarcFail: 0, spfAligned: 0, dkimAligned: 0, dispositions: {} };
}

function add(t: Totals, row: DailyRow): void {
  t.messages += row.messages;
  const pass = row.dkim === 'pass' || row.spf === 'pass';
  if (pass) t.dmarcPass += row.messages;
  else t.dmarcFail += row.messages;
  if (row.spf === 'pass') t.spfAligned += row.messages;
  if (row.dkim === 'pass') t.dkimAligned += row.messages;
  t.dispositions[row.disposition] = (t.dispositions[row.disposition] ?? 0) + row.messages;
}

/**
 * The policy of each day with reports: the one in effect in most of its reports (a missing sp is
 * p's, a missing pct 100, as receivers apply them), as its latest report published it; ties go to
 * the latest report, then to the policy's text, so that the answer does not depend on the order
 * reports were stored in. `changed`: the policy in effect differs from the previous day's.
 */
export function policyByDay(heads: readonly ReportHead[], period: Period): PolicyDay[] {
  interface Variant {
    p: string | null;
    sp: string | null;
    pct: number | null;
    /** The policy as published, and in effect: keys to compare. */
    published: string;
    effective: string;
    reports: number;
    last: number;
  }
  const byDay = new Map<number, Map<string, Variant>>();
  for (const h of heads) {
    const day = rollupDay({ begin: h.begin, end: h.end });
    if (day < period.since || day > period.until) continue;
    const effective = JSON.stringify([h.p, h.sp ?? h.p, h.pct ?? 100]);
    const published = JSON.stringify([h.p, h.sp, h.pct]);
    let variants = byDay.get(day);
    if (!variants) {
      variants = new Map();
      byDay.set(day, variants);
    }
    const v = variants.get(effective) ?? {
      p: h.p,
      sp: h.sp,
      pct: h.pct,
      published,
      effective,
      reports: 0,
      last: Number.NEGATIVE_INFINITY,
    };
    v.reports++;
    if (h.begin > v.last || (h.begin === v.last && published < v.published)) {
      Object.assign(v, { p: h.p, sp: h.sp, pct: h.pct, published, last: h.begin });
    }
    variants.set(effective, v);
  }
  const days: PolicyDay[] = [];
  let previous: string | undefined;
  for (const day of [...byDay.keys()].sort((a, b) => a - b)) {
    const variants = [...(byDay.get(day)?.values() ?? [])];
    const total = variants.reduce((n, v) => n + v.reports, 0);
    const top = variants.sort(
      (a, b) => b.reports - a.reports || b.last - a.last || (a.effective < b.effective ? -1 : 1),
    )[0];
    if (!top) continue;
    days.push({
      day: isoDay(day),
      p: top.p,
      sp: top.sp,
      pct: top.pct,
      reports: top.reports,
      totalReports: total,
      changed: previous !== undefined && previous !== top.effective,
    });
    previous = top.effective;
  }
  return days;
}

export function summarise(
  domain: string,
  period: Period,
  rows: readonly DailyRow[],
  heads: readonly ReportHead[],
): SummaryResult {
  const totals = emptyTotals();
  const perDay = new Map<number, Totals>(periodDays(period).map((d) => [d, emptyTotals()]));
  for (const row of rows) {
    add(totals, row);
    const day = perDay.get(row.day);
    if (day) add(day, row);
  }
  return {
    domain,
    since: isoDay(period.since),
    until: isoDay(period.until),
    totals,
    days: [...perDay].map(([day, t]) => ({ day: isoDay(day), ...t })),
    policy: policyByDay(heads, period),
  };
}

/** The summary of `domain` (the reports' policy domain) over the period. */
export async function summary(store: Store, domain: string, period: Period): Promise<SummaryResult> {
  const name = normaliseName(domain);
  const [rows, heads] = await Promise.all([
    readDailyRows(store, name, period),
    readReportHeads(store, [name], period),
  ]);
  return summarise(name, period, rows, heads);
}

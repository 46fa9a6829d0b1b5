import type { Interval } from '../metrics.ts';
import { CATEGORY_CSV_METRICS, type MetricCounts, type SurveyReport } from '../report.ts';

/** Every metric the report shows a table for, in the order of the per-category CSV. */
export const REPORT_METRICS = CATEGORY_CSV_METRICS;
export type ReportMetric = (typeof REPORT_METRICS)[number];

/** The metrics drawn as adoption charts, one chart (and y scale) each. */
export const CHARTED_METRICS = [
  'spf',
  'spfStrict',
  'dmarc',
  'rua',
  'bimi',
  'mtaSts',
  'tlsRpt',
  'nullMx',
] as const satisfies readonly ReportMetric[];

export const POLICIES = ['none', 'quarantine', 'reject'] as const;
export type Policy = (typeof POLICIES)[number];

/** A metric's count and its share with the 95% interval, as the report computed them. */
export function metricOf(c: MetricCounts, metric: ReportMetric): { count: number; interval: Interval } {
  const [head, sub] = metric.split('.') as [string, Policy | undefined];
  if (sub) return { count: c.policy[sub], interval: (c.shares.policy as Record<Policy, Interval>)[sub] };
  return {
    count: (c as unknown as Record<string, number>)[head]!,
    interval: c.shares[head] as Interval,
  };
}

/** One earlier (or the current) scan of the same list, for the trend charts. */
export interface TrendScan {
  /** The scan's name as stored. */
  name: string;
  /** When it ran (ISO 8601); shown, and the scans are drawn in this order. */
  date: string;
  categories: { name: string; domains: number; counts: MetricCounts }[];
  total: MetricCounts;
}

/** A finished report as one point of a trend (the current scan, when no store is involved). */
export function trendScanOf(name: string, report: SurveyReport): TrendScan {
  return {
    name,
    date: report.method.started,
    categories: report.categories.map((c) => ({ name: c.name, domains: c.domains, counts: c })),
    total: report.total,
  };
}

import type { Interval } from '../metrics.ts';
import { CATEGORY_CSV_METRICS, type MetricCounts, type SurveyReport } from '../report.ts';
import type { SurveyTrend } from '../stored.ts';

/** Every metric the report shows a table for, in the order of the per-category CSV. */
export const REPORT_METRICS = CATEGORY_CSV_METRICS;
/** A metric of the report: those always counted, and `dkim` when the scan asked DKIM selectors. */
export type ReportMetric = (typeof REPORT_METRICS)[number] | 'dkim';

/** The metrics this report has: REPORT_METRICS, then `dkim` when the scan asked DKIM. */
export function reportMetricsOf(report: SurveyReport): ReportMetric[] {
  return report.method.dkimSelectors ? [...REPORT_METRICS, 'dkim'] : [...REPORT_METRICS];
}

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

/** The adoption charts this report has: CHARTED_METRICS, then `dkim` when the scan asked DKIM. */
export function chartedMetricsOf(report: SurveyReport): ReportMetric[] {
  return report.method.dkimSelectors ? [...CHARTED_METRICS, 'dkim'] : [...CHARTED_METRICS];
}

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
  /** Whether the scan asked DKIM selectors: its `dkim` count means nothing otherwise. */
  dkim: boolean;
}

/** The trend's metrics: CHARTED_METRICS, then `dkim` when any of the scans asked DKIM selectors. */
export function trendMetricsOf(scans: readonly TrendScan[]): ReportMetric[] {
  return scans.some((s) => s.dkim) ? [...CHARTED_METRICS, 'dkim'] : [...CHARTED_METRICS];
}

/** A metric's share in one scan's counts; null where the scan did not measure it (DKIM not asked). */
export function trendShare(
  scan: TrendScan,
  counts: MetricCounts | undefined,
  metric: ReportMetric,
): number | null {
  if (!counts || (metric === 'dkim' && !scan.dkim)) return null;
  return metricOf(counts, metric).interval?.share ?? null;
}

/**
 * The scans of `surveyTrend` as the trend charts take them: its categories each carry one
 * point per scan (in the scans' order), the last of them being every domain together.
 */
export function trendScansOf(trend: SurveyTrend): TrendScan[] {
  const total = trend.categories[trend.categories.length - 1];
  const categories = trend.categories.slice(0, -1);
  return trend.scans.map((scan, i) => ({
    name: scan.name,
    date: scan.startedAt,
    categories: categories.flatMap((c) => {
      const metrics = c.series[i]?.metrics;
      return metrics ? [{ name: c.name, domains: metrics.domains, counts: metrics }] : [];
    }),
    total: total!.series[i]!.metrics!,
    dkim: scan.dkim,
  }));
}

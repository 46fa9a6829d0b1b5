import type { CustomSeriesRenderItem, EChartsOption } from 'echarts';
import { BarChart, CustomChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { Lang } from '../../i18n/lang.ts';
import { surveyReportText } from '../../i18n/survey.ts';
import { translator } from '../../i18n/translate.ts';
import type { Interval } from '../metrics.ts';
import type { CategoryReport, SurveyReport } from '../report.ts';
import {
  chartedMetricsOf,
  metricOf,
  POLICIES,
  type ReportMetric,
  type TrendScan,
  trendMetricsOf,
  trendShare,
} from './model.ts';

echarts.use([BarChart, CustomChart, LineChart, GridComponent, LegendComponent, TitleComponent, SVGRenderer]);

/** One chart, as an SVG document; `id` names its file (`<id>.svg`) and its element ids. */
type Translate = ReturnType<typeof translator<typeof surveyReportText>>;

export interface SurveyChart {
  id: string;
  title: string;
  svg: string;
}

export interface ChartOptions {
  lang: Lang;
  /** Earlier scans and this one: adds one trend chart per charted metric. */
  trend?: readonly TrendScan[];
}

/** Slide-sized (16:9); PNG files are drawn at twice this. */
export const CHART_WIDTH = 960;
export const CHART_HEIGHT = 540;

/** Categories past which the x labels turn and the value labels go (they would overlap). */
const MANY_CATEGORIES = 12;
/** Bars past which a chart draws only the largest categories (a `tld` survey has hundreds). */
export const MAX_CHART_CATEGORIES = 60;
const LABELLED_CATEGORIES = 20;
/** Trend charts draw all domains and this many of the largest categories. */
export const TREND_CATEGORIES = 8;

/** Fonts that have Japanese, then the generic family: the same SVG reads on macOS, Windows and Linux. */
export const FONT_FAMILY = 'Hiragino Sans, Yu Gothic, Meiryo, Noto Sans CJK JP, IPAexGothic, sans-serif';

const BAR = '#2f6db5';
const WHISKER = '#1d2733';
const POLICY_COLOURS: Record<(typeof POLICIES)[number], string> = {
  none: '#b8c2cc',
  quarantine: '#e8a33d',
  reject: '#2e8b57',
};
const LINE_COLOURS = [
  '#1d2733',
  '#2f6db5',
  '#e8a33d',
  '#2e8b57',
  '#c0392b',
  '#8e44ad',
  '#16a085',
  '#d35400',
  '#7f8c8d',
];

/** Every chart of the report, in the order the HTML shows them. */
export function surveyCharts(report: SurveyReport, options: ChartOptions): SurveyChart[] {
  const charted = chartedMetricsOf(report);
  const charts = charted.map((metric) => adoptionChart(report, metric, options));
  if (report.categories.some((c) => c.organisations))
    for (const metric of charted) charts.push(adoptionChart(report, metric, options, 'organisation'));
  charts.push(policyChart(report, options));
  if (options.trend && options.trend.length > 0)
    for (const metric of trendMetricsOf(options.trend))
      charts.push(trendChart(options.trend, metric, options));
  return charts;
}

/** Adoption of one metric per category; by organisation: categories without organisations have no bar. */
export function adoptionChart(
  report: SurveyReport,
  metric: ReportMetric,
  options: ChartOptions,
  unit: 'domain' | 'organisation' = 'domain',
): SurveyChart {
  const t = translator(surveyReportText, options.lang);
  const categories = chartedCategories(report);
  const names = categories.map((c) => c.name);
  const none: Interval = { share: null, low: null, high: null };
  const intervals = categories.map((c) => {
    const counts = unit === 'domain' ? c : c.organisations;
    return counts ? metricOf(counts, metric).interval : none;
  });
  const scale = yScale(adoptionTop(intervals));
  const labelled = names.length <= LABELLED_CATEGORIES;
  const whiskers = intervals.flatMap((i, index) =>
    i.share === null ? [] : [[index, i.low!, i.high!, i.share] as [number, number, number, number]],
  );
  const renderWhisker: CustomSeriesRenderItem = (params, api) => {
    const [index, low, high, share] = whiskers[params.dataIndex]!;
    // A whisker past the axis is cut there, without its cap: it goes on.
    const top = api.coord([index, Math.min(high, scale.max)]);
    const bottom = api.coord([index, low]);
    const cap = Math.min(8, ((CHART_WIDTH - GRID_LEFT - GRID_RIGHT) / names.length) * 0.15);
    const line = (x1: number, y1: number, x2: number, y2: number) => ({
      type: 'line' as const,
      shape: { x1, y1, x2, y2 },
      style: { stroke: WHISKER, lineWidth: 1.2, fill: 'none' },
    });
    const children: object[] = [
      line(top[0]!, top[1]!, bottom[0]!, bottom[1]!),
      ...(high <= scale.max ? [line(top[0]! - cap, top[1]!, top[0]! + cap, top[1]!)] : []),
      line(bottom[0]! - cap, bottom[1]!, bottom[0]! + cap, bottom[1]!),
    ];
    if (labelled)
      children.push({
        type: 'text',
        x: top[0],
        y: top[1]! - 4,
        style: {
          text: percent(share, labelDigits(share)),
          align: 'center',
          verticalAlign: 'bottom',
          fontSize: 12,
          fontFamily: FONT_FAMILY,
          fill: WHISKER,
        },
      });
    return { type: 'group', children } as ReturnType<CustomSeriesRenderItem>;
  };
  const label = t(`report.metric.${metric}`);
  const organisations = unit === 'organisation';
  const title = organisations
    ? t('report.chart.adoptionOrg.title', { metric: label })
    : t('report.chart.adoption.title', { metric: label });
  const sub = organisations
    ? t('report.chart.adoptionOrg.subtitle', { rule: t(`report.rule.${report.method.organisationRule}`) })
    : t('report.chart.adoption.subtitle');
  return render(`adoption-${organisations ? 'org-' : ''}${metricId(metric)}`, title, {
    ...frame(title, subtitle(sub, report, names.length, t), names.length),
    xAxis: categoryAxis(names),
    yAxis: percentAxis(scale),
    series: [
      {
        type: 'bar',
        data: intervals.map((i) => (i.share === null ? '-' : i.share)),
        itemStyle: { color: BAR },
        barMaxWidth: 56,
        silent: true,
        emphasis: { disabled: true },
      },
      {
        type: 'custom',
        data: whiskers,
        encode: { x: 0, y: [1, 2] },
        renderItem: renderWhisker,
        silent: true,
        z: 3,
      },
    ],
  });
}

export function policyChart(report: SurveyReport, options: ChartOptions): SurveyChart {
  const t = translator(surveyReportText, options.lang);
  const categories = chartedCategories(report);
  const names = categories.map((c) => c.name);
  const title = t('report.chart.policy.title');
  // Every stack reaches 100%: the count it is of goes above it, so 4 domains do not read as 160.
  const counts = categories.flatMap((c, index) => (c.dmarc === 0 ? [] : [[index, c.dmarc]]));
  const renderCount: CustomSeriesRenderItem = (params, api) => {
    const [index, dmarc] = counts[params.dataIndex]!;
    const [x, y] = api.coord([index, 1]) as [number, number];
    return {
      type: 'text',
      x,
      y: y - 4,
      style: {
        text: `n=${dmarc!.toLocaleString('en-US')}`,
        align: 'center',
        verticalAlign: 'bottom',
        fontSize: 12,
        fontFamily: FONT_FAMILY,
        fill: WHISKER,
      },
    } as ReturnType<CustomSeriesRenderItem>;
  };
  return render('policy', title, {
    ...frame(title, subtitle(t('report.chart.policy.subtitle'), report, names.length, t), names.length, true),
    legend: { top: LEGEND_TOP, data: POLICIES.map((p) => `p=${p}`), textStyle: { fontSize: 12 } },
    xAxis: categoryAxis(names),
    yAxis: percentAxis(yScale(1)),
    series: [
      ...POLICIES.map((p) => ({
        type: 'bar' as const,
        name: `p=${p}`,
        stack: 'policy',
        data: categories.map((c) => (c.dmarc === 0 ? '-' : c.policy[p] / c.dmarc)),
        itemStyle: { color: POLICY_COLOURS[p] },
        barMaxWidth: 56,
        silent: true,
        emphasis: { disabled: true },
      })),
      ...(names.length <= LABELLED_CATEGORIES
        ? [{ type: 'custom' as const, data: counts, renderItem: renderCount, silent: true, z: 3 }]
        : []),
    ],
  });
}

export function trendChart(
  scans: readonly TrendScan[],
  metric: ReportMetric,
  options: ChartOptions,
): SurveyChart {
  const t = translator(surveyReportText, options.lang);
  const ordered = [...scans].sort((a, b) => a.date.localeCompare(b.date) || a.name.localeCompare(b.name));
  const latest = ordered[ordered.length - 1]!;
  const largest = [...latest.categories]
    .sort((a, b) => b.domains - a.domains || a.name.localeCompare(b.name))
    .slice(0, TREND_CATEGORIES)
    .map((c) => c.name);
  const share = (scan: TrendScan, name: string | null) => {
    const counts = name === null ? scan.total : scan.categories.find((c) => c.name === name)?.counts;
    const s = trendShare(scan, counts, metric);
    return s === null ? '-' : s;
  };
  const lines: { name: string; category: string | null }[] = [
    { name: t('report.total'), category: null },
    ...largest.map((name) => ({ name, category: name })),
  ];
  const highest = Math.max(
    0,
    ...ordered
      .flatMap((scan) => lines.map((l) => share(scan, l.category)))
      .filter((v) => typeof v === 'number'),
  );
  const title = t('report.chart.trend.title', { metric: t(`report.metric.${metric}`) });
  return render(`trend-${metricId(metric)}`, title, {
    ...frame(title, t('report.chart.trend.subtitle', { count: largest.length }), ordered.length, true),
    legend: { top: LEGEND_TOP, data: lines.map((l) => l.name), textStyle: { fontSize: 12 } },
    xAxis: categoryAxis(ordered.map(scanLabel)),
    yAxis: percentAxis(yScale(highest)),
    series: lines.map((l, i) => ({
      type: 'line' as const,
      name: l.name,
      data: ordered.map((scan) => share(scan, l.category)),
      lineStyle: { color: LINE_COLOURS[i % LINE_COLOURS.length], width: i === 0 ? 3 : 1.5 },
      itemStyle: { color: LINE_COLOURS[i % LINE_COLOURS.length] },
      symbolSize: 6,
      silent: true,
      emphasis: { disabled: true },
    })),
  });
}

/**
 * The categories drawn: all of them up to MAX_CHART_CATEGORIES (the 58 of `--categories jp`
 * fit), else the largest by domains, kept in the report's order; the tables have every one.
 */
function chartedCategories(report: SurveyReport): CategoryReport[] {
  if (report.categories.length <= MAX_CHART_CATEGORIES) return report.categories;
  const largest = new Set(
    [...report.categories]
      .sort((a, b) => b.domains - a.domains || a.name.localeCompare(b.name))
      .slice(0, MAX_CHART_CATEGORIES),
  );
  return report.categories.filter((c) => largest.has(c));
}

function subtitle(text: string, report: SurveyReport, shown: number, t: Translate): string {
  return shown < report.categories.length
    ? `${text} ${t('report.chart.largest', { shown, total: report.categories.length })}`
    : text;
}

/** A scan's label on the trend axis: its date, and its name when two scans share a day. */
export function scanLabel(scan: TrendScan): string {
  return `${scan.date.slice(0, 10)} ${scan.name}`;
}

/** `policy.reject` -> `policy-reject`: file names without dots. */
function metricId(metric: ReportMetric): string {
  return metric.replace('.', '-');
}

const LEGEND_TOP = 72;
const GRID_LEFT = 72;
const GRID_RIGHT = 32;

function frame(title: string, subtitle: string, categories: number, legend = false): EChartsOption {
  const turned = categories > MANY_CATEGORIES;
  return {
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: FONT_FAMILY },
    title: {
      text: title,
      subtext: subtitle,
      left: 'center',
      top: 12,
      textStyle: { fontSize: 20, color: '#1d2733' },
      subtextStyle: { fontSize: 13, color: '#4a5560' },
    },
    grid: { left: GRID_LEFT, right: GRID_RIGHT, top: legend ? 124 : 96, bottom: turned ? 110 : 48 },
  };
}

function categoryAxis(names: string[]): EChartsOption['xAxis'] {
  const turned = names.length > MANY_CATEGORIES;
  return {
    type: 'category',
    data: names,
    axisTick: { alignWithLabel: true },
    axisLabel: {
      interval: 0,
      rotate: turned ? 50 : 0,
      fontSize: turned ? 11 : 13,
      color: '#1d2733',
      width: turned ? 100 : Math.max(40, Math.floor((CHART_WIDTH - 120) / Math.max(1, names.length))),
      overflow: 'truncate',
    },
  };
}

/**
 * The share the y axis must reach: the highest whisker, but no higher than twice the highest
 * share. A small category with no adopters (0 of 30: up to 11%) would otherwise squash every
 * bar of a metric that is rare everywhere; its whisker is cut at the top instead.
 */
function adoptionTop(intervals: Interval[]): number {
  const shares = intervals.map((i) => i.share ?? 0);
  const highest = Math.max(0, ...shares);
  return Math.max(
    0,
    ...intervals.map((i) => (highest > 0 ? Math.min(i.high ?? 0, 2 * highest) : (i.high ?? 0))),
  );
}

/** The y axis's top and tick step: a round share a little above the highest whisker. */
const SCALES: readonly [max: number, step: number][] = [
  [0.001, 0.0002],
  [0.002, 0.0005],
  [0.005, 0.001],
  [0.01, 0.002],
  [0.02, 0.005],
  [0.05, 0.01],
  [0.1, 0.02],
  [0.2, 0.05],
  [0.3, 0.05],
  [0.4, 0.1],
  [0.6, 0.1],
  [0.8, 0.2],
  [1, 0.2],
];

function yScale(highest: number): { max: number; step: number } {
  // Room above the highest whisker for its value label.
  const [max, step] = SCALES.find(([m]) => m >= highest * 1.08) ?? SCALES[SCALES.length - 1]!;
  return { max, step };
}

function percentAxis({ max, step }: { max: number; step: number }): EChartsOption['yAxis'] {
  const digits = Math.max(0, -Math.floor(Math.log10(step * 100) + 1e-9));
  return {
    type: 'value',
    min: 0,
    max,
    interval: step,
    axisLabel: { formatter: (v: number) => percent(v, digits), fontSize: 12, color: '#4a5560' },
    splitLine: { lineStyle: { color: '#e3e7eb' } },
  };
}

/** Digits for a share's label: small shares need more to be told apart. */
export function labelDigits(share: number): number {
  return share > 0 && share < 0.01 ? 2 : 1;
}

export function percent(share: number, digits: number): string {
  return `${(share * 100).toFixed(digits)}%`;
}

/**
 * Server-side rendering to one SVG string. ECharts numbers instances and style classes with
 * counters that live as long as the process (`zr0-cls-8`, later `zr3-cls-18` for the same
 * chart); they are renamed by order of appearance after the chart, so the same input gives
 * the same bytes, and names in one chart file never clash with another's.
 */
function render(id: string, title: string, option: EChartsOption): SurveyChart {
  const chart = echarts.init(null, null, {
    renderer: 'svg',
    ssr: true,
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
  });
  try {
    chart.setOption(option);
    return { id, title, svg: renameClasses(chart.renderToSVGString(), id) };
  } finally {
    chart.dispose();
  }
}

/** In attributes and the style block only: text (a category's name) is never touched; ECharts escapes its quotes. */
function renameClasses(svg: string, name: string): string {
  const names = new Map<string, string>();
  const rename = (token: string) => {
    let renamed = names.get(token);
    if (renamed === undefined) {
      renamed = `${name}-${names.size}`;
      names.set(token, renamed);
    }
    return renamed;
  };
  return svg
    .replace(
      /(class="|id="|url\(#|href="#)(zr\d+-[\w-]+)/g,
      (_, lead: string, token: string) => lead + rename(token),
    )
    .replace(/<style[^>]*><!\[CDATA\[[\s\S]*?\]\]>/g, (block) =>
      block.replace(/\.(zr\d+-[\w-]+)/g, (_, token: string) => `.${rename(token)}`),
    );
}

import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import {
  CHART_HEIGHT,
  CHART_WIDTH,
  CHARTED_METRICS,
  MAX_CHART_CATEGORIES,
  POLICIES,
  surveyCharts,
  svgToPng,
  TREND_CATEGORIES,
} from '../../../src/survey/report/index.ts';
import { trendMetricsOf, trendShare } from '../../../src/survey/report/model.ts';
import { JP_SAMPLE, sampleReport, trendScan } from './sample.ts';

/** Parses an SVG document strictly; returns the elements with their attributes. */
function parseSvg(svg: string): { name: string; attributes: Record<string, string>; text: string }[] {
  const parser = new SaxesParser({ xmlns: false });
  const elements: { name: string; attributes: Record<string, string>; text: string }[] = [];
  const open: { name: string; attributes: Record<string, string>; text: string }[] = [];
  parser.on('error', (error) => {
    throw error;
  });
  parser.on('opentag', (tag) => {
    const element = { name: tag.name, attributes: tag.attributes as Record<string, string>, text: '' };
    elements.push(element);
    open.push(element);
  });
  parser.on('text', (text) => {
    const top = open[open.length - 1];
    if (top) top.text += text;
  });
  parser.on('closetag', () => open.pop());
  parser.write(svg).close();
  return elements;
}

/** Bars of one series: ECharts marks each data item's shape with its series and data index. */
function bars(svg: string, series: number): string[] {
  return parseSvg(svg)
    .filter(
      (e) =>
        e.name === 'path' &&
        e.attributes.ecmeta_ssr_type === 'chart' &&
        e.attributes.ecmeta_series_index === String(series),
    )
    .map((e) => e.attributes.ecmeta_data_index!);
}

const report = sampleReport(JP_SAMPLE);

describe('survey charts (ECharts, server-side SVG)', () => {
  const charts = surveyCharts(report, { lang: 'en' });

  it('draws one adoption chart per charted metric and the policy chart', () => {
    expect(charts.map((c) => c.id)).toEqual([...CHARTED_METRICS.map((m) => `adoption-${m}`), 'policy']);
  });

  it('gives valid SVG with one bar per category in each adoption chart (zero shares too)', () => {
    const indexes = report.categories.map((_, i) => String(i));
    for (const chart of charts.filter((c) => c.id.startsWith('adoption-'))) {
      const root = parseSvg(chart.svg)[0]!;
      expect(root.name).toBe('svg');
      expect(root.attributes.width).toBe(String(CHART_WIDTH));
      expect(root.attributes.height).toBe(String(CHART_HEIGHT));
      expect(bars(chart.svg, 0), chart.id).toEqual(indexes);
    }
  });

  it('leaves out the bar of a category with no measured domain', () => {
    const partly = sampleReport([
      { name: 'co.jp', domains: 10, spf: 5, dmarc: 2 },
      { name: 'go.jp', domains: 3, unmeasured: 3, spf: 0, dmarc: 0 },
    ]);
    const [spf] = surveyCharts(partly, { lang: 'en' });
    expect(bars(spf!.svg, 0)).toEqual(['0']);
  });

  it('names every category on the x axis and puts a 95% whisker over each bar', () => {
    const dmarc = charts.find((c) => c.id === 'adoption-dmarc')!;
    const texts = parseSvg(dmarc.svg)
      .filter((e) => e.name === 'text')
      .map((e) => e.text);
    for (const c of report.categories) expect(texts).toContain(c.name);
    // co.jp: 160 of 1,188 measured domains, 13.5%, shown as the whisker's label.
    expect(texts).toContain('13.5%');
    // Whiskers: a vertical line and two caps per category.
    expect(bars(dmarc.svg, 1)).toHaveLength(report.categories.length * 3);
  });

  it('gives each metric its own y scale', () => {
    const top = (id: string) => {
      const labels = parseSvg(charts.find((c) => c.id === id)!.svg)
        .filter((e) => e.name === 'text' && /^[\d.]+%$/.test(e.text))
        .map((e) => Number.parseFloat(e.text));
      return Math.max(...labels);
    };
    // SPF reaches 98% (go.jp); BIMI stays under 1%: its axis ends far lower.
    expect(top('adoption-spf')).toBeGreaterThanOrEqual(98);
    expect(top('adoption-bimi')).toBeLessThan(5);
  });

  it('stacks none, quarantine and reject for every category with DMARC', () => {
    const policy = charts.find((c) => c.id === 'policy')!;
    for (let series = 0; series < POLICIES.length; series++)
      expect(bars(policy.svg, series).length).toBeLessThanOrEqual(report.categories.length);
    expect(bars(policy.svg, 0)).toHaveLength(report.categories.length);
    const texts = parseSvg(policy.svg).map((e) => e.text);
    for (const p of POLICIES) expect(texts).toContain(`p=${p}`);
    // How many DMARC domains each stack is of: co.jp 160, ad.jp 6.
    expect(texts).toContain('n=160');
    expect(texts).toContain('n=6');
  });

  it('is deterministic: the same report gives the same bytes', () => {
    const again = surveyCharts(report, { lang: 'en' });
    expect(again.map((c) => c.svg)).toEqual(charts.map((c) => c.svg));
  });

  it('draws the largest categories when there are too many for one chart, and says so', () => {
    const many = sampleReport(
      Array.from({ length: MAX_CHART_CATEGORIES + 5 }, (_, i) => ({
        name: `c${i}`,
        domains: 10 + (i % 7 === 0 ? 0 : i),
        spf: 5,
        dmarc: 2,
      })),
    );
    const [spf, ...rest] = surveyCharts(many, { lang: 'en' });
    expect(bars(spf!.svg, 0)).toHaveLength(MAX_CHART_CATEGORIES);
    const texts = parseSvg(spf!.svg).map((e) => e.text);
    expect(
      texts.some((x) =>
        x.includes(`(the ${MAX_CHART_CATEGORIES} largest of ${MAX_CHART_CATEGORIES + 5} categories`),
      ),
    ).toBe(true);
    // The smallest (every seventh: 10 domains) are the ones left out.
    expect(texts).not.toContain('c7');
    expect(texts).toContain('c8');
    expect(bars(rest.find((c) => c.id === 'policy')!.svg, 0)).toHaveLength(MAX_CHART_CATEGORIES);
  });

  it('adds per-organisation adoption charts when the list names organisations', () => {
    const orgs = sampleReport([
      { name: 'nikkei225', domains: 12, spf: 6, dmarc: 3, perOrganisation: 3 },
      { name: 'other', domains: 5, spf: 1, dmarc: 1 },
    ]);
    const charts = surveyCharts(orgs, { lang: 'en' });
    expect(charts.map((c) => c.id)).toContain('adoption-org-dmarc');
    expect(surveyCharts(report, { lang: 'en' }).map((c) => c.id)).not.toContain('adoption-org-dmarc');
    const dmarc = charts.find((c) => c.id === 'adoption-org-dmarc')!;
    // Only nikkei225 has organisations: 1 of 4 has DMARC.
    expect(bars(dmarc.svg, 0)).toEqual(['0']);
    const texts = parseSvg(dmarc.svg).map((e) => e.text);
    expect(texts).toContain('DMARC: adoption by category, per organisation');
    expect(texts).toContain('25.0%');
  });

  it('speaks Japanese', () => {
    const ja = surveyCharts(report, { lang: 'ja' });
    expect(ja.find((c) => c.id === 'adoption-dmarc')!.svg).toContain('DMARC: 分類別の導入率');
    expect(ja.find((c) => c.id === 'policy')!.svg).toContain('分類別の DMARC ポリシー');
  });

  it('keeps hostile category names as text', () => {
    const hostile = sampleReport([
      { name: '<script>alert(1)</script>', domains: 10, spf: 5, dmarc: 2 },
      { name: 'class="zr0-x', domains: 10, spf: 5, dmarc: 2 },
      { name: '{a|rich}', domains: 10, spf: 5, dmarc: 2 },
    ]);
    for (const chart of surveyCharts(hostile, { lang: 'en' })) {
      expect(chart.svg).not.toContain('<script');
      const texts = parseSvg(chart.svg).map((e) => e.text);
      expect(texts).toContain('<script>alert(1)</script>');
      expect(texts).toContain('class="zr0-x');
    }
  });

  it('draws trend lines: all domains and the largest categories, one point per scan', () => {
    const earlier = sampleReport(
      JP_SAMPLE.map((c) => ({ ...c, dmarc: Math.floor(c.dmarc / 2) })),
      '2025-11-28T10:00:00.000Z',
    );
    const trend = [trendScan('2026', report), trendScan('2025', earlier)];
    const withTrend = surveyCharts(report, { lang: 'en', trend });
    const dmarc = withTrend.find((c) => c.id === 'trend-dmarc')!;
    const texts = parseSvg(dmarc.svg).map((e) => e.text);
    // Oldest first, whatever order the scans came in.
    expect(texts.indexOf('2025-11-28 2025')).toBeLessThan(texts.indexOf('2026-11-28 2026'));
    expect(texts).toContain('All');
    const largest = [...report.categories].sort((a, b) => b.domains - a.domains).slice(0, TREND_CATEGORIES);
    for (const c of largest) expect(texts).toContain(c.name);
    expect(texts).not.toContain('osaka.jp');
    expect(withTrend.filter((c) => c.id.startsWith('trend-'))).toHaveLength(CHARTED_METRICS.length);
  });

  it('draws a DKIM trend once a scan asked DKIM selectors, with no point for the scans that did not', () => {
    const earlier = trendScan('2025', sampleReport(JP_SAMPLE, '2025-11-28T10:00:00.000Z'));
    const scan = trendScan('2026', report);
    const dkim = { share: 0.3, low: 0.25, high: 0.35 };
    const now = {
      ...scan,
      dkim: true,
      total: { ...scan.total, dkim: 30, shares: { ...scan.total.shares, dkim } },
    };
    expect(trendMetricsOf([earlier])).not.toContain('dkim');
    expect(trendMetricsOf([earlier, now])).toContain('dkim');
    expect(trendShare(earlier, earlier.total, 'dkim')).toBeNull();
    expect(trendShare(now, now.total, 'dkim')).toBe(0.3);
    const charts = surveyCharts(report, { lang: 'en', trend: [earlier, now] });
    expect(charts.map((c) => c.id)).toContain('trend-dkim');
    expect(surveyCharts(report, { lang: 'en', trend: [earlier] }).map((c) => c.id)).not.toContain(
      'trend-dkim',
    );
  });
});

describe('PNG charts (resvg)', () => {
  it('decodes: PNG signature and twice the SVG size', () => {
    const [chart] = surveyCharts(report, { lang: 'ja' });
    const png = svgToPng(chart!.svg, { fontFiles: [] });
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.toString('latin1', 12, 16)).toBe('IHDR');
    expect(png.readUInt32BE(16)).toBe(CHART_WIDTH * 2);
    expect(png.readUInt32BE(20)).toBe(CHART_HEIGHT * 2);
    expect(png.toString('latin1', png.length - 8, png.length - 4)).toBe('IEND');
  });

  it('draws at the scale asked for', () => {
    const [chart] = surveyCharts(report, { lang: 'en' });
    const png = svgToPng(chart!.svg, { scale: 1, fontFiles: [] });
    expect(png.readUInt32BE(16)).toBe(CHART_WIDTH);
    expect(png.readUInt32BE(20)).toBe(CHART_HEIGHT);
  });

  it('is deterministic', () => {
    const [chart] = surveyCharts(report, { lang: 'en' });
    expect(svgToPng(chart!.svg, { scale: 1, fontFiles: [] })).toEqual(
      svgToPng(chart!.svg, { scale: 1, fontFiles: [] }),
    );
  });
});

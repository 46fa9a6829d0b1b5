import type { Lang } from '../../i18n/lang.ts';
import { surveyReportText } from '../../i18n/survey.ts';
import { translator } from '../../i18n/translate.ts';
import type { Interval } from '../metrics.ts';
import type { CategoryReport, MetricCounts, SurveyReport } from '../report.ts';
import { labelDigits, percent, scanLabel, surveyCharts } from './charts.ts';
import {
  chartedMetricsOf,
  metricOf,
  POLICIES,
  type ReportMetric,
  reportMetricsOf,
  type TrendScan,
  trendMetricsOf,
  trendShare,
} from './model.ts';

export interface HtmlOptions {
  /** One language, or both with a switch (the first is shown first). */
  langs: readonly Lang[];
  /** Earlier scans and this one: adds the trend charts and tables. */
  trend?: readonly TrendScan[];
}

type T = ReturnType<typeof translator<typeof surveyReportText>>;

/**
 * The survey as one self-contained HTML page: charts are inline SVG drawn here, styles are
 * inline, no script, no font or image is loaded from anywhere. Two languages switch with a
 * pair of radio buttons and CSS.
 */
export function surveyHtml(report: SurveyReport, options: HtmlOptions): string {
  const langs = options.langs.length > 0 ? options.langs : (['en'] as const);
  const both = langs.length > 1;
  const first = langs[0]!;
  const t = translator(surveyReportText, first);
  const body: string[] = [];
  if (both) {
    for (const lang of langs)
      body.push(
        `<input type="radio" name="sumi-lang" id="sumi-lang-${lang}" class="lang-choice"${lang === first ? ' checked' : ''}>`,
      );
    body.push(
      `<nav class="lang-switch" aria-label="${esc(t('report.switch'))}">${langs
        .map((lang) => `<label for="sumi-lang-${lang}" lang="${lang}">${LANG_NAMES[lang]}</label>`)
        .join('')}</nav>`,
    );
  }
  for (const lang of langs) body.push(languageBlock(report, lang, options.trend));
  return `<!DOCTYPE html>
<html lang="${first}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(t('report.title'))}</title>
<style>${css(langs)}</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}

const LANG_NAMES: Record<Lang, string> = { en: 'English', ja: '日本語' };

function languageBlock(report: SurveyReport, lang: Lang, trend: readonly TrendScan[] | undefined): string {
  const t = translator(surveyReportText, lang);
  const charts = new Map(surveyCharts(report, { lang, ...(trend ? { trend } : {}) }).map((c) => [c.id, c]));
  const figure = (id: string) => {
    const chart = charts.get(id)!;
    return `<figure class="chart" role="img" aria-label="${esc(chart.title)}">${inline(chart.svg)}</figure>`;
  };
  const m = report.method;
  const orgs = report.categories.some((c) => c.organisations);
  const out: string[] = [];
  out.push(
    `<div class="lang lang-${lang}" lang="${lang}">`,
    '<header>',
    `<h1>${esc(t('report.title'))}</h1>`,
    `<p>${esc(
      t('report.lead', {
        domains: num(report.total.domains),
        categories: report.categories.length,
        measured: num(report.total.measured),
        by: m.categories,
        started: m.started.slice(0, 19).replace('T', ' '),
        finished: m.finished.slice(0, 19).replace('T', ' '),
      }),
    )}</p>`,
    `<p class="unmeasured">${esc(t('report.unmeasured', { count: num(report.unmeasured), passes: m.retries.passes }))}</p>`,
    '</header>',
  );

  out.push(`<section><h2>${esc(t('report.section.overview'))}</h2>`, overviewTable(report, t), '</section>');

  out.push(`<section><h2>${esc(t('report.section.adoption'))}</h2>`);
  if (orgs) out.push(`<p class="note">${esc(orgNote(report, t))}</p>`);
  const charted = chartedMetricsOf(report);
  for (const metric of charted)
    out.push(
      metricHeading(metric, t),
      figure(`adoption-${metric}`),
      ...(orgs ? [figure(`adoption-org-${metric}`)] : []),
      metricTable(report, metric, t, orgs),
      '</article>',
    );
  out.push('</section>');

  out.push(
    `<section><h2>${esc(t('report.section.policy'))}</h2>`,
    `<p class="def">${esc(t('report.def.policy'))}</p>`,
    figure('policy'),
    policyTable(report, t),
    '</section>',
  );

  out.push(`<section><h2>${esc(t('report.section.other'))}</h2>`);
  for (const metric of reportMetricsOf(report)) {
    // Measured is in the overview; the policy counts have their own section.
    if (metric === 'measured' || charted.includes(metric) || metric.startsWith('policy.')) continue;
    out.push(metricHeading(metric, t), metricTable(report, metric, t, orgs), '</article>');
  }
  out.push('</section>');

  if (trend && trend.length > 0) {
    out.push(
      `<section><h2>${esc(t('report.section.trend'))}</h2>`,
      `<p class="note">${esc(t('report.trend.note'))}</p>`,
    );
    for (const metric of trendMetricsOf(trend))
      out.push(
        `<article><h3>${esc(t(`report.metric.${metric}`))}</h3>`,
        figure(`trend-${metric}`),
        trendTable(trend, metric, t),
        '</article>',
      );
    out.push('</section>');
  }

  out.push(`<section><h2>${esc(t('report.section.method'))}</h2>`, methodList(report, t), '</section>');
  out.push(`<footer>${esc(t('report.footer'))}</footer>`, '</div>');
  return out.join('\n');
}

/**
 * A chart as it goes into the page: without ECharts' hover styles and data-index attributes,
 * which a page without script never uses (a third of the bytes). Text cannot match: ECharts
 * writes quotes and angle brackets in text as entities.
 */
function inline(svg: string): string {
  return svg
    .replace(/ (?:class|ecmeta_[a-z_]+)="[^"]*"/g, '')
    .replace(/<style[^>]*><!\[CDATA\[[\s\S]*?\]\]>\s*<\/style>/g, '');
}

function metricHeading(metric: ReportMetric, t: T): string {
  const definition = metric.startsWith('policy.')
    ? t('report.def.policy')
    : t(`report.def.${metric as Exclude<ReportMetric, `policy.${string}`>}`);
  return `<article><h3>${esc(t(`report.metric.${metric}`))}</h3><p class="def">${esc(definition)}</p>`;
}

function orgNote(report: SurveyReport, t: T): string {
  return t('report.organisations', { rule: t(`report.rule.${report.method.organisationRule}`) });
}

/** Each category's row and the total's, as the tables list them. */
function rows(
  report: SurveyReport,
  t: T,
): { name: string; domains: number; c: MetricCounts; orgs?: CategoryReport['organisations'] }[] {
  return [
    ...report.categories.map((c) => ({
      name: c.name,
      domains: c.domains,
      c: c as MetricCounts,
      ...(c.organisations ? { orgs: c.organisations } : {}),
    })),
    { name: t('report.total'), domains: report.total.domains, c: report.total },
  ];
}

function overviewTable(report: SurveyReport, t: T): string {
  const head = [
    'report.col.category',
    'report.col.domains',
    'report.col.measured',
    'report.col.unmeasured',
  ] as const;
  const body = rows(report, t).map(({ name, domains, c }, i, all) => {
    const cells = [
      num(domains),
      num(c.measured),
      num(domains - c.measured),
      ...shareCells(c.shares.measured as Interval),
    ];
    return row(name, cells, i === all.length - 1);
  });
  return table([...head.map((k) => t(k)), t('report.col.share'), t('report.col.interval')], body);
}

function metricTable(report: SurveyReport, metric: ReportMetric, t: T, orgs: boolean): string {
  const head = [
    t('report.col.category'),
    t('report.col.measured'),
    t('report.col.count'),
    t('report.col.share'),
    t('report.col.interval'),
  ];
  if (orgs)
    head.push(
      t('report.col.orgMeasured'),
      t('report.col.orgCount'),
      t('report.col.orgShare'),
      t('report.col.interval'),
    );
  const body = rows(report, t).map((r, i, all) => {
    const { count, interval } = metricOf(r.c, metric);
    const cells = [num(r.c.measured), num(count), ...shareCells(interval)];
    if (orgs) {
      if (r.orgs) {
        const o = metricOf(r.orgs, metric);
        cells.push(num(r.orgs.measured), num(o.count), ...shareCells(o.interval));
      } else cells.push('', '', '', '');
    }
    return row(r.name, cells, i === all.length - 1);
  });
  return table(head, body);
}

function policyTable(report: SurveyReport, t: T): string {
  const head = [t('report.col.category'), t('report.metric.dmarc')];
  for (const p of POLICIES)
    head.push(
      `p=${p}`,
      `p=${p}: ${t('report.col.ofDmarc')}`,
      `p=${p}: ${t('report.col.share')}`,
      t('report.col.interval'),
    );
  const body = rows(report, t).map(({ name, c }, i, all) => {
    const cells = [num(c.dmarc)];
    for (const p of POLICIES) {
      const { count, interval } = metricOf(c, `policy.${p}`);
      cells.push(num(count), c.dmarc === 0 ? '–' : share(count / c.dmarc), ...shareCells(interval));
    }
    return row(name, cells, i === all.length - 1);
  });
  return table(head, body);
}

function trendTable(scans: readonly TrendScan[], metric: ReportMetric, t: T): string {
  const ordered = [...scans].sort((a, b) => a.date.localeCompare(b.date) || a.name.localeCompare(b.name));
  const names: string[] = [];
  for (const scan of ordered)
    for (const c of scan.categories) if (!names.includes(c.name)) names.push(c.name);
  const cell = (scan: TrendScan, counts: MetricCounts | undefined) => {
    const s = trendShare(scan, counts, metric);
    return s === null ? '' : share(s);
  };
  const body = [
    ...names.map((name) =>
      row(
        name,
        ordered.map((scan) => cell(scan, scan.categories.find((c) => c.name === name)?.counts)),
        false,
      ),
    ),
    row(
      t('report.total'),
      ordered.map((scan) => cell(scan, scan.total)),
      true,
    ),
  ];
  return table([t('report.col.category'), ...ordered.map(scanLabel)], body);
}

function methodList(report: SurveyReport, t: T): string {
  const m = report.method;
  const items: [string, string][] = [
    [t('report.method.categories'), `${m.categories}`],
    [t('report.method.questions'), m.questions.join('\n')],
    [t('report.method.dmarcDiscovery'), t('report.method.dmarcDiscoveryValue')],
    [t('report.method.interval'), t('report.method.intervalValue')],
    [
      t('report.method.retries'),
      t('report.method.retriesValue', {
        passes: m.retries.passes,
        on: m.retries.on.join(', '),
        delay: m.retries.firstDelayMs,
        retried: num(m.retries.domainsRetried),
      }),
    ],
    [t('report.method.resolver'), m.resolver],
    [
      t('report.method.rate'),
      t('report.method.rateValue', {
        qps: m.qps === null ? t('report.method.uncapped') : num(m.qps),
        concurrency: m.concurrency,
      }),
    ],
    [
      t('report.method.input'),
      t('report.method.inputValue', { lines: num(m.input.lines), invalid: num(m.input.invalid) }),
    ],
    [t('report.method.time'), `${m.started} – ${m.finished}`],
  ];
  return [
    `<p>${esc(t('report.method.unit'))}</p>`,
    `<p>${esc(t('report.method.unmeasured'))}</p>`,
    `<p>${esc(t('report.method.adopted'))}</p>`,
    '<dl>',
    ...items.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v).replaceAll('\n', '<br>')}</dd>`),
    '</dl>',
  ].join('\n');
}

function table(head: string[], body: string[]): string {
  return `<div class="table"><table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>
${body.join('\n')}
</tbody></table></div>`;
}

function row(name: string, cells: string[], total: boolean): string {
  return `<tr${total ? ' class="total"' : ''}><th scope="row">${esc(name)}</th>${cells.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`;
}

function shareCells(i: Interval): [string, string] {
  if (i.share === null) return ['–', '–'];
  const digits = labelDigits(i.share);
  return [percent(i.share, digits), `${percent(i.low!, digits)} – ${percent(i.high!, digits)}`];
}

function share(s: number): string {
  return percent(s, labelDigits(s));
}

function num(n: number): string {
  return n.toLocaleString('en-US');
}

/** Text and attribute values: category and organisation names come from the user's list. */
export function esc(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

function css(langs: readonly Lang[]): string {
  const hide = langs
    .flatMap((chosen) =>
      langs.filter((l) => l !== chosen).map((l) => `#sumi-lang-${chosen}:checked~.lang-${l}`),
    )
    .join(',');
  const active = langs.map((l) => `#sumi-lang-${l}:checked~.lang-switch label[for=sumi-lang-${l}]`).join(',');
  // The radio buttons are hidden; the keyboard focus shows on their labels.
  const focused = langs
    .map((l) => `#sumi-lang-${l}:focus-visible~.lang-switch label[for=sumi-lang-${l}]`)
    .join(',');
  return `
body{margin:0 auto;max-width:1100px;padding:24px;font:15px/1.6 system-ui,-apple-system,"Hiragino Sans","Yu Gothic",Meiryo,"Noto Sans CJK JP",sans-serif;color:#1d2733;background:#fff}
h1{font-size:28px;margin:0 0 8px}h2{font-size:22px;margin:40px 0 8px;border-bottom:2px solid #2f6db5}h3{font-size:18px;margin:28px 0 4px}
.unmeasured{background:#fff6e0;border-left:4px solid #e8a33d;padding:8px 12px}
.def,.note{color:#4a5560;margin:0 0 8px}
figure.chart{margin:8px 0}figure.chart svg{max-width:100%;height:auto;display:block}
.table{overflow-x:auto}table{border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums;margin:8px 0}
th,td{border:1px solid #d5dbe1;padding:3px 8px;text-align:right;white-space:nowrap}
thead th{background:#eef2f6;text-align:center}tbody th{text-align:left;font-weight:normal}
tr.total th,tr.total td{font-weight:bold;background:#f6f8fa}
dt{font-weight:bold;margin-top:8px}dd{margin:0 0 0 16px}
footer{margin-top:40px;color:#6b7580;font-size:13px}
.lang-choice{position:absolute;opacity:0}
.lang-switch{text-align:right}.lang-switch label{cursor:pointer;padding:4px 10px;border:1px solid #2f6db5;color:#2f6db5}
${active ? `${active}{background:#2f6db5;color:#fff}${focused}{outline:2px solid #e8a33d}` : ''}
${hide ? `${hide}{display:none}` : ''}
@media print{.lang-switch,.lang-choice{display:none}}
`;
}

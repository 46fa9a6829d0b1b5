import { useMemo } from 'preact/hooks';
import { Async } from '../components/Async.tsx';
import { Chart, type ChartOption } from '../components/Chart.tsx';
import { Fields } from '../components/Fields.tsx';
import { type Column, Table } from '../components/Table.tsx';
import { useWords, type Words } from '../i18n.tsx';
import { useResource } from '../resource.ts';
import { href } from '../router.ts';
import { asArray, numberOf, pick, textOf } from '../values.ts';

type Row = Record<string, unknown>;

/** One category of a survey (see src/survey/report.ts CategoryReport): counts among measured domains. */
interface Category {
  name: string;
  domains: number;
  measured: number;
  spf: number;
  dmarc: number;
  policy: { none: number; quarantine: number; reject: number };
}

export function Surveys() {
  const w = useWords();
  const surveys = useResource<unknown>('/api/surveys');
  const columns: Column<Row>[] = [
    {
      key: 'name',
      label: w.t('surveys.name'),
      render: (s) => (
        <a href={href({ page: 'survey', id: String(pick(s, 'id')) })}>
          {textOf(pick(s, 'name', 'id'), w.lang)}
        </a>
      ),
    },
    { key: 'list', label: w.t('surveys.list'), render: (s) => textOf(pick(s, 'list'), w.lang) || '–' },
    {
      key: 'status',
      label: w.t('surveys.status'),
      render: (s) => w.tMaybe('surveys.status.', textOf(pick(s, 'status'), w.lang)),
    },
    {
      key: 'date',
      label: w.t('surveys.date'),
      render: (s) => w.date(pick(s, 'finishedAt', 'startedAt') as number | undefined),
    },
    {
      key: 'lines',
      label: w.t('surveys.domains'),
      numeric: true,
      render: (s) => w.num(numberOf(pick(s, 'lines'))),
    },
  ];
  return (
    <>
      <h1>{w.t('surveys.title')}</h1>
      <Async resource={surveys}>
        {(data) => (
          <Table
            caption={w.t('surveys.caption')}
            columns={columns}
            rows={asArray<Row>(data, 'surveys', 'items')}
          />
        )}
      </Async>
    </>
  );
}

export function Survey({ id }: { id: string }) {
  const w = useWords();
  const survey = useResource<Row>(`/api/surveys/${encodeURIComponent(id)}`);
  return (
    <>
      <p class="crumbs">
        <a href="#/surveys">{w.t('nav.surveys')}</a> /
      </p>
      <Async resource={survey}>
        {(data) => {
          // {scan, report}: the stored scan and its report (survey/report.ts SurveyReport).
          const scan = pick(data, 'scan') as Row | undefined;
          const report = pick(data, 'report') as Row | undefined;
          const categories = asArray<Category>(report, 'categories');
          return (
            <>
              <h1>{textOf(pick(scan, 'name'), w.lang) || w.t('surveys.survey')}</h1>
              <Fields data={scan} prefix="field." skip={['id', 'options', 'flagNames']} />
              <SurveyCharts categories={categories} />
              <CategoryTable categories={categories} />
            </>
          );
        }}
      </Async>
    </>
  );
}

function SurveyCharts({ categories }: { categories: Category[] }) {
  const w = useWords();
  const policies = useMemo(() => policyChart(categories, w), [categories, w.lang]);
  const adoption = useMemo(() => adoptionChart(categories), [categories]);
  if (categories.length === 0) return <p class="muted">{w.t('common.empty')}</p>;
  const height = Math.max(240, 60 + categories.length * 32);
  return (
    <div class="chart-grid">
      <section aria-labelledby="policy-chart-h">
        <h2 id="policy-chart-h">{w.t('surveys.policy-chart')}</h2>
        <Chart option={policies} label={w.t('surveys.policy-chart')} height={height} />
      </section>
      <section aria-labelledby="adoption-chart-h">
        <h2 id="adoption-chart-h">{w.t('surveys.adoption-chart')}</h2>
        <Chart option={adoption} label={w.t('surveys.adoption-chart')} height={height} />
      </section>
    </div>
  );
}

const share = (count: number | undefined, of: number | undefined) =>
  count !== undefined && of ? Math.round((count / of) * 1000) / 10 : 0;

function policyChart(categories: Category[], w: Words): ChartOption {
  const names = categories.map((c) => c.name);
  const series = (
    [
      ['reject', '#1f6f50', (c: Category) => c.policy?.reject],
      ['quarantine', '#c9a227', (c: Category) => c.policy?.quarantine],
      ['none', '#b5462f', (c: Category) => c.policy?.none],
      ['no-dmarc', '#9aa0a6', (c: Category) => (numberOf(c.measured) ?? 0) - (numberOf(c.dmarc) ?? 0)],
    ] as const
  ).map(([key, color, count]) => ({
    name: w.tMaybe('surveys.policy.', key),
    type: 'bar',
    stack: 'policy',
    itemStyle: { color },
    data: categories.map((c) => share(count(c), c.measured)),
  }));
  return {
    legend: { top: 0 },
    tooltip: { trigger: 'axis' },
    grid: { left: 140, right: 24, top: 36, bottom: 24 },
    xAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
    yAxis: { type: 'category', data: names, inverse: true },
    series,
  };
}

function adoptionChart(categories: Category[]): ChartOption {
  return {
    legend: { top: 0 },
    tooltip: { trigger: 'axis' },
    grid: { left: 140, right: 24, top: 36, bottom: 24 },
    xAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
    yAxis: { type: 'category', data: categories.map((c) => c.name), inverse: true },
    series: [
      {
        name: 'SPF',
        type: 'bar',
        itemStyle: { color: '#5b7fb5' },
        data: categories.map((c) => share(c.spf, c.measured)),
      },
      {
        name: 'DMARC',
        type: 'bar',
        itemStyle: { color: '#1f6f50' },
        data: categories.map((c) => share(c.dmarc, c.measured)),
      },
    ],
  };
}

function CategoryTable({ categories }: { categories: Category[] }) {
  const w = useWords();
  const columns: Column<Category>[] = [
    { key: 'name', label: w.t('surveys.category'), render: (c) => c.name },
    { key: 'domains', label: w.t('surveys.domains'), numeric: true, render: (c) => w.num(c.domains) },
    { key: 'measured', label: w.t('surveys.measured'), numeric: true, render: (c) => w.num(c.measured) },
    {
      key: 'spf',
      label: 'SPF',
      numeric: true,
      render: (c) => w.pct(c.measured ? c.spf / c.measured : undefined),
    },
    {
      key: 'dmarc',
      label: 'DMARC',
      numeric: true,
      render: (c) => w.pct(c.measured ? c.dmarc / c.measured : undefined),
    },
    {
      key: 'reject',
      label: 'p=reject',
      numeric: true,
      render: (c) => w.pct(c.measured ? (c.policy?.reject ?? 0) / c.measured : undefined),
    },
  ];
  return <Table caption={w.t('surveys.by-category')} columns={columns} rows={categories} />;
}

import { useMemo, useState } from 'preact/hooks';
import { withQuery } from '../api.ts';
import { Async } from '../components/Async.tsx';
import { HealthBadge, PolicyBadge, SenderClassBadge } from '../components/Badge.tsx';
import { Chart, type ChartOption } from '../components/Chart.tsx';
import { Pager } from '../components/Pager.tsx';
import { PeriodSelect } from '../components/PeriodSelect.tsx';
import { type Column, Table } from '../components/Table.tsx';
import { useWords, type WebKey, type Words } from '../i18n.tsx';
import { useResource } from '../resource.ts';
import { href } from '../router.ts';
import { asArray, domainHealth, numberOf, passRateOf, pick, textOf } from '../values.ts';
import { CheckResult } from './CheckResult.tsx';
import { DomainFailures } from './DomainFailures.tsx';
import { historySections } from './history-words.ts';
import { Plan } from './Plan.tsx';
import { PolicyHistory } from './PolicyHistory.tsx';
import { Reporters, Subdomains } from './Sections.tsx';
import { Simulator } from './Simulator.tsx';

const api = (domain: string, part: string) => `/api/domains/${encodeURIComponent(domain)}/${part}`;

export function Domain({ domain }: { domain: string }) {
  const w = useWords();
  // 90 days by default: long enough to see a policy change and its effect.
  const [days, setDays] = useState<number>(90);
  const since = `${days}d`;
  const summary = useResource<Record<string, unknown>>(withQuery(api(domain, 'summary'), { since }));
  const sections: [string, string][] = [
    ['overview', w.t('domain.overview')],
    ['senders', w.t('domain.senders')],
    ['subdomains', w.t('domain.subdomains')],
    ['reporters', w.t('domain.reporters')],
    ['simulator', w.t('domain.simulator')],
    ['plan', w.t('domain.plan')],
    ...historySections(w.lang),
    ['check', w.t('domain.check')],
  ];
  return (
    <>
      <p class="crumbs">
        <a href="#/domains">{w.t('nav.domains')}</a> /
      </p>
      <h1>{domain}</h1>
      <PeriodSelect days={days} onDays={setDays} />
      <nav class="section-nav" aria-label={w.t('domain.sections')}>
        {sections.map(([id, label]) => (
          <a key={id} href={`#/domains/${encodeURIComponent(domain)}`} onClick={jumpTo(id)}>
            {label}
          </a>
        ))}
        <a href={href({ page: 'tls', domain })}>{w.t('nav.tls')}</a>
      </nav>
      <section id="overview" aria-labelledby="overview-h">
        <h2 id="overview-h">{w.t('domain.overview')}</h2>
        <Async resource={summary}>{(data) => <Overview domain={domain} summary={data} />}</Async>
      </section>
      <Senders domain={domain} since={since} />
      <section id="subdomains" aria-labelledby="subdomains-h">
        <h2 id="subdomains-h">{w.t('domain.subdomains')}</h2>
        <p class="muted">{w.t('domain.subdomains-intro')}</p>
        <Subdomains domain={domain} path={withQuery(api(domain, 'subdomains'), { since })} />
      </section>
      <section id="reporters" aria-labelledby="reporters-h">
        <h2 id="reporters-h">{w.t('domain.reporters')}</h2>
        <p class="muted">{w.t('domain.reporters-intro')}</p>
        <Reporters path={withQuery(api(domain, 'reporters'), { since })} />
      </section>
      <section id="simulator" aria-labelledby="simulator-h">
        <h2 id="simulator-h">{w.t('domain.simulator')}</h2>
        <Simulator domain={domain} since={since} />
      </section>
      <section id="plan" aria-labelledby="plan-h">
        <h2 id="plan-h">{w.t('domain.plan')}</h2>
        <Plan domain={domain} path={api(domain, 'plan')} />
      </section>
      <PolicyHistory domain={domain} since={since} />
      <DomainFailures domain={domain} since={since} />
      <section id="check" aria-labelledby="check-h">
        <h2 id="check-h">{w.t('domain.check')}</h2>
        <CheckResult path={api(domain, 'check')} />
      </section>
    </>
  );
}

/** In-page links scroll and move focus without changing the page's hash route. */
function jumpTo(id: string) {
  return (event: Event) => {
    event.preventDefault();
    const target = document.getElementById(id);
    target?.scrollIntoView({ behavior: 'smooth', block: 'start' });
    target?.querySelector<HTMLElement>('h2')?.focus();
  };
}

interface Day {
  day: string;
  messages: number;
  pass: number;
}

/** Days of a summary (analysis/summary.ts: `dmarcPass` per day) in one shape. */
function daysOf(summary: Record<string, unknown>): Day[] {
  return asArray<Record<string, unknown>>(pick(summary, 'days', 'trend')).map((d) => ({
    day: String(d.day ?? ''),
    messages: numberOf(d.messages) ?? 0,
    pass: numberOf(pick(d, 'dmarcPass', 'pass')) ?? 0,
  }));
}

function Overview({ domain, summary }: { domain: string; summary: Record<string, unknown> }) {
  const w = useWords();
  const days = useMemo(() => daysOf(summary), [summary]);
  // Policy per day with reports; the chart marks the days it changed.
  const policyDays = asArray<Record<string, unknown>>(pick(summary, 'policy'));
  const changes = policyDays.filter((d, i) => d.changed === true && i > 0);
  const current = policyDays.at(-1) ?? null;
  const totals = (pick(summary, 'totals') as Record<string, unknown> | undefined) ?? summary;
  const messages = numberOf(pick(totals, 'messages'));
  const passRate = passRateOf(totals);
  // The chart's figures as a table, for screen readers and for copying.
  const dayColumns: Column<Day>[] = [
    { key: 'day', label: w.t('field.day'), render: (d) => d.day },
    { key: 'messages', label: w.t('chart.messages'), numeric: true, render: (d) => w.num(d.messages) },
    { key: 'pass', label: w.t('field.dmarcPass'), numeric: true, render: (d) => w.num(d.pass) },
    { key: 'rate', label: w.t('chart.pass-rate'), numeric: true, render: (d) => w.pct(d.pass / d.messages) },
    {
      key: 'policy',
      label: w.t('domains.policy'),
      render: (d) => {
        const p = policyDays.find((x) => x.day === d.day);
        return p ? <PolicyBadge policy={p} /> : '';
      },
    },
  ];
  const option = useMemo(() => volumeChart(days, changes, w), [summary, w.lang]);
  return (
    <>
      <dl class="figures">
        <div>
          <dt>{w.t('domains.status')}</dt>
          <dd>
            <HealthBadge
              health={domainHealth(messages, passRate, current?.p === 'reject' ? 'watch' : undefined)}
            />
          </dd>
        </div>
        <div>
          <dt>{w.t('domains.policy')}</dt>
          <dd>
            <PolicyBadge policy={current} />
          </dd>
        </div>
        <div>
          <dt>{w.t('domains.messages')}</dt>
          <dd>{w.num(messages)}</dd>
        </div>
        <div>
          <dt>{w.t('domains.pass-rate')}</dt>
          <dd>{w.pct(passRate)}</dd>
        </div>
      </dl>
      {textOf(pick(summary, 'next'), w.lang) && <p class="next">{textOf(pick(summary, 'next'), w.lang)}</p>}
      {days.length > 0 ? (
        <>
          <Chart option={option} label={w.t('domain.chart-label', { domain })} />
          <details class="chart-data">
            <summary>{w.t('chart.as-table')}</summary>
            <Table
              caption={w.t('domain.chart-label', { domain })}
              columns={dayColumns}
              rows={days.filter((d) => d.messages > 0)}
            />
          </details>
        </>
      ) : (
        <p class="muted">{w.t('common.empty')}</p>
      )}
    </>
  );
}

function volumeChart(days: Day[], changes: Record<string, unknown>[], w: Words): ChartOption {
  const marks = changes
    .map((c) => ({
      day: String(pick(c, 'day') ?? ''),
      policy: textOf(pick(c, 'p'), w.lang) || '–',
    }))
    .filter((c) => c.day !== '')
    .map((c) => ({ xAxis: c.day.slice(0, 10), label: { formatter: c.policy ? `p=${c.policy}` : '' } }));
  return {
    grid: { left: 56, right: 56, top: 40, bottom: 32 },
    legend: { top: 0 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: days.map((d) => d.day.slice(0, 10)) },
    yAxis: [
      { type: 'value', name: w.t('chart.messages') },
      { type: 'value', name: w.t('chart.pass-rate'), min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    ],
    series: [
      {
        name: w.t('chart.messages'),
        type: 'bar',
        data: days.map((d) => d.messages),
        itemStyle: { color: '#8aa4c8' },
        markLine: marks.length
          ? { symbol: 'none', data: marks, lineStyle: { color: '#b5462f', type: 'dashed' } }
          : undefined,
      },
      {
        name: w.t('chart.pass-rate'),
        type: 'line',
        yAxisIndex: 1,
        showSymbol: days.length <= 31,
        data: days.map((d) => (d.messages ? Math.round((d.pass / d.messages) * 1000) / 10 : null)),
        itemStyle: { color: '#1f6f50' },
      },
    ],
  };
}

type SenderRow = Record<string, unknown>;

/** Senders per page: the server cuts the pages, a big domain has tens of thousands. */
const SENDERS_PAGE = 25;
const SENDER_CLASSES = ['authorised', 'known-unconfigured', 'forwarder', 'suspicious'] as const;
const SENDER_SORTS: { key: string; label: WebKey }[] = [
  { key: 'messages', label: 'domains.messages' },
  { key: 'dmarcFail', label: 'senders.sort-fail' },
  { key: 'passRate', label: 'domains.pass-rate' },
  { key: 'name', label: 'senders.sort-name' },
  { key: 'ip', label: 'senders.sort-ip' },
  { key: 'class', label: 'senders.classification' },
];

function Senders({ domain, since }: { domain: string; since: string }) {
  const w = useWords();
  const [view, setView] = useState<{ sort: string; order: 'asc' | 'desc'; class: string }>({
    sort: 'messages',
    order: 'desc',
    class: '',
  });
  const [offset, setOffset] = useState(0);
  const senders = useResource<unknown>(
    withQuery(api(domain, 'senders'), { since, ...view, limit: SENDERS_PAGE, offset }),
  );
  // Another period, sort or class starts again at the first page.
  const change = (next: Partial<typeof view>) => {
    setOffset(0);
    setView({ ...view, ...next });
  };
  const classes = (pick(senders.data, 'classes') as Record<string, unknown> | undefined) ?? {};
  const columns: Column<SenderRow>[] = [
    {
      key: 'source',
      label: w.t('senders.source'),
      render: (s) => {
        const ip = String(pick(s, 'ip', 'sourceIp', 'source_ip') ?? '');
        const name = textOf(pick(s, 'name', 'sender', 'ptr'), w.lang);
        return (
          <>
            {ip ? (
              <a class="ip" href={href({ page: 'sender', domain, ip })}>
                {ip}
              </a>
            ) : null}
            {name && name !== ip && <div class="muted">{name}</div>}
          </>
        );
      },
    },
    {
      key: 'classification',
      label: w.t('senders.classification'),
      render: (s) => <SenderClassBadge value={textOf(pick(s, 'class', 'classification'), w.lang)} />,
    },
    {
      key: 'messages',
      label: w.t('domains.messages'),
      numeric: true,
      render: (s) => w.num(numberOf(pick(s, 'messages', 'count'))),
    },
    { key: 'passRate', label: w.t('domains.pass-rate'), numeric: true, render: (s) => w.pct(passRateOf(s)) },
    {
      key: 'reason',
      label: w.t('senders.reason'),
      render: (s) => textOf(pick(s, 'reason'), w.lang) || '–',
    },
    {
      key: 'fix',
      label: w.t('senders.fix'),
      render: (s) => textOf(pick(s, 'fix') ?? pick(pick(s, 'reason'), 'fix'), w.lang) || '–',
    },
  ];
  return (
    <section id="senders" aria-labelledby="senders-h">
      <h2 id="senders-h">{w.t('domain.senders')}</h2>
      <form class="inline-form" onSubmit={(e) => e.preventDefault()}>
        <label>
          {w.t('senders.class-filter')}
          <select name="class" value={view.class} onChange={(e) => change({ class: e.currentTarget.value })}>
            <option value="">{w.t('senders.all-classes')}</option>
            {SENDER_CLASSES.map((c) => (
              <option key={c} value={c}>
                {w.t(`class.${c}`)}
                {numberOf(classes[c]) !== undefined ? ` (${w.num(numberOf(classes[c]))})` : ''}
              </option>
            ))}
          </select>
        </label>
        <label>
          {w.t('reports.sort')}
          <select name="sort" value={view.sort} onChange={(e) => change({ sort: e.currentTarget.value })}>
            {SENDER_SORTS.map((s) => (
              <option key={s.key} value={s.key}>
                {w.t(s.label)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {w.t('reports.order')}
          <select
            name="order"
            value={view.order}
            onChange={(e) => change({ order: e.currentTarget.value as 'asc' | 'desc' })}
          >
            <option value="desc">{w.t('reports.desc')}</option>
            <option value="asc">{w.t('reports.asc')}</option>
          </select>
        </label>
      </form>
      <Async resource={senders}>
        {(data) => {
          const rows = asArray<SenderRow>(data, 'senders');
          return (
            <>
              <Table caption={w.t('senders.caption')} columns={columns} rows={rows} />
              <Pager
                offset={offset}
                shown={rows.length}
                total={numberOf(pick(data, 'total'))}
                page={SENDERS_PAGE}
                onOffset={setOffset}
              />
            </>
          );
        }}
      </Async>
    </section>
  );
}

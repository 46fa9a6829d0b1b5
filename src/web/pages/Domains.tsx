import { useState } from 'preact/hooks';
import { Async } from '../components/Async.tsx';
import { HealthBadge, PolicyBadge } from '../components/Badge.tsx';
import { Sparkline } from '../components/Sparkline.tsx';
import { type Column, Table } from '../components/Table.tsx';
import { useWords } from '../i18n.tsx';
import { useResource } from '../resource.ts';
import { href } from '../router.ts';
import { asArray, domainHealth, type Health, numberOf, passRateOf, textOf } from '../values.ts';

interface TrendDay {
  day: string;
  messages: number;
  pass: number;
}

interface DomainRow {
  domain: string;
  policy?: string | null;
  messages?: number;
  passRate?: number | null;
  trend?: TrendDay[];
  next?: unknown;
}

const SORTS = ['status', 'domain', 'messages', 'pass-rate'] as const;
type SortKey = (typeof SORTS)[number];
const HEALTH_ORDER: Record<Health, number> = { failing: 0, attention: 1, 'no-data': 2, good: 3 };

/** For hundreds of client domains: narrow by name, worst first by default. */
function arrange(rows: DomainRow[], filter: string, sort: SortKey): DomainRow[] {
  const needle = filter.trim().toLowerCase();
  const kept = needle ? rows.filter((d) => d.domain.includes(needle)) : [...rows];
  const health = (d: DomainRow) => HEALTH_ORDER[domainHealth(d.messages, passRateOf(d), d.next)];
  const byName = (a: DomainRow, b: DomainRow) => a.domain.localeCompare(b.domain);
  const compare: Record<SortKey, (a: DomainRow, b: DomainRow) => number> = {
    status: (a, b) => health(a) - health(b) || (b.messages ?? 0) - (a.messages ?? 0) || byName(a, b),
    domain: byName,
    messages: (a, b) => (b.messages ?? 0) - (a.messages ?? 0) || byName(a, b),
    'pass-rate': (a, b) => (passRateOf(a) ?? 2) - (passRateOf(b) ?? 2) || byName(a, b),
  };
  return kept.sort(compare[sort]);
}

export function Domains() {
  const w = useWords();
  const domains = useResource<DomainRow[] | { domains: DomainRow[] }>('/api/domains');
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<SortKey>('status');
  const columns: Column<DomainRow>[] = [
    {
      key: 'domain',
      label: w.t('domains.domain'),
      render: (d) => (
        <a class="domain-name" href={href({ page: 'domain', domain: d.domain })}>
          {d.domain}
        </a>
      ),
    },
    {
      key: 'status',
      label: w.t('domains.status'),
      render: (d) => <HealthBadge health={domainHealth(d.messages, passRateOf(d), d.next)} />,
    },
    { key: 'policy', label: w.t('domains.policy'), render: (d) => <PolicyBadge policy={d.policy} /> },
    { key: 'messages', label: w.t('domains.messages'), numeric: true, render: (d) => w.num(d.messages) },
    { key: 'passRate', label: w.t('domains.pass-rate'), numeric: true, render: (d) => w.pct(passRateOf(d)) },
    {
      key: 'trend',
      label: w.t('domains.trend'),
      render: (d) => (
        <Sparkline
          values={(d.trend ?? []).filter((t) => t.messages > 0).map((t) => t.pass / t.messages)}
          label={w.t('domains.trend-label', { domain: d.domain })}
        />
      ),
    },
    { key: 'next', label: w.t('domains.next'), render: (d) => textOf(d.next, w.lang) || '–' },
  ];
  return (
    <>
      <h1>{w.t('domains.title')}</h1>
      <Async resource={domains}>
        {(data) => {
          const rows = asArray<DomainRow>(data, 'domains');
          const messages = rows.reduce((sum, d) => sum + (numberOf(d.messages) ?? 0), 0);
          const pass = rows.reduce((sum, d) => sum + (numberOf(d.messages) ?? 0) * (passRateOf(d) ?? 0), 0);
          return (
            <>
              <dl class="figures">
                <div>
                  <dt>{w.t('domains.count')}</dt>
                  <dd>{w.num(rows.length)}</dd>
                </div>
                <div>
                  <dt>{w.t('domains.messages')}</dt>
                  <dd>{w.num(messages)}</dd>
                </div>
                <div>
                  <dt>{w.t('domains.pass-rate')}</dt>
                  <dd>{w.pct(messages ? pass / messages : undefined)}</dd>
                </div>
              </dl>
              {rows.length === 0 ? (
                <p>
                  {w.t('domains.none')} <a href="#/upload">{w.t('nav.upload')}</a>
                </p>
              ) : (
                <>
                  <form class="inline-form" onSubmit={(e) => e.preventDefault()}>
                    <label>
                      {w.t('domains.filter')}
                      <input
                        name="filter"
                        type="search"
                        value={filter}
                        onInput={(e) => setFilter(e.currentTarget.value)}
                      />
                    </label>
                    <label>
                      {w.t('reports.sort')}
                      <select
                        name="sort"
                        value={sort}
                        onChange={(e) => setSort(e.currentTarget.value as SortKey)}
                      >
                        {SORTS.map((key) => (
                          <option key={key} value={key}>
                            {w.t(`domains.sort.${key}`)}
                          </option>
                        ))}
                      </select>
                    </label>
                  </form>
                  <Table
                    caption={w.t('domains.caption')}
                    columns={columns}
                    rows={arrange(rows, filter, sort)}
                  />
                </>
              )}
            </>
          );
        }}
      </Async>
    </>
  );
}

import { Async } from '../components/Async.tsx';
import { HealthBadge, PolicyBadge } from '../components/Badge.tsx';
import { Sparkline } from '../components/Sparkline.tsx';
import { type Column, Table } from '../components/Table.tsx';
import { useWords } from '../i18n.tsx';
import { useResource } from '../resource.ts';
import { href } from '../router.ts';
import { asArray, healthOf, numberOf, passRateOf, textOf } from '../values.ts';

export interface TrendDay {
  day: string;
  messages: number;
  pass: number;
}

export interface DomainRow {
  domain: string;
  policy?: string | null;
  messages?: number;
  passRate?: number | null;
  trend?: TrendDay[];
  next?: unknown;
}

export function Domains() {
  const w = useWords();
  const domains = useResource<DomainRow[] | { domains: DomainRow[] }>('/api/domains');
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
      render: (d) => <HealthBadge health={healthOf(d.messages, passRateOf(d))} />,
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
                <Table caption={w.t('domains.caption')} columns={columns} rows={rows} />
              )}
            </>
          );
        }}
      </Async>
    </>
  );
}

import { useState } from 'preact/hooks';
import { withQuery } from '../api.ts';
import { Async } from '../components/Async.tsx';
import { Pager } from '../components/Pager.tsx';
import { PeriodSelect } from '../components/PeriodSelect.tsx';
import { type Column, Table } from '../components/Table.tsx';
import { useWords } from '../i18n.tsx';
import { useResource } from '../resource.ts';
import { href } from '../router.ts';

/** server/tls.ts: one policy domain over the period. */
interface DomainTls {
  domain: string;
  reports: number;
  successful: number;
  failed: number;
  failureRate: number | null;
  lastReport: number | null;
  resultTypes?: { resultType: string; sessions: number }[];
}

interface FailureGroup {
  resultType: string;
  sendingMtaIp: string | null;
  receivingMxHostname: string | null;
  receivingMxHelo: string | null;
  receivingIp: string | null;
  failureReasonCode: string | null;
  additionalInformation: string | null;
  sessions: number;
  reports: number;
}

interface PolicyRow {
  id: number;
  organization: string;
  reportId: string;
  begin: number;
  policyType: string;
  mxHost: string[];
  successful: number;
  failed: number;
  /** Whether the caller may download the report as received. */
  raw: boolean;
}

const PAGE = 50;

/** SMTP TLS reports: every policy domain, or one domain's failures and reports. */
export function TlsReports({ domain }: { domain?: string | undefined }) {
  const [days, setDays] = useState<number>(30);
  return domain === undefined ? (
    <TlsDomains days={days} onDays={setDays} />
  ) : (
    <TlsDomain domain={domain} days={days} onDays={setDays} />
  );
}

function TlsDomains({ days, onDays }: { days: number; onDays: (days: number) => void }) {
  const w = useWords();
  const result = useResource<{ domains: DomainTls[] }>(withQuery('/api/tls-reports', { since: `${days}d` }));
  const columns: Column<DomainTls>[] = [
    {
      key: 'domain',
      label: w.t('tls.domain'),
      render: (d) => <a href={href({ page: 'tls', domain: d.domain })}>{d.domain}</a>,
    },
    { key: 'reports', label: w.t('tls.reports'), numeric: true, render: (d) => w.num(d.reports) },
    { key: 'successful', label: w.t('tls.successful'), numeric: true, render: (d) => w.num(d.successful) },
    { key: 'failed', label: w.t('tls.failed'), numeric: true, render: (d) => w.num(d.failed) },
    { key: 'rate', label: w.t('tls.failure-rate'), numeric: true, render: (d) => w.pct(d.failureRate) },
    {
      key: 'types',
      label: w.t('tls.result-types'),
      render: (d) =>
        (d.resultTypes ?? []).map((t) => `${t.resultType}: ${w.num(t.sessions)}`).join(', ') || '–',
    },
    { key: 'last', label: w.t('tls.last-report'), render: (d) => w.date(d.lastReport) },
  ];
  return (
    <>
      <h1>{w.t('tls.title')}</h1>
      <p class="muted">{w.t('tls.intro')}</p>
      <PeriodSelect days={days} onDays={onDays} />
      <Async resource={result}>
        {(data) =>
          data.domains.length === 0 ? (
            <p class="muted">{w.t('tls.none')}</p>
          ) : (
            <Table caption={w.t('tls.caption')} columns={columns} rows={data.domains} />
          )
        }
      </Async>
    </>
  );
}

function TlsDomain({
  domain,
  days,
  onDays,
}: {
  domain: string;
  days: number;
  onDays: (days: number) => void;
}) {
  const w = useWords();
  const [offset, setOffset] = useState(0);
  const result = useResource<DomainTls & { failures: FailureGroup[]; total: number; policies: PolicyRow[] }>(
    withQuery(`/api/domains/${encodeURIComponent(domain)}/tls`, { since: `${days}d`, limit: PAGE, offset }),
  );
  const failureColumns: Column<FailureGroup>[] = [
    { key: 'resultType', label: w.t('tls.result-type'), render: (f) => f.resultType },
    { key: 'sendingMtaIp', label: w.t('tls.sending-mta'), render: (f) => f.sendingMtaIp ?? '–' },
    { key: 'receivingMx', label: w.t('tls.receiving-mx'), render: (f) => f.receivingMxHostname ?? '–' },
    { key: 'receivingMxHelo', label: w.t('tls.receiving-helo'), render: (f) => f.receivingMxHelo ?? '–' },
    { key: 'receivingIp', label: w.t('tls.receiving-ip'), render: (f) => f.receivingIp ?? '–' },
    { key: 'reasonCode', label: w.t('tls.reason-code'), render: (f) => f.failureReasonCode ?? '–' },
    { key: 'info', label: w.t('tls.info'), render: (f) => f.additionalInformation ?? '–' },
    { key: 'sessions', label: w.t('tls.sessions'), numeric: true, render: (f) => w.num(f.sessions) },
    { key: 'reports', label: w.t('tls.reports'), numeric: true, render: (f) => w.num(f.reports) },
  ];
  const policyColumns: Column<PolicyRow>[] = [
    { key: 'organization', label: w.t('tls.organization'), render: (p) => p.organization },
    { key: 'reportId', label: w.t('tls.report-id'), render: (p) => <span class="ip">{p.reportId}</span> },
    { key: 'begin', label: w.t('tls.window'), render: (p) => w.date(p.begin) },
    { key: 'policyType', label: w.t('tls.policy-type'), render: (p) => p.policyType },
    { key: 'mxHost', label: w.t('tls.mx-hosts'), render: (p) => p.mxHost.join(', ') || '–' },
    { key: 'successful', label: w.t('tls.successful'), numeric: true, render: (p) => w.num(p.successful) },
    { key: 'failed', label: w.t('tls.failed'), numeric: true, render: (p) => w.num(p.failed) },
    {
      key: 'raw',
      label: w.t('tls.raw'),
      render: (p) =>
        p.raw ? (
          <a href={`/api/tls-reports/${encodeURIComponent(p.id)}/raw`} download>
            {w.t('tls.download')}
          </a>
        ) : (
          '–'
        ),
    },
  ];
  return (
    <>
      <p class="crumbs">
        <a href={href({ page: 'tls' })}>{w.t('nav.tls')}</a> /
      </p>
      <h1>{domain}</h1>
      <PeriodSelect
        days={days}
        onDays={(d) => {
          setOffset(0);
          onDays(d);
        }}
      />
      <Async resource={result}>
        {(data) => (
          <>
            <dl class="figures">
              <div data-figure="reports">
                <dt>{w.t('tls.reports')}</dt>
                <dd>{w.num(data.reports)}</dd>
              </div>
              <div data-figure="successful">
                <dt>{w.t('tls.successful')}</dt>
                <dd>{w.num(data.successful)}</dd>
              </div>
              <div data-figure="failed">
                <dt>{w.t('tls.failed')}</dt>
                <dd>{w.num(data.failed)}</dd>
              </div>
              <div data-figure="failureRate">
                <dt>{w.t('tls.failure-rate')}</dt>
                <dd>{w.pct(data.failureRate)}</dd>
              </div>
            </dl>
            {data.reports === 0 && <p class="muted">{w.t('tls.none')}</p>}
            <section id="tls-failures" aria-labelledby="tls-failures-h">
              <h2 id="tls-failures-h">{w.t('tls.failures')}</h2>
              {data.failures.length === 0 ? (
                <p class="muted">{w.t('tls.no-failures')}</p>
              ) : (
                <Table caption={w.t('tls.failures-caption')} columns={failureColumns} rows={data.failures} />
              )}
            </section>
            <section id="tls-reports" aria-labelledby="tls-reports-h">
              <h2 id="tls-reports-h">{w.t('tls.policies')}</h2>
              <Table caption={w.t('tls.policies-caption')} columns={policyColumns} rows={data.policies} />
              <Pager
                offset={offset}
                shown={data.policies.length}
                total={data.total}
                page={PAGE}
                onOffset={setOffset}
              />
            </section>
          </>
        )}
      </Async>
    </>
  );
}

import { useState } from 'preact/hooks';
import { sourceWords } from '../../i18n/reports.ts';
import { withQuery } from '../api.ts';
import { Async } from '../components/Async.tsx';
import { Fields } from '../components/Fields.tsx';
import { Pager } from '../components/Pager.tsx';
import { type Column, Table } from '../components/Table.tsx';
import { useWords, type WebKey } from '../i18n.tsx';
import { useResource } from '../resource.ts';
import { href } from '../router.ts';
import { asArray, numberOf, pick, textOf } from '../values.ts';

const PAGE = 50;

type Row = Record<string, unknown>;

const SORTS: { key: string; label: WebKey }[] = [
  { key: 'begin', label: 'reports.begin' },
  { key: 'org', label: 'reports.org' },
  { key: 'domain', label: 'reports.domain' },
  { key: 'messages', label: 'domains.messages' },
];

export function Reports() {
  const w = useWords();
  const [domain, setDomain] = useState('');
  const [search, setSearch] = useState('');
  const [filter, setFilter] = useState({ domain: '', q: '' });
  const [sort, setSort] = useState('begin');
  const [order, setOrder] = useState<'asc' | 'desc'>('desc');
  const [offset, setOffset] = useState(0);
  const reports = useResource<unknown>(
    withQuery('/api/reports', { ...filter, limit: PAGE, offset, sort, order }),
  );
  const columns: Column<Row>[] = [
    {
      key: 'org',
      label: w.t('reports.org'),
      render: (r) => (
        <a href={href({ page: 'report', id: String(pick(r, 'id')) })}>
          {textOf(pick(r, 'orgName', 'org_name', 'org'), w.lang) || '–'}
        </a>
      ),
    },
    {
      key: 'reportId',
      label: w.t('reports.report-id'),
      render: (r) => textOf(pick(r, 'reportId', 'report_id'), w.lang),
    },
    {
      key: 'domain',
      label: w.t('reports.domain'),
      render: (r) => textOf(pick(r, 'domain', 'policyDomain', 'policy_domain'), w.lang),
    },
    {
      key: 'begin',
      label: w.t('reports.begin'),
      render: (r) => w.date(pick(r, 'begin', 'dateBegin', 'date_begin') as string),
    },
    {
      key: 'end',
      label: w.t('reports.end'),
      render: (r) => w.date(pick(r, 'end', 'dateEnd', 'date_end') as string),
    },
    {
      key: 'messages',
      label: w.t('domains.messages'),
      numeric: true,
      render: (r) => w.num(numberOf(pick(r, 'messages', 'count'))),
    },
  ];
  return (
    <>
      <h1>{w.t('reports.title')}</h1>
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          setOffset(0);
          setFilter({ domain: domain.trim(), q: search.trim() });
        }}
      >
        <label>
          {w.t('reports.domain')}
          <input name="domain" value={domain} onInput={(e) => setDomain(e.currentTarget.value)} />
        </label>
        <label>
          {w.t('reports.search')}
          <input name="q" type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        </label>
        <label>
          {w.t('reports.sort')}
          <select name="sort" value={sort} onChange={(e) => setSort(e.currentTarget.value)}>
            {SORTS.map((s) => (
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
            value={order}
            onChange={(e) => setOrder(e.currentTarget.value as 'asc' | 'desc')}
          >
            <option value="desc">{w.t('reports.desc')}</option>
            <option value="asc">{w.t('reports.asc')}</option>
          </select>
        </label>
        <button type="submit">{w.t('reports.filter')}</button>
      </form>
      <Async resource={reports}>
        {(data) => {
          const rows = asArray<Row>(data, 'reports', 'items');
          const total = numberOf(pick(data, 'total'));
          return (
            <>
              <Table caption={w.t('reports.caption')} columns={columns} rows={rows} />
              <Pager offset={offset} shown={rows.length} total={total} page={PAGE} onOffset={setOffset} />
            </>
          );
        }}
      </Async>
    </>
  );
}

/** reports/types.ts AggregateReportWithRecords, as /api/reports/:id sends it. */
interface AggregateReport {
  reporter?: { orgName?: string; email?: string | null; extraContactInfo?: string | null };
  metadata?: {
    reportId?: string;
    window?: { begin: number; end: number };
    generator?: string | null;
    errors?: string[];
  };
  policyPublished?: Record<string, unknown>;
  messageCount?: number;
  records?: AggregateRecord[];
  copies?: { id: number; rawSize: number; source: string; ingestedAt: number }[];
}

interface AggregateRecord {
  sourceIp: string | null;
  count: number;
  policyEvaluated?: { disposition: string | null; dkim: string | null; spf: string | null };
  headerFrom: string | null;
  envelopeFrom: string | null;
  authResults?: {
    dkim: { domain: string | null; selector: string | null; result: string | null }[];
    spf: { domain: string | null; result: string | null }[];
  };
}

export function Report({ id }: { id: string }) {
  const w = useWords();
  const report = useResource<AggregateReport>(`/api/reports/${encodeURIComponent(id)}`);
  const [showRaw, setShowRaw] = useState(false);
  const raw = useResource<string>(showRaw ? `/api/reports/${encodeURIComponent(id)}/raw` : null);
  const columns: Column<AggregateRecord>[] = [
    { key: 'sourceIp', label: w.t('field.sourceIp'), render: (r) => r.sourceIp ?? '–' },
    { key: 'count', label: w.t('domains.messages'), numeric: true, render: (r) => w.num(r.count) },
    {
      key: 'disposition',
      label: w.t('field.disposition'),
      render: (r) => r.policyEvaluated?.disposition ?? '–',
    },
    { key: 'dkim', label: 'DKIM', render: (r) => r.policyEvaluated?.dkim ?? '–' },
    { key: 'spf', label: 'SPF', render: (r) => r.policyEvaluated?.spf ?? '–' },
    { key: 'headerFrom', label: w.t('field.headerFrom'), render: (r) => r.headerFrom ?? '–' },
    { key: 'envelopeFrom', label: w.t('field.envelopeFrom'), render: (r) => r.envelopeFrom ?? '–' },
    {
      key: 'auth',
      label: w.t('reports.auth-results'),
      render: (r) =>
        [
          ...(r.authResults?.dkim ?? []).map(
            (d) => `dkim ${d.domain ?? '?'}${d.selector ? ` (${d.selector})` : ''}: ${d.result ?? '?'}`,
          ),
          ...(r.authResults?.spf ?? []).map((d) => `spf ${d.domain ?? '?'}: ${d.result ?? '?'}`),
        ].join('; ') || '–',
    },
  ];
  return (
    <>
      <p class="crumbs">
        <a href="#/reports">{w.t('nav.reports')}</a> /
      </p>
      <Async resource={report}>
        {(data) => (
          <>
            <h1>{data.reporter?.orgName || w.t('reports.report')}</h1>
            <dl class="fields">
              <div>
                <dt>{w.t('field.email')}</dt>
                <dd data-field="email">{data.reporter?.email ?? '–'}</dd>
              </div>
              <div>
                <dt>{w.t('field.extraContactInfo')}</dt>
                <dd data-field="extraContactInfo">{data.reporter?.extraContactInfo ?? '–'}</dd>
              </div>
              <div>
                <dt>{w.t('reports.report-id')}</dt>
                <dd>{data.metadata?.reportId ?? '–'}</dd>
              </div>
              <div>
                <dt>{w.t('reports.period')}</dt>
                <dd>
                  {w.date(data.metadata?.window?.begin)} – {w.date(data.metadata?.window?.end)}
                </dd>
              </div>
              <div>
                <dt>{w.t('domains.messages')}</dt>
                <dd>{w.num(data.messageCount)}</dd>
              </div>
            </dl>
            <h2>{w.t('reports.policy-published')}</h2>
            <Fields data={data.policyPublished} prefix="field." />
            <Table caption={w.t('reports.records')} columns={columns} rows={data.records ?? []} />
            {data.copies && data.copies.length > 0 ? (
              <section aria-labelledby="copies-h">
                <h2 id="copies-h">{w.t('reports.copies')}</h2>
                <p>{w.t('reports.copies-note')}</p>
                <ul class="copies">
                  {data.copies.map((copy) => (
                    <li key={copy.id}>
                      <a
                        href={`/api/reports/${encodeURIComponent(id)}/copies/${copy.id}/raw`}
                        target="_blank"
                        rel="noopener"
                      >
                        {w.t('reports.copy', { id: copy.id })}
                      </a>{' '}
                      {w.date(copy.ingestedAt)} · {sourceWords(copy.source, w.lang)}
                    </li>
                  ))}
                </ul>
              </section>
            ) : null}
          </>
        )}
      </Async>
      <section aria-labelledby="raw-h">
        <h2 id="raw-h">{w.t('reports.raw')}</h2>
        {showRaw ? (
          <Async resource={raw}>{(text) => <pre class="raw">{String(text)}</pre>}</Async>
        ) : (
          <button type="button" onClick={() => setShowRaw(true)}>
            {w.t('reports.show-raw')}
          </button>
        )}
      </section>
    </>
  );
}

import { useState } from 'preact/hooks';
import { withQuery } from '../api.ts';
import { Async } from '../components/Async.tsx';
import { Fields } from '../components/Fields.tsx';
import { AutoTable, type Column, Table } from '../components/Table.tsx';
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
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState('begin');
  const [order, setOrder] = useState<'asc' | 'desc'>('desc');
  const [offset, setOffset] = useState(0);
  const reports = useResource<unknown>(
    withQuery('/api/reports', { domain: filter, limit: PAGE, offset, sort, order }),
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
          setFilter(domain.trim());
        }}
      >
        <label>
          {w.t('reports.domain')}
          <input name="domain" value={domain} onInput={(e) => setDomain(e.currentTarget.value)} />
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
              <div class="pager">
                <button
                  type="button"
                  disabled={offset === 0}
                  onClick={() => setOffset(Math.max(0, offset - PAGE))}
                >
                  {w.t('common.previous')}
                </button>
                <span>
                  {rows.length > 0
                    ? w.t('common.range', {
                        from: w.num(offset + 1),
                        to: w.num(offset + rows.length),
                        total: w.num(total ?? offset + rows.length),
                      })
                    : ''}
                </span>
                <button
                  type="button"
                  disabled={total !== undefined ? offset + PAGE >= total : rows.length < PAGE}
                  onClick={() => setOffset(offset + PAGE)}
                >
                  {w.t('common.next')}
                </button>
              </div>
            </>
          );
        }}
      </Async>
    </>
  );
}

export function Report({ id }: { id: string }) {
  const w = useWords();
  const report = useResource<Row>(`/api/reports/${encodeURIComponent(id)}`);
  const [showRaw, setShowRaw] = useState(false);
  const raw = useResource<string>(showRaw ? `/api/reports/${encodeURIComponent(id)}/raw` : null);
  return (
    <>
      <p class="crumbs">
        <a href="#/reports">{w.t('nav.reports')}</a> /
      </p>
      <Async resource={report}>
        {(data) => {
          const inner = (pick(data, 'report') as Row | undefined) ?? data;
          return (
            <>
              <h1>{textOf(pick(inner, 'orgName', 'org_name', 'org'), w.lang) || w.t('reports.report')}</h1>
              <Fields data={inner} prefix="field." skip={['records']} />
              <AutoTable
                caption={w.t('reports.records')}
                prefix="field."
                rows={asArray<object>(pick(data, 'records') ?? [], 'records')}
              />
            </>
          );
        }}
      </Async>
      <section aria-labelledby="raw-h">
        <h2 id="raw-h">{w.t('reports.raw')}</h2>
        {showRaw ? (
          <Async resource={raw}>
            {(text) => (
              <pre class="raw">{typeof text === 'string' ? text : JSON.stringify(text, null, 2)}</pre>
            )}
          </Async>
        ) : (
          <button type="button" onClick={() => setShowRaw(true)}>
            {w.t('reports.show-raw')}
          </button>
        )}
      </section>
    </>
  );
}

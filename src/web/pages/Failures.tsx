import { Async } from '../components/Async.tsx';
import { Fields } from '../components/Fields.tsx';
import { AutoTable, type Column, Table } from '../components/Table.tsx';
import { useWords } from '../i18n.tsx';
import { useResource } from '../resource.ts';
import { href } from '../router.ts';
import { asArray, pick, textOf } from '../values.ts';

type Row = Record<string, unknown>;

/** Failure (forensic, ARF) reports: one message each, with the headers the receiver saw. */
export function Failures() {
  const w = useWords();
  const reports = useResource<unknown>('/api/failure-reports');
  const columns: Column<Row>[] = [
    {
      key: 'arrival',
      label: w.t('failures.arrival'),
      render: (r) => (
        <a href={href({ page: 'failure', id: String(pick(r, 'id')) })}>
          {w.date(pick(r, 'arrivalDate', 'arrival', 'receivedAt', 'createdAt') as string)}
        </a>
      ),
    },
    {
      key: 'domain',
      label: w.t('reports.domain'),
      render: (r) => textOf(pick(r, 'domain', 'reportedDomain', 'headerFrom'), w.lang),
    },
    {
      key: 'source',
      label: w.t('senders.source'),
      render: (r) => textOf(pick(r, 'sourceIp', 'source_ip', 'ip'), w.lang),
    },
    {
      key: 'reporter',
      label: w.t('reports.org'),
      render: (r) => textOf(pick(r, 'reporter', 'userAgent', 'from'), w.lang),
    },
    {
      key: 'type',
      label: w.t('failures.type'),
      render: (r) => textOf(pick(r, 'authFailure', 'failureType', 'type'), w.lang),
    },
  ];
  return (
    <>
      <h1>{w.t('failures.title')}</h1>
      <Async resource={reports}>
        {(data) => (
          <Table
            caption={w.t('failures.caption')}
            columns={columns}
            rows={asArray<Row>(data, 'reports', 'items')}
          />
        )}
      </Async>
    </>
  );
}

export function Failure({ id }: { id: string }) {
  const w = useWords();
  const report = useResource<Row>(`/api/failure-reports/${encodeURIComponent(id)}`);
  return (
    <>
      <p class="crumbs">
        <a href="#/failure-reports">{w.t('nav.failures')}</a> /
      </p>
      <h1>{w.t('failures.report')}</h1>
      <Async resource={report}>
        {(data) => (
          <>
            <Fields data={data} prefix="field." skip={['headers', 'raw']} />
            {asArray<object>(pick(data, 'headers') ?? []).length > 0 && (
              <AutoTable
                caption={w.t('failures.headers')}
                prefix="field."
                rows={asArray<object>(pick(data, 'headers'))}
              />
            )}
            {typeof pick(data, 'headers', 'raw') === 'string' && (
              <pre class="raw">{String(pick(data, 'headers', 'raw'))}</pre>
            )}
          </>
        )}
      </Async>
    </>
  );
}

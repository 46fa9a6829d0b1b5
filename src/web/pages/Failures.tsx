import { useState } from 'preact/hooks';
import { withQuery } from '../api.ts';
import { Async } from '../components/Async.tsx';
import { Fields } from '../components/Fields.tsx';
import { Pager } from '../components/Pager.tsx';
import { AutoTable, type Column, Table } from '../components/Table.tsx';
import { useWords } from '../i18n.tsx';
import { useResource } from '../resource.ts';
import { href } from '../router.ts';
import { asArray, decodeMimeWords, display, numberOf, pick, textOf } from '../values.ts';

const PAGE = 50;

type Row = Record<string, unknown>;

/** Failure (forensic, ARF) reports: one message each, with the headers the receiver saw. */
export function Failures() {
  const w = useWords();
  const [offset, setOffset] = useState(0);
  const reports = useResource<unknown>(withQuery('/api/failure-reports', { limit: PAGE, offset }));
  const columns: Column<Row>[] = [
    {
      key: 'arrival',
      label: w.t('failures.arrival'),
      render: (r) => (
        <a href={href({ page: 'failure', id: String(pick(r, 'id')) })}>
          {w.date((pick(r, 'arrivalTime', 'ingestedAt') as number | undefined) ?? null)}
        </a>
      ),
    },
    {
      key: 'domain',
      label: w.t('reports.domain'),
      // Every domain the report names, as it named them.
      render: (r) => display(pick(r, 'reportedDomains', 'reportedDomain'), w),
    },
    {
      key: 'source',
      label: w.t('senders.source'),
      render: (r) => textOf(pick(r, 'sourceIp'), w.lang) || '–',
    },
    {
      key: 'from',
      label: w.t('field.from'),
      render: (r) => decodeMimeWords(textOf(pick(r, 'originalFrom'), w.lang)) || '–',
    },
    {
      key: 'subject',
      label: w.t('field.subject'),
      render: (r) => decodeMimeWords(textOf(pick(r, 'originalSubject'), w.lang)) || '–',
    },
    {
      key: 'type',
      label: w.t('failures.type'),
      render: (r) => textOf(pick(r, 'authFailure'), w.lang) || '–',
    },
    {
      key: 'mta',
      label: w.t('field.reportingMta'),
      render: (r) => textOf(pick(r, 'reportingMta'), w.lang) || '–',
    },
  ];

  return (
    <>
      <h1>{w.t('failures.title')}</h1>
      <Async resource={reports}>
        {(data) => {
          const rows = asArray<Row>(data, 'reports');
          return (
            <>
              <Table caption={w.t('failures.caption')} columns={columns} rows={rows} />
              <Pager
                offset={offset}
                shown={rows.length}
                total={numberOf(pick(data, 'total'))}
                page={PAGE}
                onOffset={setOffset}
              />
            </>
          );
        }}
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
        {(data) => {
          const original = pick(data, 'original') as
            | { headers?: { name: string; value: string }[] }
            | undefined;
          const headers = (original?.headers ?? []).map((h) => ({
            name: h.name,
            value: decodeMimeWords(h.value),
          }));
          const description = pick(data, 'description');
          return (
            <>
              <Fields data={data} prefix="field." skip={['rawSha256', 'description']} />
              {headers.length > 0 && (
                <AutoTable caption={w.t('failures.headers')} prefix="field." rows={headers} />
              )}
              {typeof description === 'string' && <pre class="raw">{description}</pre>}
              <p>
                <a href={`/api/failure-reports/${encodeURIComponent(id)}/raw`} download>
                  {w.t('failures.download')}
                </a>
              </p>
            </>
          );
        }}
      </Async>
    </>
  );
}

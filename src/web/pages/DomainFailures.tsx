import { withQuery } from '../api.ts';
import { Async } from '../components/Async.tsx';
import { type Column, Table } from '../components/Table.tsx';
import { useWords } from '../i18n.tsx';
import { useResource } from '../resource.ts';
import { href } from '../router.ts';
import { decodeMimeWords } from '../values.ts';
import { codeWord, historyWords } from './history-words.ts';

/** Reports listed in full on the domain page; the groups and counts cover them all. */
const NEWEST_SHOWN = 10;
/** Group rows shown before "show all". */
const GROUP_ROWS = 10;

/** analysis/failures.ts FailuresView, as /api/domains/:domain/failures sends it (the parts shown). */
interface FailuresView {
  reports: number;
  incidents: number;
  truncated: boolean;
  aggregateFailing: number;
  bySender: SenderGroup[];
  byIdentity: IdentityGroup[];
  items: FailureItem[];
  cannotTell: string[];
}

interface SenderGroup {
  ip: string;
  ptr: string | null;
  asn: number | null;
  country: string | null;
  reports: number;
  incidents: number;
  first: string | null;
  last: string | null;
  fromDomains: string[];
  subjects: string[];
}

interface IdentityGroup {
  domain: string;
  relation: string;
  why?: string;
  reports: number;
  incidents: number;
  senders: string[];
}

interface FailureItem {
  id: number;
  arrival: string | null;
  sourceIp: string | null;
  from: { value: string; relation: string } | null;
  subject: string | null;
  originalForm: string | null;
  carries: string[];
}

/** The domain's failure reports grouped by sender and by identity used, and what they cannot tell. */
export function DomainFailures({ domain, since }: { domain: string; since: string }) {
  const w = useWords();
  const t = historyWords(w.lang);
  const view = useResource<FailuresView>(
    withQuery(`/api/domains/${encodeURIComponent(domain)}/failures`, { since, limit: NEWEST_SHOWN }),
  );
  const senderColumns: Column<SenderGroup>[] = [
    { key: 'ip', label: t('ruf.col.ip'), render: (s) => <span class="ip">{s.ip || '–'}</span> },
    { key: 'ptr', label: t('ruf.col.ptr'), render: (s) => s.ptr ?? '–' },
    {
      key: 'network',
      label: t('ruf.col.network'),
      render: (s) => [s.asn === null ? '' : `AS${s.asn}`, s.country ?? ''].filter(Boolean).join(' ') || '–',
    },
    { key: 'reports', label: t('ruf.col.reports'), numeric: true, render: (s) => w.num(s.reports) },
    { key: 'incidents', label: t('ruf.col.messages'), numeric: true, render: (s) => w.num(s.incidents) },
    { key: 'first', label: t('ruf.col.first'), render: (s) => w.date(s.first) },
    { key: 'last', label: t('ruf.col.last'), render: (s) => w.date(s.last) },
    { key: 'from', label: t('ruf.col.from'), render: (s) => s.fromDomains.join(' ') || '–' },
    {
      key: 'subjects',
      label: t('ruf.col.subjects'),
      render: (s) => s.subjects.map(decodeMimeWords).join(' / ') || '–',
    },
  ];
  const identityColumns: Column<IdentityGroup>[] = [
    { key: 'domain', label: t('ruf.col.domain'), render: (g) => g.domain },
    {
      key: 'relation',
      label: t('ruf.col.relation'),
      render: (g) =>
        `${codeWord(w.lang, 'relation.', g.relation)}${g.why ? ` (${codeWord(w.lang, 'why.', g.why)})` : ''}`,
    },
    { key: 'reports', label: t('ruf.col.reports'), numeric: true, render: (g) => w.num(g.reports) },
    { key: 'incidents', label: t('ruf.col.messages'), numeric: true, render: (g) => w.num(g.incidents) },
    { key: 'senders', label: t('ruf.col.senders'), render: (g) => g.senders.join(' ') || '–' },
  ];
  const itemColumns: Column<FailureItem>[] = [
    {
      key: 'arrival',
      label: t('ruf.col.arrival'),
      render: (i) => <a href={href({ page: 'failure', id: String(i.id) })}>{w.date(i.arrival)}</a>,
    },
    { key: 'ip', label: t('ruf.col.ip'), render: (i) => i.sourceIp ?? '–' },
    {
      key: 'from',
      label: t('ruf.col.from-address'),
      render: (i) =>
        i.from ? (
          <>
            {decodeMimeWords(i.from.value)}
            <div class="muted">{codeWord(w.lang, 'relation.', i.from.relation)}</div>
          </>
        ) : (
          '–'
        ),
    },
    { key: 'subject', label: t('ruf.col.subject'), render: (i) => decodeMimeWords(i.subject ?? '') || '–' },
    {
      key: 'carries',
      label: t('ruf.col.carries'),
      render: (i) =>
        i.originalForm === null
          ? t('ruf.carries.nothing')
          : i.carries.map((c) => (isCarried(c) ? t(`ruf.carries.${c}`) : c)).join(', '),
    },
  ];
  return (
    <section id="failures" aria-labelledby="failures-h">
      <h2 id="failures-h">{t('ruf.title')}</h2>
      <p class="muted">{t('ruf.intro')}</p>
      <Async resource={view}>
        {(data) => (
          <>
            <dl class="figures">
              <div data-figure="reports">
                <dt>{t('ruf.reports')}</dt>
                <dd>{w.num(data.reports)}</dd>
              </div>
              <div data-figure="incidents">
                <dt>{t('ruf.incidents')}</dt>
                <dd>{w.num(data.incidents)}</dd>
              </div>
              <div data-figure="aggregateFailing">
                <dt>{t('ruf.aggregate-failing')}</dt>
                <dd>{w.num(data.aggregateFailing)}</dd>
              </div>
            </dl>
            {data.truncated && <p class="muted">{t('ruf.truncated', { max: w.num(data.reports) })}</p>}
            {data.reports > 0 && (
              <>
                <Table
                  caption={t('ruf.by-sender')}
                  columns={senderColumns}
                  rows={data.bySender}
                  limit={GROUP_ROWS}
                />
                <Table
                  caption={t('ruf.by-identity')}
                  columns={identityColumns}
                  rows={data.byIdentity}
                  limit={GROUP_ROWS}
                />
                <Table caption={t('ruf.newest-caption')} columns={itemColumns} rows={data.items} />
              </>
            )}
            <h3>{t('ruf.cannot-tell')}</h3>
            <ul class="findings">
              {data.cannotTell.map((code) => (
                <li key={code}>{codeWord(w.lang, 'cannot.', code)}</li>
              ))}
            </ul>
            <p>
              <a href={href({ page: 'failures' })}>{t('ruf.all')}</a>
            </p>
          </>
        )}
      </Async>
    </section>
  );
}

const CARRIED = ['headers', 'subject', 'recipients', 'body', 'urls'] as const;

function isCarried(part: string): part is (typeof CARRIED)[number] {
  return (CARRIED as readonly string[]).includes(part);
}

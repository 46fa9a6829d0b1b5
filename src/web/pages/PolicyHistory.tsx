import { withQuery } from '../api.ts';
import { Async } from '../components/Async.tsx';
import { PolicyBadge } from '../components/Badge.tsx';
import { type Column, Table } from '../components/Table.tsx';
import { useWords } from '../i18n.tsx';
import { useResource } from '../resource.ts';
import { historyWords } from './history-words.ts';

/** analysis/history.ts PublishedPolicy, as /api/domains/:domain/history sends it. */
interface PublishedPolicy {
  p: 'none' | 'quarantine' | 'reject' | null;
  sp: string | null;
  np: string | null;
  pct: number | null;
  testing: boolean;
  rua: boolean | null;
}

interface StepEffect {
  from: string | null;
  to: string | null;
  days: number;
  messages: number;
  dmarcFail: number;
  affected: number;
  legitimateAffected: number;
  unauthorisedAffected: number;
  quarantined: number;
  rejected: number;
}

interface PolicyStep {
  day: string;
  from: PublishedPolicy;
  to: PublishedPolicy;
  direction: 'stricter' | 'looser' | 'other';
  before: StepEffect;
  after: StepEffect;
}

interface PolicyDay {
  day: string;
  policy: PublishedPolicy;
  source: 'reports' | 'check';
  reports: number;
  checks: number;
  disagreeing: number;
}

interface History {
  days: PolicyDay[];
  steps: PolicyStep[];
}

/** The badge (p, sp, pct) and the tags it leaves out: np, t=y, a missing rua. */
function Policy({ policy }: { policy: PublishedPolicy }) {
  const w = useWords();
  const t = historyWords(w.lang);
  if (policy.p === null) return <span class="badge policy-missing">{t('history.no-record')}</span>;
  const extra = [
    policy.np !== policy.sp ? `np=${policy.np}` : '',
    policy.testing ? 't=y' : '',
    policy.rua === false ? t('history.no-rua') : '',
  ].filter(Boolean);
  return (
    <>
      <PolicyBadge policy={policy} />
      {extra.length > 0 && <span class="muted"> {extra.join(' ')}</span>}
    </>
  );
}

/** The published policy per day and each step back and forth, with the mail before and after it. */
export function PolicyHistory({ domain, since }: { domain: string; since: string }) {
  const w = useWords();
  const t = historyWords(w.lang);
  const history = useResource<History>(
    withQuery(`/api/domains/${encodeURIComponent(domain)}/history`, { since }),
  );
  return (
    <section id="history" aria-labelledby="history-h">
      <h2 id="history-h">{t('history.title')}</h2>
      <p class="muted">{t('history.intro')}</p>
      <Async resource={history}>
        {(data) =>
          data.days.length === 0 ? (
            <p class="muted">{t('history.empty')}</p>
          ) : (
            <>
              {data.steps.length === 0 ? (
                <p>{t('history.no-steps')}</p>
              ) : (
                <ol class="plan policy-steps">
                  {data.steps.map((step) => (
                    <Step key={step.day} step={step} days={data.days} />
                  ))}
                </ol>
              )}
              <Days days={data.days} />
            </>
          )
        }
      </Async>
    </section>
  );
}

type EffectRow = StepEffect & { when: 'before' | 'after' };

function Step({ step, days }: { step: PolicyStep; days: PolicyDay[] }) {
  const w = useWords();
  const t = historyWords(w.lang);
  const source = days.find((d) => d.day === step.day)?.source ?? 'reports';
  const columns: Column<EffectRow>[] = [
    { key: 'when', label: t('history.col.when'), render: (e) => t(`history.${e.when}`) },
    {
      key: 'window',
      label: t('history.col.window'),
      render: (e) =>
        e.from === null
          ? t('history.no-mail')
          : t('history.window', { from: e.from, to: e.to ?? '', days: e.days }),
    },
    { key: 'messages', label: t('history.col.messages'), numeric: true, render: (e) => w.num(e.messages) },
    { key: 'dmarcFail', label: t('history.col.fail'), numeric: true, render: (e) => w.num(e.dmarcFail) },
    {
      key: 'quarantined',
      label: t('history.col.quarantined'),
      numeric: true,
      render: (e) => w.num(e.quarantined),
    },
    { key: 'rejected', label: t('history.col.rejected'), numeric: true, render: (e) => w.num(e.rejected) },
    { key: 'affected', label: t('history.col.affected'), numeric: true, render: (e) => w.num(e.affected) },
    {
      key: 'legitimate',
      label: t('history.col.legitimate'),
      numeric: true,
      render: (e) => (e.legitimateAffected > 0 ? <strong>{w.num(e.legitimateAffected)}</strong> : w.num(0)),
    },
  ];
  return (
    <li data-step={step.day} class={`step-${step.direction}`}>
      <strong>{w.date(step.day)}</strong>{' '}
      <span class="badge">{t(`history.direction.${step.direction}`)}</span> <Policy policy={step.from} /> →{' '}
      <Policy policy={step.to} /> <span class="muted">({t(`history.source.${source}`)})</span>
      <Table
        caption={t('history.steps-caption', { day: w.date(step.day) })}
        columns={columns}
        rows={[
          { ...step.before, when: 'before' },
          { ...step.after, when: 'after' },
        ]}
      />
    </li>
  );
}

function Days({ days }: { days: PolicyDay[] }) {
  const w = useWords();
  const t = historyWords(w.lang);
  const columns: Column<PolicyDay>[] = [
    { key: 'day', label: t('history.col.day'), render: (d) => w.date(d.day) },
    { key: 'policy', label: t('history.col.policy'), render: (d) => <Policy policy={d.policy} /> },
    { key: 'source', label: t('history.col.source'), render: (d) => t(`history.source.${d.source}`) },
    { key: 'reports', label: t('history.col.reports'), numeric: true, render: (d) => w.num(d.reports) },
    { key: 'checks', label: t('history.col.checks'), numeric: true, render: (d) => w.num(d.checks) },
    {
      key: 'disagreeing',
      label: t('history.col.disagreeing'),
      numeric: true,
      render: (d) => (d.disagreeing > 0 ? w.num(d.disagreeing) : ''),
    },
  ];
  return (
    <details class="chart-data">
      <summary>{t('history.days', { count: days.length })}</summary>
      <Table caption={t('history.days-caption')} columns={columns} rows={[...days].reverse()} />
    </details>
  );
}

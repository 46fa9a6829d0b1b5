import { useState } from 'preact/hooks';
import { withQuery } from '../api.ts';
import { Async } from '../components/Async.tsx';
import { SenderClassBadge } from '../components/Badge.tsx';
import { Figures } from '../components/Figures.tsx';
import { type Column, Table } from '../components/Table.tsx';
import { useWords } from '../i18n.tsx';
import { useResource } from '../resource.ts';
import { href } from '../router.ts';
import { asArray, numberOf, textOf } from '../values.ts';
import { FirstOf } from './Sections.tsx';

/** analysis/simulate.ts SimulatedSender. */
interface SimulatedSender {
  ip: string;
  name: string;
  class: string;
  messages: number;
  would_fail: number;
  reason: unknown;
  fix: unknown;
}

const POLICIES = ['none', 'quarantine', 'reject'] as const;

/** What a stricter policy would have done to the mail of the page's period (`since`, e.g. `90d`). */
export function Simulator({ domain, since }: { domain: string; since: string }) {
  const w = useWords();
  const [policy, setPolicy] = useState('reject');
  const [sp, setSp] = useState('');
  const [np, setNp] = useState('');
  const result = useResource<Record<string, unknown>>(
    withQuery(`/api/domains/${encodeURIComponent(domain)}/simulate`, { policy, sp, np, since }),
  );
  const inherit = w.t('sim.inherit');
  return (
    <div class="simulator">
      <p class="muted">{w.t('sim.intro')}</p>
      <form class="inline-form" onSubmit={(e) => e.preventDefault()}>
        <label>
          {w.t('sim.policy')}
          <select name="policy" value={policy} onChange={(e) => setPolicy(e.currentTarget.value)}>
            {POLICIES.map((p) => (
              <option key={p} value={p}>
                p={p}
              </option>
            ))}
          </select>
        </label>
        <label>
          {w.t('sim.sp')}
          <select name="sp" value={sp} onChange={(e) => setSp(e.currentTarget.value)}>
            <option value="">{inherit}</option>
            {POLICIES.map((p) => (
              <option key={p} value={p}>
                sp={p}
              </option>
            ))}
          </select>
        </label>
        <label>
          {w.t('sim.np')}
          <select name="np" value={np} onChange={(e) => setNp(e.currentTarget.value)}>
            <option value="">{inherit}</option>
            {POLICIES.map((p) => (
              <option key={p} value={p}>
                np={p}
              </option>
            ))}
          </select>
        </label>
      </form>
      <div aria-live="polite" class={result.loading ? 'stale' : undefined}>
        <Async resource={result}>
          {(data) => (
            <>
              <Figures data={data} prefix="sim." highlight={['legitimate_at_risk']} />
              {textOf(data.verdict ?? data.summary, w.lang) && (
                <p class="next">{textOf(data.verdict ?? data.summary, w.lang)}</p>
              )}
              <SimulatedSenders domain={domain} rows={asArray<SimulatedSender>(data, 'senders')} />
              <FirstOf shown={asArray(data, 'senders').length} total={numberOf(data.senders_total)} />
            </>
          )}
        </Async>
      </div>
    </div>
  );
}

/** The senders whose mail the policy would stop, legitimate ones first as the server orders them. */
function SimulatedSenders({ domain, rows }: { domain: string; rows: SimulatedSender[] }) {
  const w = useWords();
  const failing = rows.filter((r) => r.would_fail > 0);
  const columns: Column<SimulatedSender>[] = [
    {
      key: 'ip',
      label: w.t('senders.source'),
      render: (r) => (
        <>
          <a class="ip" href={href({ page: 'sender', domain, ip: r.ip })}>
            {r.ip}
          </a>
          {r.name !== r.ip && <div class="muted">{r.name}</div>}
        </>
      ),
    },
    {
      key: 'class',
      label: w.t('senders.classification'),
      render: (r) => <SenderClassBadge value={r.class} />,
    },
    { key: 'messages', label: w.t('domains.messages'), numeric: true, render: (r) => w.num(r.messages) },
    { key: 'would_fail', label: w.t('sim.would-fail'), numeric: true, render: (r) => w.num(r.would_fail) },
    { key: 'reason', label: w.t('senders.reason'), render: (r) => textOf(r.reason, w.lang) || '–' },
    { key: 'fix', label: w.t('senders.fix'), render: (r) => textOf(r.fix, w.lang) || '–' },
  ];
  return <Table caption={w.t('sim.senders')} columns={columns} rows={failing} limit={10} />;
}

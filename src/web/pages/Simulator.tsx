import { useState } from 'preact/hooks';
import { withQuery } from '../api.ts';
import { Async } from '../components/Async.tsx';
import { Figures } from '../components/Figures.tsx';
import { AutoTable } from '../components/Table.tsx';
import { useWords } from '../i18n.tsx';
import { useResource } from '../resource.ts';
import { asArray, textOf } from '../values.ts';

const POLICIES = ['none', 'quarantine', 'reject'] as const;
const PERIODS = [30, 90, 365] as const;

/** What a stricter policy would have done to the mail of the chosen period. */
export function Simulator({ domain }: { domain: string }) {
  const w = useWords();
  const [policy, setPolicy] = useState('reject');
  const [sp, setSp] = useState('');
  const [np, setNp] = useState('');
  const [days, setDays] = useState<number>(90);
  const since = new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
  const result = useResource<Record<string, unknown>>(
    withQuery(`/api/domains/${encodeURIComponent(domain)}/simulate`, { policy, sp, np, since, lang: w.lang }),
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
        <label>
          {w.t('sim.period')}
          <select name="since" value={String(days)} onChange={(e) => setDays(Number(e.currentTarget.value))}>
            {PERIODS.map((d) => (
              <option key={d} value={d}>
                {w.t('sim.days', { days: d })}
              </option>
            ))}
          </select>
        </label>
      </form>
      <div aria-live="polite" class={result.loading ? 'stale' : undefined}>
        <Async resource={result}>
          {(data) => (
            <>
              <Figures
                data={data}
                prefix="sim."
                highlight={['legitimateAtRisk', 'atRisk', 'legitimate.atRisk']}
              />
              {textOf(data.verdict ?? data.summary, w.lang) && (
                <p class="next">{textOf(data.verdict ?? data.summary, w.lang)}</p>
              )}
              {asArray<object>(data, 'senders', 'atRiskSenders').length > 0 && (
                <AutoTable
                  caption={w.t('sim.senders')}
                  prefix="field."
                  rows={asArray<object>(data, 'senders', 'atRiskSenders')}
                />
              )}
            </>
          )}
        </Async>
      </div>
    </div>
  );
}

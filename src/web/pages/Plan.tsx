import { Async } from '../components/Async.tsx';
import { PolicyBadge } from '../components/Badge.tsx';
import { Figures } from '../components/Figures.tsx';
import { useWords } from '../i18n.tsx';
import { useResource } from '../resource.ts';
import { href } from '../router.ts';
import { asArray, textOf } from '../values.ts';

/** analysis/plan.ts Plan, as /api/domains/:domain/plan sends it (codes and numbers; words are ours). */
interface Plan {
  current?: {
    policy: { p?: string | null; sp?: string | null; pct?: number | null } | null;
    since: string | null;
  };
  next?: string | null;
  senders?: Record<string, number>;
  streak?: number;
  steps?: PlanStep[];
}

interface PlanStep {
  id: string;
  status: string;
  criteria: { code: string; met: boolean; value?: number; threshold?: number }[];
  blockers: { code: string; ip: string; name: string; messages: number; failing: number; reason?: unknown }[];
  moreBlockers?: number;
  record?: { name: string; type: string; value: string };
  recordMissing?: string;
  leadTimeDays?: [number, number];
  impact?: Record<string, number>;
}

/** The rollout plan: each step, whether it is met, what blocks it and the record to publish. */
export function Plan({ domain, path }: { domain: string; path: string }) {
  const w = useWords();
  const plan = useResource<Plan>(path);
  return (
    <Async resource={plan}>
      {(data) => (
        <>
          <p>
            {w.t('plan.current')} <PolicyBadge policy={data.current?.policy ?? null} />{' '}
            {data.next && (
              <>
                {w.t('plan.next')} <strong>{w.tMaybe('plan.step.', data.next)}</strong>
              </>
            )}
          </p>
          {data.senders && (
            <Figures data={data.senders} prefix="plan.senders." highlight={['legitimateAtRisk']} />
          )}
          <ol class="plan">
            {asArray<PlanStep>(data.steps).map((step) => (
              <li key={step.id} class={`step-${step.status}`} data-step={step.id}>
                <strong>{w.tMaybe('plan.step.', step.id)}</strong>{' '}
                <span class={`badge status-${step.status}`}>{w.tMaybe('plan.status.', step.status)}</span>
                <ul class="criteria">
                  {step.criteria.map((c) => (
                    <li key={c.code} class={c.met ? 'met' : 'unmet'}>
                      <span aria-hidden="true">{c.met ? '✓ ' : '✗ '}</span>
                      <span class="visually-hidden">{w.t(c.met ? 'plan.met' : 'plan.unmet')}: </span>
                      {w.tMaybe('plan.criterion.', c.code)}
                      {c.value !== undefined &&
                        ` ${w.t('plan.value', { value: w.num(c.value), threshold: w.num(c.threshold ?? 0) })}`}
                    </li>
                  ))}
                </ul>
                {step.blockers.length > 0 && (
                  <Blockers domain={domain} blockers={step.blockers} more={step.moreBlockers ?? 0} />
                )}
                {step.record && (
                  <div class="record">
                    {w.t('plan.publish')}
                    <pre class="raw">{`${step.record.name} ${step.record.type} "${step.record.value}"`}</pre>
                  </div>
                )}
                {step.recordMissing && <p class="muted">{w.tMaybe('plan.missing.', step.recordMissing)}</p>}
                {step.leadTimeDays && (
                  <p class="muted">
                    {w.t('plan.lead-time', { min: step.leadTimeDays[0], max: step.leadTimeDays[1] })}
                  </p>
                )}
                {step.impact && (
                  <Figures data={step.impact} prefix="plan.impact." highlight={['legitimateAtRisk']} />
                )}
              </li>
            ))}
          </ol>
        </>
      )}
    </Async>
  );
}

const BLOCKERS_SHOWN = 5;

/** The senders in the way of a step: the first few, the rest behind a disclosure. */
function Blockers({
  domain,
  blockers,
  more,
}: {
  domain: string;
  blockers: PlanStep['blockers'];
  more: number;
}) {
  const w = useWords();
  const item = (b: PlanStep['blockers'][number]) => {
    const fix = (b.reason as { fix?: unknown } | undefined)?.fix;
    return (
      <li key={b.ip}>
        <a class="ip" href={href({ page: 'sender', domain, ip: b.ip })}>
          {b.name}
        </a>
        {b.name !== b.ip && ` (${b.ip})`}: {textOf(b.reason, w.lang)}
        {typeof fix === 'string' && <div class="fix">{fix}</div>}
      </li>
    );
  };
  const rest = blockers.length - BLOCKERS_SHOWN + more;
  return (
    <>
      <ul class="findings">{blockers.slice(0, BLOCKERS_SHOWN).map(item)}</ul>
      {rest > 0 && (
        <details>
          <summary>{w.t('plan.more-blockers', { count: rest })}</summary>
          <ul class="findings">{blockers.slice(BLOCKERS_SHOWN).map(item)}</ul>
          {more > 0 && <p class="muted">{w.t('plan.not-listed', { count: more })}</p>}
        </details>
      )}
    </>
  );
}

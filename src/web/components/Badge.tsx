import { useWords } from '../i18n.tsx';
import type { Health } from '../values.ts';

const ICON: Record<Health, string> = { good: '●', attention: '▲', failing: '■', 'no-data': '○' };

/** Health as a shape and a word as well as a colour, so it reads without colour vision. */
export function HealthBadge({ health }: { health: Health }) {
  const w = useWords();
  return (
    <span class={`badge health-${health}`}>
      <span aria-hidden="true">{ICON[health]} </span>
      {w.t(`health.${health}`)}
    </span>
  );
}

/** A published policy: `"reject"` or `{p, sp, pct}`; null when the domain has no DMARC record. */
export function PolicyBadge({ policy }: { policy: unknown }) {
  const w = useWords();
  const record = policy && typeof policy === 'object' ? (policy as Record<string, unknown>) : { p: policy };
  const p = typeof record.p === 'string' && record.p !== '' ? record.p : undefined;
  if (!p) return <span class="badge policy-missing">{w.t('policy.missing')}</span>;
  const parts = [`p=${p}`];
  if (typeof record.sp === 'string' && record.sp !== p) parts.push(`sp=${record.sp}`);
  if (typeof record.pct === 'number' && record.pct !== 100) parts.push(`pct=${record.pct}`);
  return <span class={`badge policy-${p}`}>{parts.join(' ')}</span>;
}

/** analysis/sources.ts SenderClass: authorised, known-unconfigured, forwarder, suspicious. */
export function SenderClassBadge({ value }: { value: string }) {
  const w = useWords();
  if (!value) return <span class="muted">–</span>;
  return <span class={`badge class-${value}`}>{w.tMaybe('class.', value)}</span>;
}

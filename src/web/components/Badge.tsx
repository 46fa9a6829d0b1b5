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

export function PolicyBadge({ policy }: { policy: unknown }) {
  const w = useWords();
  const value = typeof policy === 'string' && policy !== '' ? policy : undefined;
  return (
    <span class={`badge policy-${value ?? 'missing'}`}>{value ? `p=${value}` : w.t('policy.missing')}</span>
  );
}

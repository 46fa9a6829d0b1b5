import { useWords } from '../i18n.tsx';

/** The periods a page offers, in days. */
export const PERIODS = [30, 90, 365] as const;

/** The period selector of the pages that look back over days (a domain, its TLS reports). */
export function PeriodSelect({ days, onDays }: { days: number; onDays: (days: number) => void }) {
  const w = useWords();
  return (
    <form class="inline-form" onSubmit={(e) => e.preventDefault()}>
      <label>
        {w.t('sim.period')}
        <select name="period" value={String(days)} onChange={(e) => onDays(Number(e.currentTarget.value))}>
          {PERIODS.map((d) => (
            <option key={d} value={d}>
              {w.t('sim.days', { days: d })}
            </option>
          ))}
        </select>
      </label>
    </form>
  );
}

import { useWords } from '../i18n.tsx';
import { display, isTimeField, timestamp } from '../values.ts';

/** An object's plain fields (and lists of plain values) as a description list, every value as text. */
export function Fields({ data, prefix, skip = [] }: { data: unknown; prefix: string; skip?: string[] }) {
  const w = useWords();
  if (!data || typeof data !== 'object') return null;
  const entries = Object.entries(data).filter(
    ([key, value]) =>
      !skip.includes(key) &&
      value !== null &&
      value !== undefined &&
      (Array.isArray(value)
        ? value.every((v) => typeof v !== 'object')
        : typeof value !== 'object' || 'en' in value),
  );
  return (
    <dl class="fields">
      {entries.map(([key, value]) => (
        <div key={key}>
          <dt>{w.tMaybe(prefix, key)}</dt>
          <dd data-field={key}>{isTimeField(key) ? timestamp(value) : display(value, w)}</dd>
        </div>
      ))}
    </dl>
  );
}

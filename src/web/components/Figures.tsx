import { useWords } from '../i18n.tsx';

/** The numbers in an answer (one level of nesting flattened to `outer.inner`) as labelled figures. */
export function Figures({
  data,
  prefix,
  highlight = [],
}: {
  data: unknown;
  prefix: string;
  highlight?: string[];
}) {
  const w = useWords();
  const entries: [string, number][] = [];
  if (data && typeof data === 'object') {
    for (const [key, value] of Object.entries(data)) {
      if (typeof value === 'number') entries.push([key, value]);
      else if (value && typeof value === 'object' && !Array.isArray(value)) {
        for (const [inner, v] of Object.entries(value))
          if (typeof v === 'number') entries.push([`${key}.${inner}`, v]);
      }
    }
  }
  return (
    <dl class="figures">
      {entries.map(([key, value]) => (
        <div key={key} class={highlight.includes(key) ? 'highlight' : undefined} data-figure={key}>
          <dt>{w.tMaybe(prefix, key)}</dt>
          <dd>{/rate|share|ratio/i.test(key) && value <= 1 ? w.pct(value) : w.num(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

import { useState } from 'preact/hooks';
import { Async } from '../components/Async.tsx';
import { useWords } from '../i18n.tsx';
import { useResource } from '../resource.ts';
import { asArray, pick, textOf } from '../values.ts';

interface Finding {
  code?: string;
  severity?: string;
  protocol?: string;
  message?: string;
  fix?: string;
}

/** The live check asks DNS, so it runs when asked, not on every visit. */
export function CheckResult({ path }: { path: string }) {
  const w = useWords();
  const [asked, setAsked] = useState(false);
  const result = useResource<Record<string, unknown>>(asked ? path : null);
  if (!asked) {
    return (
      <button type="button" onClick={() => setAsked(true)}>
        {w.t('check.run')}
      </button>
    );
  }
  return (
    <div aria-live="polite">
      <Async resource={result}>
        {(data) => {
          const findings = asArray<Finding>(data, 'findings');
          const protocols = pick(data, 'protocols');
          return (
            <>
              {protocols && typeof protocols === 'object' && (
                <ul class="protocols">
                  {Object.entries(protocols as Record<string, { status?: string }>).map(([name, p]) => (
                    <li key={name} class={`status-${p.status ?? ''}`}>
                      <strong>{name.toUpperCase()}</strong> {w.tMaybe('check.status.', p.status ?? '')}
                    </li>
                  ))}
                </ul>
              )}
              {findings.length === 0 ? (
                <p>{w.t('check.clean')}</p>
              ) : (
                <ul class="findings">
                  {findings.map((f, i) => (
                    <li key={i} class={`severity-${f.severity ?? 'info'}`}>
                      <span class="badge">{w.tMaybe('severity.', f.severity ?? 'info')}</span>{' '}
                      {textOf(f.message ?? f.code, w.lang)}
                      {f.fix && <div class="fix">{textOf(f.fix, w.lang)}</div>}
                    </li>
                  ))}
                </ul>
              )}
              <button type="button" onClick={result.reload}>
                {w.t('check.again')}
              </button>
            </>
          );
        }}
      </Async>
    </div>
  );
}

import { useState } from 'preact/hooks';
import { request } from '../api.ts';
import { Figures } from '../components/Figures.tsx';
import { useWords } from '../i18n.tsx';
import { asArray, pick } from '../values.ts';

interface Outcome {
  name: string;
  result?: unknown;
  error?: string;
}

const ACCEPT = '.xml,.gz,.zip,.eml,.json,application/xml,application/gzip,application/zip,message/rfc822';

/** Report files dropped or chosen here go through the same ingest path as `sumi ingest`. */
export function Upload() {
  const w = useWords();
  const [over, setOver] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcomes, setOutcomes] = useState<Outcome[]>([]);

  const send = async (files: File[]) => {
    if (files.length === 0) return;
    setBusy(true);
    for (const file of files) {
      const form = new FormData();
      form.append('file', file, file.name);
      try {
        const result = await request('/api/uploads', { form });
        setOutcomes((shown) => [...shown, { name: file.name, result }]);
      } catch (e) {
        const error = (e as Error).message;
        setOutcomes((shown) => [...shown, { name: file.name, error }]);
      }
    }
    setBusy(false);
  };

  return (
    <>
      <h1>{w.t('upload.title')}</h1>
      <p class="muted">{w.t('upload.intro')}</p>
      <label
        class={`dropzone${over ? ' over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          void send([...(e.dataTransfer?.files ?? [])]);
        }}
      >
        <span>{w.t('upload.drop')}</span>
        <input
          type="file"
          name="file"
          multiple
          accept={ACCEPT}
          disabled={busy}
          onChange={(e) => {
            const input = e.currentTarget;
            void send([...(input.files ?? [])]).then(() => {
              input.value = '';
            });
          }}
        />
      </label>
      {busy && (
        <p role="status" class="muted">
          {w.t('upload.sending')}
        </p>
      )}
      <ul class="upload-results" aria-live="polite">
        {outcomes.map((o, i) => (
          <li key={i} class={o.error ? 'error' : 'ok'}>
            <strong>{o.name}</strong>:{' '}
            {o.error ? w.t('upload.failed', { message: o.error }) : w.t('upload.done')}
            {o.result !== undefined && <Figures data={o.result} prefix="upload." />}
            {asArray<{ source: string; code: string; error: string }>(pick(o.result, 'failed')).map(
              (f, j) => (
                // The error starts with where it was; a report refused for its domain was read, and says it was not stored.
                <p key={j} class="error">
                  {f.code === 'out-of-scope' ? f.error : w.t('upload.not-read', { error: f.error })}
                </p>
              ),
            )}
          </li>
        ))}
      </ul>
      {outcomes.some((o) => !o.error) && (
        <p>
          <a href="#/reports">{w.t('upload.see-reports')}</a>
        </p>
      )}
    </>
  );
}

import { useState } from 'preact/hooks';
import { request } from '../api.ts';
import { Async, ErrorBox } from '../components/Async.tsx';
import { useWords } from '../i18n.tsx';
import { useResource } from '../resource.ts';
import { timestamp } from '../values.ts';

/** The days each kind is kept; null: for ever (the API's RetentionPolicy). */
interface Policy {
  reportsDays: number | null;
  failureReportsDays: number | null;
  quarantineDays: number | null;
}

interface Deleted {
  aggregateReports: number;
  records: number;
  tlsReports: number;
  failureReports: number;
  quarantined: number;
}

interface RetentionState extends Policy {
  lastRun: { at: number; deleted: Deleted | null; error: string | null } | null;
}

const FIELDS = [
  ['reportsDays', 'retention.reports-days'],
  ['failureReportsDays', 'retention.failure-reports-days'],
  ['quarantineDays', 'retention.quarantine-days'],
] as const;

/**
 * The retention policy (Settings): the days each kind of report is kept, what the policy would
 * delete now (counted, nothing deleted), and how its last daily run went.
 */
export function RetentionPanel({ path }: { path: string }) {
  const w = useWords();
  const state = useResource<RetentionState>(path);
  const [error, setError] = useState<Error>();
  const [said, setSaid] = useState<string>();

  const counts = (d: Deleted) => ({
    aggregate: w.num(d.aggregateReports),
    records: w.num(d.records),
    tls: w.num(d.tlsReports),
    failure: w.num(d.failureReports),
    quarantined: w.num(d.quarantined),
  });
  /** The form's policy: an empty field keeps its kind for ever. */
  const policyOf = (form: HTMLFormElement): Policy => {
    const days = (name: string) => {
      const value = (form.elements.namedItem(name) as HTMLInputElement).value.trim();
      return value === '' ? null : Number(value);
    };
    return {
      reportsDays: days('reportsDays'),
      failureReportsDays: days('failureReportsDays'),
      quarantineDays: days('quarantineDays'),
    };
  };
  const preview = async (form: HTMLFormElement | null) => {
    if (!form?.reportValidity()) return;
    try {
      const deleted = await request<Deleted>(`${path}/preview`, { json: policyOf(form) });
      setSaid(w.t('retention.would-delete', counts(deleted)));
      setError(undefined);
    } catch (e) {
      setError(e as Error);
    }
  };
  const save = async (event: Event) => {
    event.preventDefault();
    try {
      await request(path, {
        method: 'PATCH',
        json: policyOf(event.currentTarget as HTMLFormElement),
      });
      setSaid(w.t('retention.saved'));
      setError(undefined);
      state.reload();
    } catch (e) {
      setError(e as Error);
    }
  };

  return (
    <Async resource={state}>
      {(current) => (
        <>
          <p>{w.t('retention.intro')}</p>
          <form class="inline-form" onSubmit={save}>
            {FIELDS.map(([name, label]) => (
              <div key={name} class="field">
                <label for={`retention-${name}`}>{w.t(label)}</label>
                <input
                  id={`retention-${name}`}
                  name={name}
                  type="number"
                  min={1}
                  max={999999}
                  step={1}
                  defaultValue={current[name] === null ? '' : String(current[name])}
                />
              </div>
            ))}
            <button type="button" onClick={(e) => preview((e.currentTarget as HTMLButtonElement).form)}>
              {w.t('retention.preview')}
            </button>
            <button type="submit" class="primary">
              {w.t('settings.save')}
            </button>
          </form>
          {said && <p role="status">{said}</p>}
          {error && <ErrorBox error={error} />}
          <p class="muted">
            {!current.lastRun
              ? w.t('retention.never')
              : current.lastRun.error !== null || !current.lastRun.deleted
                ? w.t('retention.last-failed', {
                    at: timestamp(current.lastRun.at),
                    error: current.lastRun.error ?? '',
                  })
                : w.t('retention.last-run', {
                    at: timestamp(current.lastRun.at),
                    ...counts(current.lastRun.deleted),
                  })}
          </p>
        </>
      )}
    </Async>
  );
}

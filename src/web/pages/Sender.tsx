import { useState } from 'preact/hooks';
import { request } from '../api.ts';
import { Async, ErrorBox } from '../components/Async.tsx';
import { SenderClassBadge } from '../components/Badge.tsx';
import { Fields } from '../components/Fields.tsx';
import { Figures } from '../components/Figures.tsx';
import { type Column, Table } from '../components/Table.tsx';
import { useWords } from '../i18n.tsx';
import { useResource } from '../resource.ts';
import { href } from '../router.ts';

/** analysis/sources.ts Sender, as /api/domains/:domain/senders/:ip sends it under `sender`. */
interface SenderDetail {
  ip: string;
  name: string;
  ptr: string | null;
  ptrConfirmed: boolean;
  asn: number | null;
  asOrg: string | null;
  country: string | null;
  knownSender: { name: string; category: string } | null;
  messages: number;
  dmarcPass: number;
  dmarcFail: number;
  spfAligned: number;
  dkimAligned: number;
  class: string;
  classBasis?: string;
  mark: { mark: string; note: string | null; markedAt: number } | null;
  reasons: { code: string; messages: number; text: string; fix: string | null }[];
  headerFroms: { domain: string; messages: number }[];
}

/** One sending IP for one domain: who it is (PTR, network), how much it sent, why it fails. */
export function Sender({ domain, ip }: { domain: string; ip: string }) {
  const w = useWords();
  const result = useResource<{ sender: SenderDetail }>(
    `/api/domains/${encodeURIComponent(domain)}/senders/${encodeURIComponent(ip)}?since=90d`,
  );
  const fromColumns: Column<{ domain: string; messages: number }>[] = [
    { key: 'domain', label: w.t('field.headerFrom'), render: (f) => f.domain },
    { key: 'messages', label: w.t('domains.messages'), numeric: true, render: (f) => w.num(f.messages) },
  ];
  return (
    <>
      <p class="crumbs">
        <a href="#/domains">{w.t('nav.domains')}</a> / <a href={href({ page: 'domain', domain })}>{domain}</a>{' '}
        /
      </p>
      <Async resource={result}>
        {({ sender }) => (
          <>
            <h1>
              {sender.name} {sender.name !== sender.ip && <span class="muted">({sender.ip})</span>}
            </h1>
            <p>
              <SenderClassBadge value={sender.class} />{' '}
              {sender.mark && (
                <span class="muted">
                  {w.t('mark.by-owner')}
                  {sender.mark.note ? `: ${sender.mark.note}` : ''}
                </span>
              )}
            </p>
            <MarkForm domain={domain} ip={sender.ip} current={sender.mark?.mark} onChange={result.reload} />
            <Figures
              data={{
                messages: sender.messages,
                dmarcPass: sender.dmarcPass,
                dmarcFail: sender.dmarcFail,
                spfAligned: sender.spfAligned,
                dkimAligned: sender.dkimAligned,
              }}
              prefix="field."
            />
            <Fields
              data={{
                ip: sender.ip,
                ptr: sender.ptr,
                ptrConfirmed: sender.ptr ? sender.ptrConfirmed : null,
                asn: sender.asn,
                asOrg: sender.asOrg,
                country: sender.country,
                sender: sender.knownSender?.name ?? null,
              }}
              prefix="field."
            />
            <section aria-labelledby="reasons-h">
              <h2 id="reasons-h">{w.t('senders.reason')}</h2>
              <ul class="findings">
                {sender.reasons.map((r) => (
                  <li key={r.code}>
                    {r.text}{' '}
                    <span class="muted">({w.t('sender.messages', { count: w.num(r.messages) })})</span>
                    {r.fix && <div class="fix">{r.fix}</div>}
                  </li>
                ))}
              </ul>
            </section>
            <Table caption={w.t('field.headerFroms')} columns={fromColumns} rows={sender.headerFroms} />
          </>
        )}
      </Async>
    </>
  );
}

const MARKS = ['authorised', 'forwarder', 'suspicious'] as const;

/** The owner's word on a sender (authorised, forwarder, suspicious) overrides its classification. */
function MarkForm({
  domain,
  ip,
  current,
  onChange,
}: {
  domain: string;
  ip: string;
  current: string | undefined;
  onChange: () => void;
}) {
  const w = useWords();
  const [mark, setMark] = useState<string>(current ?? 'authorised');
  const [note, setNote] = useState('');
  const [error, setError] = useState<Error>();
  const path = `/api/domains/${encodeURIComponent(domain)}/senders/${encodeURIComponent(ip)}/mark`;
  const send = async (options: Parameters<typeof request>[1]) => {
    try {
      await request(path, options);
      setError(undefined);
      onChange();
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <form
      class="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        void send({ json: note ? { mark, note } : { mark } });
      }}
    >
      <label>
        {w.t('mark.title')}
        <select name="mark" value={mark} onChange={(e) => setMark(e.currentTarget.value)}>
          {MARKS.map((m) => (
            <option key={m} value={m}>
              {w.tMaybe('class.', m)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {w.t('settings.note')}
        <input name="note" value={note} maxLength={500} onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      <button type="submit" class="primary">
        {w.t('mark.save')}
      </button>
      {current && (
        <button type="button" onClick={() => void send({ method: 'DELETE' })}>
          {w.t('mark.remove')}
        </button>
      )}
      {error && <ErrorBox error={error} />}
    </form>
  );
}

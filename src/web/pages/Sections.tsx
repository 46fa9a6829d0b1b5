import { Async } from '../components/Async.tsx';
import { SenderClassBadge } from '../components/Badge.tsx';
import { type Column, Table } from '../components/Table.tsx';
import { useWords } from '../i18n.tsx';
import { useResource } from '../resource.ts';
import { href } from '../router.ts';
import { asArray, textOf } from '../values.ts';

/** analysis/subdomains.ts Subdomain and UnknownSender. */
interface Subdomain {
  name: string;
  messages: number;
  senders: number;
  firstSeen: string;
  lastSeen: string;
  inInventory: boolean;
  ownRecord: string;
}

interface UnknownSender {
  ip: string;
  name: string;
  class: string;
  messages: number;
  dmarcFail: number;
  headerFroms: string[];
  reason: unknown;
}

/** From subdomains seen in reports, and the senders nobody has named. */
export function Subdomains({ domain, path }: { domain: string; path: string }) {
  const w = useWords();
  const result = useResource<{
    subdomains?: Subdomain[];
    unknownSenders?: UnknownSender[];
    unknownSendersTotal?: number;
  }>(path);
  const columns: Column<Subdomain>[] = [
    { key: 'name', label: w.t('domains.domain'), render: (s) => s.name },
    { key: 'messages', label: w.t('domains.messages'), numeric: true, render: (s) => w.num(s.messages) },
    { key: 'senders', label: w.t('domain.senders'), numeric: true, render: (s) => w.num(s.senders) },
    { key: 'seen', label: w.t('subdomains.seen'), render: (s) => `${s.firstSeen} – ${s.lastSeen}` },
    {
      key: 'inventory',
      label: w.t('subdomains.inventory'),
      render: (s) => (
        <span class={`badge ${s.inInventory ? 'health-good' : 'health-attention'}`}>
          {w.t(s.inInventory ? 'subdomains.known' : 'subdomains.shadow')}
        </span>
      ),
    },
    {
      key: 'ownRecord',
      label: w.t('subdomains.own-record'),
      render: (s) => w.tMaybe('subdomains.record.', s.ownRecord),
    },
  ];
  const unknownColumns: Column<UnknownSender>[] = [
    {
      key: 'ip',
      label: w.t('senders.source'),
      render: (s) => (
        <>
          <a class="ip" href={href({ page: 'sender', domain, ip: s.ip })}>
            {s.ip}
          </a>
          {s.name !== s.ip && <div class="muted">{s.name}</div>}
        </>
      ),
    },
    {
      key: 'class',
      label: w.t('senders.classification'),
      render: (s) => <SenderClassBadge value={s.class} />,
    },
    { key: 'messages', label: w.t('domains.messages'), numeric: true, render: (s) => w.num(s.messages) },
    { key: 'dmarcFail', label: w.t('field.dmarcFail'), numeric: true, render: (s) => w.num(s.dmarcFail) },
    { key: 'headerFroms', label: w.t('field.headerFroms'), render: (s) => s.headerFroms.join(', ') },
    { key: 'reason', label: w.t('senders.reason'), render: (s) => textOf(s.reason, w.lang) || '–' },
  ];
  return (
    <Async resource={result}>
      {(data) => (
        <>
          <Table
            caption={w.t('domain.subdomains')}
            columns={columns}
            rows={asArray<Subdomain>(data.subdomains)}
            limit={10}
          />
          {asArray(data.unknownSenders).length > 0 && (
            <Table
              caption={w.t('subdomains.unknown-senders')}
              columns={unknownColumns}
              rows={asArray<UnknownSender>(data.unknownSenders)}
              limit={10}
            />
          )}
          <FirstOf shown={asArray(data.unknownSenders).length} total={data.unknownSendersTotal} />
        </>
      )}
    </Async>
  );
}

/** analysis/reporters.ts ReporterStats. */
interface Reporter {
  orgName: string;
  reports: number;
  messages: number;
  share: number;
  firstDay: string;
  lastDay: string;
  gaps: string[];
  cadenceHours: number | null;
  silentDays: number;
  stopped: boolean;
}

/** Who reports on the domain, how regularly, and who went quiet. */
export function Reporters({ path }: { path: string }) {
  const w = useWords();
  const result = useResource<{ reporters?: Reporter[] }>(path);
  const columns: Column<Reporter>[] = [
    { key: 'orgName', label: w.t('reports.org'), render: (r) => r.orgName },
    { key: 'reports', label: w.t('field.reports'), numeric: true, render: (r) => w.num(r.reports) },
    { key: 'messages', label: w.t('domains.messages'), numeric: true, render: (r) => w.num(r.messages) },
    { key: 'share', label: w.t('reporters.share'), numeric: true, render: (r) => w.pct(r.share) },
    { key: 'seen', label: w.t('subdomains.seen'), render: (r) => `${r.firstDay} – ${r.lastDay}` },
    {
      key: 'cadence',
      label: w.t('reporters.cadence'),
      render: (r) =>
        r.cadenceHours === null ? '–' : w.t('reporters.hours', { hours: w.num(r.cadenceHours) }),
    },
    {
      key: 'gaps',
      label: w.t('reporters.gaps'),
      render: (r) =>
        r.stopped ? (
          <span class="badge health-failing">{w.t('reporters.stopped', { days: r.silentDays })}</span>
        ) : r.gaps.length > 0 ? (
          <span title={r.gaps.join(', ')}>{w.t('reporters.gap-days', { count: r.gaps.length })}</span>
        ) : (
          '–'
        ),
    },
  ];
  return (
    <Async resource={result}>
      {(data) => (
        <Table caption={w.t('domain.reporters')} columns={columns} rows={asArray<Reporter>(data.reporters)} />
      )}
    </Async>
  );
}

/** Under a list the server cut short: how many there are, and where to see them all. */
export function FirstOf({ shown, total }: { shown: number; total: number | undefined }) {
  const w = useWords();
  if (total === undefined || total <= shown) return null;
  return <p class="muted">{w.t('common.first-of', { shown: w.num(shown), total: w.num(total) })}</p>;
}

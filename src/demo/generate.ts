/**
 * The demo data set, generated: aggregate reports (XML, some gzipped, some in mails), ARF
 * failure reports and SMTP TLS reports, as the bytes a mailbox would hold. Pure: the same
 * options give the same bytes.
 */
import { gzipSync } from 'node:zlib';
import { aggregateXml, type DemoAggregateReport, type DemoRow } from './aggregate-xml.ts';
import { failureReports } from './failure.ts';
import { reportMail } from './mail.ts';
import { Random } from './random.ts';
import {
  type Day,
  type DemoDomain,
  DOMAIN_STORIES,
  demoOrgDomain,
  type PolicyState,
  REPORTERS,
  type Reporter,
  type ReporterId,
  SOURCES,
  type Source,
} from './story.ts';
import { tlsReports } from './tls.ts';

/** The seed of the published demo: the month the ministries asked card companies for DMARC. */
export const DEMO_SEED = 202302;
export const DEMO_DAYS = 90;
/** A year at most: the demo is a few thousand records, not a benchmark (bench/ has the big generator). */
export const DEMO_MAX_DAYS = 366;

export interface DemoOptions {
  /** The demo ends the day before this one (default: today); only its UTC day matters. */
  now?: Date | number;
  /** Days covered (default DEMO_DAYS). */
  days?: number;
  seed?: number;
}

export interface DemoInput {
  kind: 'aggregate' | 'failure' | 'tls';
  /** File name, as ingest sees it. */
  name: string;
  /** Where it came from, for people: `demo/google.com/card.example.co.jp/2026-11-27.eml`. */
  source: string;
  bytes: Buffer;
  /** When it arrived, seconds since the epoch. */
  receivedAt: number;
}

/** Where each domain's aggregate reports are sent (its rua). */
const RUA: Record<DemoDomain, string> = {
  'card.example.co.jp': 'dmarc@reports.example.net',
  'bank.example.co.jp': 'dmarc-rua@bank.example.co.jp',
  'univ.example.ac.jp': 'dmarc@univ.example.ac.jp',
  'city.example.lg.jp': 'dmarc@city.example.lg.jp',
};

/** Every input of the demo, oldest first. */
export function generateDemo(options: DemoOptions = {}): DemoInput[] {
  const days = options.days ?? DEMO_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > DEMO_MAX_DAYS) {
    throw new RangeError(`demo days must be a whole number from 1 to ${DEMO_MAX_DAYS}, not ${days}`);
  }
  const now = Math.floor(Number(options.now ?? Date.now()) / 1000);
  if (!Number.isFinite(now) || now < DEMO_MAX_DAYS * 86_400) {
    throw new RangeError(`demo "now" must be a date after 1971, not ${String(options.now)}`);
  }
  const today = now - (now % 86_400);
  const random = new Random(options.seed ?? DEMO_SEED);
  const volumes = new Map(SOURCES.map((s) => [s.id, random.fork(`volume ${s.id}`)]));
  const reports = random.fork('reports');

  const inputs: DemoInput[] = [];
  for (let ago = days; ago >= 1; ago--) {
    const dayStart = today - ago * 86_400;
    const day: Day = { ago, days, f: ago / days, weekday: new Date(dayStart * 1000).getUTCDay() };
    // Each sender's mail of the day, drawn once, then split between the reporters who saw it.
    const sent = new Map(SOURCES.map((s) => [s.id, s.volume(day, volumes.get(s.id) as Random)]));
    for (const story of DOMAIN_STORIES) {
      const policy = story.policy(day);
      if (!policy) continue;
      for (const reporter of REPORTERS) {
        const share = story.audience[reporter.id];
        if (share === undefined || !reporter.sends(day)) continue;
        const sources = SOURCES.filter((s) => s.domain === story.name);
        const rows = sources.flatMap((source) =>
          rowsFor(source, reporter, day, policy, sent.get(source.id) ?? 0, story.audience, reports),
        );
        if (rows.length === 0) continue;
        const begin = dayStart + reporter.windowOffset;
        const report: DemoAggregateReport = {
          reporter,
          reportId: reportId(reporter, story.name, begin, reports),
          begin,
          end: begin + reporter.windowLength,
          domain: story.name,
          policy,
          rows,
        };
        const delay = reports.int(reporter.delayHours[0] * 3600, reporter.delayHours[1] * 3600);
        // Yesterday's late reports count as arrived at midnight: the demo depends on the day, not the hour.
        inputs.push(deliver(report, Math.min(report.end + delay, Math.max(report.end, today)), reports));
      }
    }
  }
  inputs.push(...failureReports(today, days, random.fork('failure')));
  inputs.push(...tlsReports(today, days, random.fork('tls')));
  // Code-unit order, not localeCompare: the order must not depend on the machine's locale.
  return inputs.sort(
    (a, b) => a.receivedAt - b.receivedAt || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0),
  );
}

/** The rows one reporter writes for one sender on one day: its share of the mail, over a few IPs. */
function rowsFor(
  source: Source,
  reporter: Reporter,
  day: Day,
  policy: PolicyState,
  sent: number,
  audience: Partial<Record<ReporterId, number>>,
  random: Random,
): DemoRow[] {
  const seenBy = source.seenBy ?? (Object.keys(audience) as ReporterId[]);
  if (!seenBy.includes(reporter.id)) return [];
  const total = seenBy.reduce((sum, id) => sum + (audience[id] ?? 0), 0);
  const count = random.jitter((sent * (audience[reporter.id] ?? 0)) / total, 0.15);
  if (count === 0) return [];
  const ipCount = Math.min(source.ipsPerReport, source.ips.length, Math.max(1, Math.ceil(count / 150)));
  const first = random.int(0, source.ips.length - 1);
  const counts = split(count, ipCount, random);
  const auth = source.authentication(day);
  const rows: DemoRow[] = [];
  counts.forEach((n, i) => {
    if (n === 0) return;
    const headerFrom = random.pick(source.headerFrom);
    const sourceIp = source.ips[(first + i) % source.ips.length] as string;
    const org = demoOrgDomain(headerFrom);
    const dkimAligned = auth.dkim.some((d) => d.result === 'pass' && demoOrgDomain(d.domain) === org);
    const spfAligned = auth.spf === 'pass' && demoOrgDomain(auth.envelopeFrom) === org;
    const override = source.override?.reporter === reporter.id ? source.override : undefined;
    rows.push({
      sourceIp,
      count: n,
      disposition: disposition(dkimAligned || spfAligned, reporter, policy, source, headerFrom, override),
      dkim: dkimAligned ? 'pass' : 'fail',
      spf: spfAligned ? 'pass' : 'fail',
      reasons:
        override && !(dkimAligned || spfAligned) ? [{ type: override.type, comment: override.comment }] : [],
      headerFrom,
      envelopeFrom: auth.envelopeFrom,
      envelopeTo: random.pick(['outlook.com', 'hotmail.com', 'outlook.jp']),
      authDkim: auth.dkim,
      authSpf: { domain: auth.envelopeFrom, result: auth.spf },
    });
  });
  return rows;
}

function disposition(
  pass: boolean,
  reporter: Reporter,
  policy: PolicyState,
  source: Source,
  headerFrom: string,
  override: Source['override'],
): DemoRow['disposition'] {
  // RFC 9990 says `pass` where the policy was not applied because DMARC passed.
  if (pass) return reporter.form === 'rfc9990' ? 'pass' : 'none';
  if (override) return 'none';
  if (headerFrom === source.domain) return policy.p;
  if (source.nonExistentFrom && policy.np) return policy.np;
  // An invalid sp (univ's "non") is ignored: the subdomain gets p.
  return policy.sp === undefined || policy.sp === 'non' ? policy.p : policy.sp;
}

/** `total` split into `parts` random whole parts. */
function split(total: number, parts: number, random: Random): number[] {
  const weights = Array.from({ length: parts }, () => 0.3 + random.next());
  const sum = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((w) => Math.floor((total * w) / sum));
  counts[0] = (counts[0] ?? 0) + total - counts.reduce((a, b) => a + b, 0);
  return counts;
}

/** Report IDs in each reporter's own style; the ISP wraps its IDs in angle brackets. */
function reportId(reporter: Reporter, domain: string, begin: number, random: Random): string {
  switch (reporter.id) {
    case 'google':
      return Array.from({ length: 20 }, (_, i) => (i === 0 ? random.int(1, 9) : random.int(0, 9))).join('');
    case 'microsoft':
      return random.hex(32);
    case 'yahoo':
      return `${begin}.${random.int(100_000, 999_999)}`;
    case 'isp':
      return `<${random.hex(8)}-${random.hex(4)}.${begin}@isp.example.ne.jp>`;
    case 'partner':
      return `${domain}!${begin}!${random.hex(8)}`;
  }
}

/** How each reporter's report arrives: a mail with a gzip or XML attachment, or a saved file. */
function deliver(report: DemoAggregateReport, receivedAt: number, random: Random): DemoInput {
  const { reporter, domain } = report;
  const xml = Buffer.from(aggregateXml(report));
  const date = new Date(report.begin * 1000 + 43_200_000).toISOString().slice(0, 10);
  const base = `${reporter.orgName}!${domain}!${report.begin}!${report.end}`;
  const source = (name: string) => `demo/${reporter.orgName}/${domain}/${date}/${name}`;
  const mailed = (attachment: { name: string; contentType: string; bytes: Buffer }): DemoInput => {
    const name = `${date}-${reporter.id}-${domain}.eml`;
    const bytes = reportMail(
      {
        from: reporter.email,
        to: RUA[domain as DemoDomain],
        subject: `Report Domain: ${domain} Submitter: ${reporter.orgName} Report-ID: <${report.reportId.replace(/^<|>$/g, '')}>`,
        date: receivedAt,
        messageId: `${random.hex(16)}@${reporter.email.split('@')[1]}`,
      },
      `This is an aggregate report from ${reporter.orgName} for ${domain}.`,
      attachment,
      `=_${random.hex(24)}`,
    );
    return { kind: 'aggregate', name, source: source(name), bytes, receivedAt };
  };
  switch (reporter.id) {
    case 'google':
    case 'microsoft':
      return mailed({ name: `${base}.xml.gz`, contentType: 'application/gzip', bytes: gzipSync(xml) });
    case 'isp':
      return mailed({ name: `${base}.xml`, contentType: 'text/xml', bytes: xml });
    case 'yahoo': {
      const name = `${base}.xml.gz`;
      return { kind: 'aggregate', name, source: source(name), bytes: gzipSync(xml), receivedAt };
    }
    case 'partner': {
      const name = `${base}.xml`;
      return { kind: 'aggregate', name, source: source(name), bytes: xml, receivedAt };
    }
  }
}

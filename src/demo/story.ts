/**
 * Who sends as the demo domains, who reports on them, and what each domain published day by
 * day: the story the demo data tells. Pure data and small functions of the day.
 *
 * Every domain ends the period publishing what examples/demo.zone serves today, so the
 * dashboard's reports and a live `sumi check` of the zone agree:
 * - card.example.co.jp: p=none -> quarantine (SendGrid campaign mail, signed with SendGrid's own
 *   domain, got quarantined) -> back to p=none with pct=50; SendGrid fixed in the last week.
 * - bank.example.co.jp: at quarantine with clean reports, a survey vendor moved onto its own
 *   relays, then p=reject (sp, np reject) near the end.
 * - univ.example.ac.jp: p=none with many unknown senders; two SPF records make every SPF check a
 *   permerror; went to quarantine (with the sp=non typo) too early, near the end.
 * - city.example.lg.jp: p=reject; its SPF record became +all, so spoofed mail passed DMARC by
 *   SPF; then the DMARC record was lost (no record in the zone): reports stop.
 */
import type { DkimResult, RequestedPolicy, SpfResult } from '../reports/types.ts';
import type { Random } from './random.ts';

export const DEMO_DOMAINS = [
  'bank.example.co.jp',
  'card.example.co.jp',
  'univ.example.ac.jp',
  'city.example.lg.jp',
] as const;
export type DemoDomain = (typeof DEMO_DOMAINS)[number];

export type ReporterId = 'google' | 'microsoft' | 'yahoo' | 'isp' | 'partner';

/** What a domain's DMARC record said on one day. `sp: 'non'` is univ's typo, echoed by one reporter. */
export interface PolicyState {
  p: RequestedPolicy;
  sp?: RequestedPolicy | 'non';
  np?: RequestedPolicy;
  pct?: number;
  fo?: string;
}

/**
 * A day of the period: `ago` days before today (1 = yesterday) out of `days`. Phases are
 * fractions of the period (`f = ago / days`), so a shorter period tells the same story.
 */
export interface Day {
  ago: number;
  days: number;
  /** Position in the period: 1 = its first day, near 0 = yesterday. */
  f: number;
  /** 0 = Sunday. */
  weekday: number;
}

export interface Reporter {
  id: ReporterId;
  orgName: string;
  email: string;
  extraContactInfo: string | null;
  /** `rfc7489`: no namespace; `rfc9990`: the dmarc-2.0 namespace, np, testing, discovery_method. */
  form: 'rfc7489' | 'rfc9990';
  /** Seconds from a window's begin to its end: 86399 or 86400, as reporters really send. */
  windowLength: 86399 | 86400;
  /** Seconds the window begins after UTC midnight (a Japanese ISP counts JST days: -9 h). */
  windowOffset: number;
  /** Whether the report is sent on that day: gaps and a reporter that stops. */
  sends(day: Day): boolean;
  /** Hours after the window's end the report mail arrives. */
  delayHours: [number, number];
}

export const REPORTERS: readonly Reporter[] = [
  {
    id: 'google',
    orgName: 'google.com',
    email: 'noreply-dmarc-support@google.com',
    extraContactInfo: 'https://support.google.com/a/answer/2466580',
    form: 'rfc7489',
    windowLength: 86399,
    windowOffset: 0,
    sends: () => true,
    delayHours: [1, 6],
  },
  {
    id: 'microsoft',
    orgName: 'Outlook.com',
    email: 'dmarcreport@microsoft.com',
    extraContactInfo: null,
    form: 'rfc7489',
    windowLength: 86400,
    windowOffset: 0,
    sends: () => true,
    delayHours: [8, 20],
  },
  {
    id: 'yahoo',
    orgName: 'Yahoo',
    email: 'dmarchelp@yahooinc.com',
    extraContactInfo: null,
    form: 'rfc7489',
    windowLength: 86399,
    windowOffset: 0,
    sends: () => true,
    delayHours: [2, 10],
  },
  {
    // A Japanese ISP's mail service: counts JST days, writes RFC 9990 reports, and had a week's outage.
    id: 'isp',
    orgName: 'Example ISP Japan',
    email: 'dmarc-report@isp.example.ne.jp',
    extraContactInfo: 'https://isp.example.ne.jp/dmarc/',
    form: 'rfc9990',
    windowLength: 86399,
    windowOffset: -9 * 3600,
    sends: (day) => !(day.f <= 0.62 && day.f > 0.55),
    delayHours: [1, 3],
  },
  {
    // A business partner's mail gateway: stops reporting part-way (its admin turned reports off).
    id: 'partner',
    orgName: 'mx.partner.example.com',
    email: 'postmaster@partner.example.com',
    extraContactInfo: null,
    form: 'rfc9990',
    windowLength: 86400,
    windowOffset: 0,
    sends: (day) => day.f > 0.4,
    delayHours: [0, 2],
  },
];

export interface DomainStory {
  name: DemoDomain;
  /** What the domain published that day; undefined when it had no DMARC record (no reports). */
  policy(day: Day): PolicyState | undefined;
  /** Share of the domain's recipients each reporter's mailboxes hold. */
  audience: Partial<Record<ReporterId, number>>;
}

export const DOMAIN_STORIES: readonly DomainStory[] = [
  {
    name: 'card.example.co.jp',
    policy: (day) => {
      if (day.f > 0.5) return { p: 'none', pct: 100 };
      // During quarantine the record asked for failure reports too (fo=1 and ruf).
      if (day.f > 0.25) return { p: 'quarantine', pct: 100, fo: '1' };
      return { p: 'none', pct: 50 };
    },
    audience: { google: 0.4, microsoft: 0.2, yahoo: 0.1, isp: 0.2, partner: 0.1 },
  },
  {
    name: 'bank.example.co.jp',
    policy: (day) =>
      day.f > 0.15 ? { p: 'quarantine', sp: 'quarantine' } : { p: 'reject', sp: 'reject', np: 'reject' },
    audience: { google: 0.4, microsoft: 0.25, isp: 0.2, partner: 0.15 },
  },
  {
    name: 'univ.example.ac.jp',
    policy: (day) => (day.f > 0.11 ? { p: 'none' } : { p: 'quarantine', sp: 'non' }),
    audience: { google: 0.55, microsoft: 0.25, yahoo: 0.05, isp: 0.15 },
  },
  {
    name: 'city.example.lg.jp',
    policy: (day) => (day.f > 0.09 ? { p: 'reject', sp: 'reject' } : undefined),
    audience: { google: 0.3, microsoft: 0.2, isp: 0.5 },
  },
];

/** What one sender's message carries for the receiver to check. */
export interface Authentication {
  /** MAIL FROM domain and the SPF result for it. */
  envelopeFrom: string;
  spf: SpfResult;
  dkim: readonly { domain: string; selector: string; result: DkimResult }[];
}

/** One sender of mail with a demo domain in From. */
export interface Source {
  id: string;
  domain: DemoDomain;
  /** For people reading the demo (and its tests): who this is. */
  label: string;
  ips: readonly string[];
  /** At most this many of `ips` appear in one report. */
  ipsPerReport: number;
  headerFrom: readonly string[];
  /** Messages sent that day, to everyone (reporters see their audience share). */
  volume(day: Day, random: Random): number;
  authentication(day: Day): Authentication;
  /** Only these reporters see it (forwarded mail reaches only some mailbox providers). */
  seenBy?: readonly ReporterId[];
  /** A reporter that did not apply the policy, and why (RFC 7489 PolicyOverrideReason). */
  override?: { reporter: ReporterId; type: string; comment: string };
  /** header_from names a domain that does not exist (np applies, where published). */
  nonExistentFrom?: boolean;
}

const weekday = (day: Day) => day.weekday >= 1 && day.weekday <= 5;
/** `count` documentation addresses from `start`. */
const range = (prefix: string, start: number, count: number): string[] =>
  Array.from({ length: count }, (_, i) => `${prefix}${start + i}`);
/** `count` addresses scattered over 198.18.0.0/15 (benchmarking, never routed), from 198.18.<label>. */
const reservedIps = (label: number, count: number): string[] =>
  Array.from({ length: count }, (_, i) => `198.18.${label + (i >> 4)}.${(i * 37 + 11) % 250}`);

export const SOURCES: readonly Source[] = [
  // ---------------------------------------------------------------- card.example.co.jp
  {
    id: 'card-m365',
    domain: 'card.example.co.jp',
    label: 'Microsoft 365: staff mail, SPF and DKIM aligned',
    ips: range('198.51.100.', 11, 4),
    ipsPerReport: 2,
    headerFrom: ['card.example.co.jp'],
    volume: (day, r) => r.jitter(weekday(day) ? 220 : 40, 0.2),
    authentication: () => ({
      envelopeFrom: 'card.example.co.jp',
      spf: 'pass',
      dkim: [{ domain: 'card.example.co.jp', selector: 'selector1', result: 'pass' }],
    }),
  },
  {
    id: 'card-billing',
    domain: 'card.example.co.jp',
    label: 'Statement notices from an on-premises server, bounces to a name without SPF: passes by DKIM only',
    ips: ['192.0.2.10'],
    ipsPerReport: 1,
    headerFrom: ['card.example.co.jp'],
    volume: (day, r) => r.jitter(weekday(day) ? 600 : 150, 0.15),
    authentication: () => ({
      envelopeFrom: 'bounce.card.example.co.jp',
      spf: 'none',
      dkim: [{ domain: 'card.example.co.jp', selector: 'billing', result: 'pass' }],
    }),
  },
  {
    id: 'card-sendgrid',
    domain: 'card.example.co.jp',
    label: 'Twilio SendGrid campaigns signed d=sendgrid.info until a custom DKIM domain in the last week',
    ips: range('192.0.2.', 140, 4),
    ipsPerReport: 2,
    headerFrom: ['card.example.co.jp'],
    volume: (day, r) => r.jitter(day.weekday === 2 || day.weekday === 5 ? 4000 : 120, 0.25),
    authentication: (day) => ({
      envelopeFrom: 'sendgrid.net',
      spf: 'pass',
      dkim:
        day.f <= 0.08
          ? [{ domain: 'card.example.co.jp', selector: 's1', result: 'pass' }]
          : [{ domain: 'sendgrid.info', selector: 'smtpapi', result: 'pass' }],
    }),
  },
  {
    id: 'card-crm',
    domain: 'card.example.co.jp',
    label: 'Synergy!LEAD CRM mail: custom return-path (SPF aligned), signed d=crmstyle.com',
    ips: range('203.0.113.', 25, 2),
    ipsPerReport: 2,
    headerFrom: ['card.example.co.jp'],
    volume: (day, r) => (weekday(day) ? r.jitter(300, 0.3) : 0),
    authentication: () => ({
      envelopeFrom: 'card.example.co.jp',
      spf: 'pass',
      dkim: [{ domain: 'crmstyle.com', selector: 'sl', result: 'pass' }],
    }),
  },
  {
    id: 'card-forwarder',
    domain: 'card.example.co.jp',
    label: 'Forwarded by customers to Gmail and Outlook: SPF fails, DKIM survives',
    ips: ['192.0.2.65', '2001:db8:f0::25'],
    ipsPerReport: 2,
    headerFrom: ['card.example.co.jp'],
    volume: (_day, r) => r.int(6, 20),
    seenBy: ['google', 'microsoft'],
    authentication: () => ({
      envelopeFrom: 'card.example.co.jp',
      spf: 'softfail',
      dkim: [{ domain: 'card.example.co.jp', selector: 'selector1', result: 'pass' }],
    }),
  },
  {
    id: 'card-list',
    domain: 'card.example.co.jp',
    label: 'An industry mailing list: the subject tag breaks DKIM; Google trusts its ARC seal',
    ips: ['198.18.210.10'],
    ipsPerReport: 1,
    headerFrom: ['card.example.co.jp'],
    volume: (day, r) => (weekday(day) ? r.int(2, 8) : 0),
    seenBy: ['google', 'microsoft', 'isp'],
    override: { reporter: 'google', type: 'local_policy', comment: 'arc=pass' },
    authentication: () => ({
      envelopeFrom: 'ml.jcca.example.or.jp',
      spf: 'pass',
      dkim: [
        { domain: 'card.example.co.jp', selector: 'selector1', result: 'fail' },
        { domain: 'ml.jcca.example.or.jp', selector: 'ml', result: 'pass' },
      ],
    }),
  },
  {
    id: 'card-spoof',
    domain: 'card.example.co.jp',
    label: 'A phishing campaign from unknown IPs (a burst three to four weeks ago)',
    ips: [...reservedIps(1, 40), '2001:db8:bad::17', '2001:db8:bad::2a'],
    ipsPerReport: 6,
    headerFrom: ['card.example.co.jp'],
    volume: (day, r) => (day.f <= 0.35 && day.f > 0.22 ? r.jitter(1200, 0.4) : r.int(0, 8)),
    authentication: () => ({ envelopeFrom: 'card.example.co.jp', spf: 'softfail', dkim: [] }),
  },
  {
    id: 'card-shadow',
    domain: 'card.example.co.jp',
    label: 'Shadow IT: a points campaign site on Amazon SES as campaign.card.example.co.jp',
    ips: range('198.18.30.', 5, 3),
    ipsPerReport: 2,
    headerFrom: ['campaign.card.example.co.jp'],
    volume: (day, r) => (day.f <= 0.6 ? r.jitter(150, 0.5) : 0),
    authentication: () => ({
      envelopeFrom: 'ap-northeast-1.amazonses.com',
      spf: 'pass',
      dkim: [{ domain: 'amazonses.com', selector: 'ug7nbtf4gccmlpwj322ax3p6ow6yfsug', result: 'pass' }],
    }),
  },
  // ---------------------------------------------------------------- bank.example.co.jp
  {
    id: 'bank-relays',
    domain: 'bank.example.co.jp',
    label: "The bank's own relays: SPF and DKIM aligned",
    ips: range('192.0.2.', 203, 2),
    ipsPerReport: 2,
    headerFrom: ['bank.example.co.jp'],
    volume: (day, r) => r.jitter(weekday(day) ? 900 : 200, 0.15),
    authentication: () => ({
      envelopeFrom: 'bank.example.co.jp',
      spf: 'pass',
      dkim: [{ domain: 'bank.example.co.jp', selector: 's2048', result: 'pass' }],
    }),
  },
  {
    id: 'bank-alerts',
    domain: 'bank.example.co.jp',
    label: 'Transaction alerts from alert.bank.example.co.jp: DKIM aligned (relaxed), no SPF',
    ips: ['192.0.2.205'],
    ipsPerReport: 1,
    headerFrom: ['alert.bank.example.co.jp'],
    volume: (_day, r) => r.jitter(400, 0.2),
    authentication: () => ({
      envelopeFrom: 'alert.bank.example.co.jp',
      spf: 'none',
      dkim: [{ domain: 'bank.example.co.jp', selector: 's2048', result: 'pass' }],
    }),
  },
  {
    id: 'bank-survey',
    domain: 'bank.example.co.jp',
    label: 'A survey vendor sending unsigned mail until it moved onto the bank relays',
    ips: ['198.18.40.7'],
    ipsPerReport: 1,
    headerFrom: ['bank.example.co.jp'],
    volume: (day, r) => (day.f > 0.2 && weekday(day) ? r.jitter(60, 0.3) : 0),
    authentication: () => ({ envelopeFrom: 'survey-vendor.example.com', spf: 'pass', dkim: [] }),
  },
  {
    id: 'bank-forwarder',
    domain: 'bank.example.co.jp',
    label: 'Forwarded mail: SPF fails, DKIM survives',
    ips: ['192.0.2.65', '2001:db8:f0::25'],
    ipsPerReport: 2,
    headerFrom: ['bank.example.co.jp'],
    volume: (_day, r) => r.int(3, 12),
    seenBy: ['google', 'microsoft'],
    authentication: () => ({
      envelopeFrom: 'bank.example.co.jp',
      spf: 'fail',
      dkim: [{ domain: 'bank.example.co.jp', selector: 's2048', result: 'pass' }],
    }),
  },
  {
    id: 'bank-spoof',
    domain: 'bank.example.co.jp',
    label: 'Spoofing from unknown IPs',
    ips: reservedIps(50, 24),
    ipsPerReport: 3,
    headerFrom: ['bank.example.co.jp'],
    volume: (_day, r) => r.int(0, 40),
    authentication: () => ({ envelopeFrom: 'bank.example.co.jp', spf: 'fail', dkim: [] }),
  },
  {
    id: 'bank-spoof-nx',
    domain: 'bank.example.co.jp',
    label: 'Spoofing as login.bank.example.co.jp, a name that does not exist (np)',
    ips: reservedIps(60, 8),
    ipsPerReport: 3,
    headerFrom: ['login.bank.example.co.jp'],
    nonExistentFrom: true,
    volume: (day, r) => (day.f <= 0.3 ? r.int(0, 30) : 0),
    authentication: () => ({ envelopeFrom: 'login.bank.example.co.jp', spf: 'none', dkim: [] }),
  },
  // ---------------------------------------------------------------- univ.example.ac.jp
  {
    id: 'univ-campus',
    domain: 'univ.example.ac.jp',
    label: 'Campus mail server: DKIM aligned; SPF permerror (two SPF records)',
    ips: range('192.0.2.', 65, 2),
    ipsPerReport: 2,
    headerFrom: ['univ.example.ac.jp'],
    volume: (day, r) => r.jitter(weekday(day) ? 1500 : 300, 0.2),
    authentication: () => ({
      envelopeFrom: 'univ.example.ac.jp',
      spf: 'permerror',
      dkim: [{ domain: 'univ.example.ac.jp', selector: 'mail2025', result: 'pass' }],
    }),
  },
  {
    id: 'univ-workspace',
    domain: 'univ.example.ac.jp',
    label: 'Google Workspace without custom DKIM: signed d=...gappssmtp.com, SPF permerror',
    ips: ['2001:db8:4860:4864::1b', '2001:db8:4860:4864::2c', '2001:db8:4860:4864::3d'],
    ipsPerReport: 3,
    headerFrom: ['univ.example.ac.jp'],
    volume: (day, r) => r.jitter(weekday(day) ? 600 : 250, 0.25),
    authentication: () => ({
      envelopeFrom: 'univ.example.ac.jp',
      spf: 'permerror',
      dkim: [{ domain: 'univ-example-ac-jp.20230601.gappssmtp.com', selector: '20230601', result: 'pass' }],
    }),
  },
  {
    id: 'univ-labs',
    domain: 'univ.example.ac.jp',
    label: 'Laboratory and department servers nobody registered: unsigned, no SPF',
    ips: reservedIps(64, 28),
    ipsPerReport: 4,
    headerFrom: [
      'univ.example.ac.jp',
      'cs.univ.example.ac.jp',
      'bio.univ.example.ac.jp',
      'lab.eng.univ.example.ac.jp',
      'library.univ.example.ac.jp',
    ],
    volume: (day, r) => r.jitter(weekday(day) ? 120 : 30, 0.4),
    authentication: () => ({ envelopeFrom: 'univ.example.ac.jp', spf: 'permerror', dkim: [] }),
  },
  {
    id: 'univ-benchmark',
    domain: 'univ.example.ac.jp',
    label: "Admissions newsletter on Benchmark Email: SPF passes for the ESP's bounce domain only",
    ips: ['198.18.80.21', '198.18.80.22'],
    ipsPerReport: 2,
    headerFrom: ['univ.example.ac.jp'],
    volume: (day, r) => (day.ago % 14 === 3 ? r.jitter(2500, 0.2) : 0),
    authentication: () => ({ envelopeFrom: 'bmsend.com', spf: 'pass', dkim: [] }),
  },
  {
    id: 'univ-spoof',
    domain: 'univ.example.ac.jp',
    label: 'Spoofing from unknown IPs',
    ips: reservedIps(90, 16),
    ipsPerReport: 2,
    headerFrom: ['univ.example.ac.jp'],
    volume: (_day, r) => r.int(0, 25),
    authentication: () => ({ envelopeFrom: 'univ.example.ac.jp', spf: 'permerror', dkim: [] }),
  },
  // ---------------------------------------------------------------- city.example.lg.jp
  {
    id: 'city-gateway',
    domain: 'city.example.lg.jp',
    label: "The city's mail gateway: SPF and DKIM aligned",
    ips: ['192.0.2.21'],
    ipsPerReport: 1,
    headerFrom: ['city.example.lg.jp'],
    volume: (day, r) => (weekday(day) ? r.jitter(300, 0.2) : r.int(0, 20)),
    authentication: () => ({
      envelopeFrom: 'city.example.lg.jp',
      spf: 'pass',
      dkim: [{ domain: 'city.example.lg.jp', selector: 'lgwan', result: 'pass' }],
    }),
  },
  {
    id: 'city-bosai',
    domain: 'city.example.lg.jp',
    label: 'Disaster-prevention alerts on a Japanese ESP (blastmail) with custom DKIM',
    ips: ['198.18.100.31', '198.18.100.32'],
    ipsPerReport: 2,
    headerFrom: ['bosai.city.example.lg.jp'],
    volume: (day, r) => (day.ago % 9 === 4 ? r.jitter(3000, 0.3) : r.int(0, 40)),
    authentication: () => ({
      envelopeFrom: 'bounce.blastmail.jp',
      spf: 'pass',
      dkim: [{ domain: 'city.example.lg.jp', selector: 'bm', result: 'pass' }],
    }),
  },
  {
    id: 'city-spoof',
    domain: 'city.example.lg.jp',
    label: 'Spoofing: rejected, until SPF became +all and it passed DMARC by SPF',
    ips: reservedIps(120, 20),
    ipsPerReport: 3,
    headerFrom: ['city.example.lg.jp'],
    volume: (_day, r) => r.jitter(90, 0.6),
    // The SPF record became "+all" a third of the way before the end.
    authentication: (day) => ({
      envelopeFrom: 'city.example.lg.jp',
      spf: day.f > 0.33 ? 'fail' : 'pass',
      dkim: [],
    }),
  },
];

/**
 * The demo's organisational domain of a name: a demo domain for the names under it, the last
 * two labels otherwise. Enough for the demo, whose own domains never sign for one another.
 */
export function demoOrgDomain(name: string): string {
  const lower = name.toLowerCase();
  const own = DEMO_DOMAINS.find((d) => lower === d || lower.endsWith(`.${d}`));
  return own ?? lower.split('.').slice(-2).join('.');
}

/**
 * What the owners told Sumi: the domains they know they use (campaign.card... and univ's
 * department subdomains are missing: the shadow IT the reports reveal) and their verdict on
 * senders, by source id (every IP of the source is marked).
 */
export const INVENTORY: {
  domains: readonly { domain: string; note: string }[];
  marks: readonly { source: string; mark: 'authorised' | 'forwarder' | 'suspicious'; note: string }[];
} = {
  domains: [
    { domain: 'card.example.co.jp', note: 'Card members and staff mail' },
    { domain: 'bank.example.co.jp', note: 'Retail banking' },
    { domain: 'alert.bank.example.co.jp', note: 'Transaction alerts' },
    { domain: 'univ.example.ac.jp', note: 'University, central IT' },
    { domain: 'city.example.lg.jp', note: 'City office' },
    { domain: 'bosai.city.example.lg.jp', note: 'Disaster-prevention alerts' },
  ],
  marks: [
    { source: 'card-billing', mark: 'authorised', note: 'Statement notice server (on premises)' },
    { source: 'card-sendgrid', mark: 'authorised', note: 'SendGrid: marketing campaigns' },
    { source: 'card-crm', mark: 'authorised', note: 'Synergy!LEAD: CRM mail' },
    { source: 'card-forwarder', mark: 'forwarder', note: 'Customers forwarding to Gmail / Outlook' },
    { source: 'bank-survey', mark: 'authorised', note: 'Customer survey vendor (moved onto our relays)' },
    { source: 'univ-workspace', mark: 'authorised', note: 'Google Workspace for students' },
    { source: 'city-bosai', mark: 'authorised', note: 'blastmail: disaster-prevention alerts' },
  ],
};

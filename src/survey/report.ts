import type { DomainMeasurement } from './measure.ts';
import {
  type Counts,
  FLAGS,
  type Flag,
  type Interval,
  type OrganisationRule,
  type SurveyTally,
  wilson,
} from './metrics.ts';

/** How the numbers were made; printed with them (JSON `method`, the table's footer). */
export interface SurveyMethod {
  unit: 'domain';
  categories: string;
  organisationRule: OrganisationRule;
  questions: string[];
  measured: string;
  denominator: string;
  definitions: Record<string, string>;
  dmarcDiscovery: string;
  interval: string;
  /** Retry passes over the domains with a temporary failure; how many domains the first pass left for them. */
  retries: { passes: number; firstDelayMs: number; on: string[]; domainsRetried: number };
  qps: number | null;
  concurrency: number;
  resolver: string;
  /** The DKIM selectors asked at `<selector>._domainkey.<domain>`; absent: DKIM was not asked. */
  dkimSelectors?: string[];
  input: { lines: number; invalid: number };
  started: string;
  finished: string;
}

export const QUESTIONS = [
  'TXT <domain>',
  'TXT _dmarc.<domain>, then _dmarc.<parent> per the RFC 9989 tree walk',
  'MX <domain>',
  'TXT default._bimi.<domain>',
  'TXT _mta-sts.<domain>',
  'TXT _smtp._tls.<domain>',
];

/** The question added when DKIM selectors are asked. */
export function dkimQuestion(selectors: readonly string[]): string {
  const each = `TXT <selector>._domainkey.<domain> for each selector: ${selectors.join(', ')}`;
  return selectors.length > 1
    ? `TXT _domainkey.<domain> (NXDOMAIN: no selector exists below it, RFC 8020, none asked), then ${each}`
    : each;
}

/** What `dkim` counts (in DEFINITIONS only when the scan asked DKIM). */
export const DKIM_DEFINITION =
  'at least one of the selectors asked has a DKIM key record a verifier can use (RFC 6376; a revoked key, p= empty, does not count); selectors cannot be listed from DNS, so a domain signing with other selectors counts as without';

/** What each count means (English: the JSON is for machines and the people reading it). */
export const DEFINITIONS: Record<string, string> = {
  measured:
    'every DNS question asked for the domain (tree-walk parents included) got a definite answer: ok, nxdomain or nodata',
  spfPresent: 'at least one TXT record at the domain starting with v=spf1',
  spf: 'exactly one SPF record (TXT starting v=spf1), and it parses without a permerror (includes are not followed)',
  spfMultiple: 'more than one SPF record (a permerror)',
  spfStrict: 'spf, and its all mechanism is -all',
  dmarcRecord: 'at least one v=DMARC1 TXT record at _dmarc.<domain>, usable or not',
  dmarc:
    "a valid DMARC policy applies: exactly one v=DMARC1 record (case-sensitive version) with a valid p tag (and valid sp/np), the domain's own or found by the RFC 9989 tree walk",
  dmarcInherited: 'dmarc, from a parent domain found by the tree walk rather than an own record',
  policy:
    'the dmarc domains split by the applying record\'s p tag (tag values case-insensitive); "t=y" is not taken off',
  rua: 'dmarc, and the applying record has a usable rua URI',
  sp: 'dmarc, and the applying record publishes sp',
  np: 'dmarc, and the applying record publishes np',
  bimi: 'exactly one valid BIMI record at default._bimi.<domain> (logo and certificate not fetched)',
  mtaSts: 'exactly one valid v=STSv1 record at _mta-sts.<domain> (policy file not fetched)',
  tlsRpt: 'exactly one valid v=TLSRPTv1 record at _smtp._tls.<domain>',
  mx: 'MX answer with mail hosts',
  nullMx: 'MX answer is the null MX alone (RFC 7505: the domain accepts no mail)',
};

type Metrics = Record<Exclude<Flag, 'policyNone' | 'policyQuarantine' | 'policyReject' | 'dkim'>, number>;

export type MetricCounts = {
  /** Only when the scan asked DKIM selectors. */
  dkim?: number;
  measured: number;
  policy: { none: number; quarantine: number; reject: number };
  /** count / measured (measured / domains for `measured`), with its 95% Wilson interval. */
  shares: Record<string, Interval | Record<string, Interval>>;
} & Metrics;

export type CategoryReport = { name: string; domains: number } & MetricCounts & {
    /** Organisation-level counts, when the list names organisations. */
    organisations?: { count: number } & MetricCounts;
  };

export interface SurveyReport {
  method: SurveyMethod;
  categories: CategoryReport[];
  total: { domains: number } & MetricCounts;
  unmeasured: number;
}

const POLICY_FLAGS = { none: 'policyNone', quarantine: 'policyQuarantine', reject: 'policyReject' } as const;

function metricCounts(counts: Counts, withDkim: boolean): MetricCounts {
  const metrics = {} as Metrics & { dkim?: number };
  const shares: MetricCounts['shares'] = { measured: wilson(counts.measured, counts.total) };
  for (const flag of FLAGS) {
    if (flag.startsWith('policy') || (flag === 'dkim' && !withDkim)) continue;
    const key = flag as keyof Metrics;
    metrics[key] = counts.count(flag);
    shares[key] = wilson(metrics[key], counts.measured);
  }
  const policy = {
    none: counts.count(POLICY_FLAGS.none),
    quarantine: counts.count(POLICY_FLAGS.quarantine),
    reject: counts.count(POLICY_FLAGS.reject),
  };
  shares.policy = {
    none: wilson(policy.none, counts.measured),
    quarantine: wilson(policy.quarantine, counts.measured),
    reject: wilson(policy.reject, counts.measured),
  };
  // Key order as documented: measured, spf, dmarc, policy first.
  const { spf, dmarc, ...rest } = metrics;
  return { measured: counts.measured, spf, dmarc, policy, ...rest, shares } as MetricCounts;
}

/** Category order: by the categoriser's natural order when given, else by domain count (largest first). */
export function buildReport(
  tally: SurveyTally,
  method: SurveyMethod,
  order?: readonly string[],
): SurveyReport {
  const names = [...tally.domains.keys()];
  const rank = (name: string) => {
    const i = order?.indexOf(name) ?? -1;
    return i === -1 ? Number.MAX_SAFE_INTEGER : i;
  };
  names.sort(
    (a, b) =>
      rank(a) - rank(b) || tally.domains.get(b)!.total - tally.domains.get(a)!.total || a.localeCompare(b),
  );
  const withDkim = method.dkimSelectors !== undefined;
  const categories = names.map((name): CategoryReport => {
    const counts = tally.domains.get(name)!;
    const report: CategoryReport = { name, domains: counts.total, ...metricCounts(counts, withDkim) };
    const orgs = tally.organisationCounts(name, method.organisationRule);
    if (orgs) report.organisations = { count: orgs.total, ...metricCounts(orgs, withDkim) };
    return report;
  });
  return {
    method,
    categories,
    total: { domains: tally.total.total, ...metricCounts(tally.total, withDkim) },
    unmeasured: tally.unmeasured,
  };
}

/** The columns of the per-category CSV: each count with its share and interval. */
export const CATEGORY_CSV_METRICS = [
  'measured',
  'spfPresent',
  'spf',
  'spfMultiple',
  'spfStrict',
  'dmarcRecord',
  'dmarc',
  'dmarcInherited',
  'policy.none',
  'policy.quarantine',
  'policy.reject',
  'rua',
  'sp',
  'np',
  'bimi',
  'mtaSts',
  'tlsRpt',
  'mx',
  'nullMx',
] as const;

/** The per-category CSV's metrics for a report: `dkim` last, when the scan asked DKIM. */
export function categoryCsvMetrics(report: SurveyReport): string[] {
  return report.method.dkimSelectors ? [...CATEGORY_CSV_METRICS, 'dkim'] : [...CATEGORY_CSV_METRICS];
}

function snake(name: string): string {
  return name.replace('.', '_').replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export function categoryCsvHeader(report: SurveyReport): string[] {
  const out = ['unit', 'category', 'domains'];
  for (const m of categoryCsvMetrics(report)) {
    const s = snake(m);
    out.push(s, `${s}_share`, `${s}_low`, `${s}_high`);
  }
  return out;
}

export function categoryCsvRows(report: SurveyReport): unknown[][] {
  const rows: unknown[][] = [];
  const metrics = categoryCsvMetrics(report);
  const row = (unit: string, name: string, domains: number, c: MetricCounts) => {
    const out: unknown[] = [unit, name, domains];
    for (const m of metrics) {
      const [head, sub] = m.split('.') as [string, string | undefined];
      const count = sub
        ? c.policy[sub as keyof MetricCounts['policy']]
        : (c as unknown as Record<string, number>)[head];
      const shares = c.shares[head] as Interval | Record<string, Interval>;
      const interval = (sub ? (shares as Record<string, Interval>)[sub] : shares) as Interval;
      out.push(count, round(interval.share), round(interval.low), round(interval.high));
    }
    rows.push(out);
  };
  for (const c of report.categories) {
    row('domain', c.name, c.domains, c);
    if (c.organisations) row('organisation', c.name, c.organisations.count, c.organisations);
  }
  row('domain', '*', report.total.domains, report.total);
  return rows;
}

function round(x: number | null): string {
  return x === null ? '' : x.toFixed(4);
}

export const DOMAIN_CSV_HEADER = [
  'domain',
  'category',
  'organisation',
  'measured',
  'failed_questions',
  'passes',
  'spf_records',
  'spf_valid',
  'spf_all',
  'dmarc_records',
  'dmarc',
  'dmarc_source',
  'dmarc_policy_domain',
  'dmarc_p',
  'dmarc_sp',
  'dmarc_np',
  'dmarc_rua',
  'dmarc_testing',
  'mx',
  'bimi',
  'mta_sts',
  'tls_rpt',
];

/** The per-domain CSV header; with DKIM asked, a last column of the selectors found (space-separated). */
export function domainCsvHeader(dkim: boolean): string[] {
  return dkim ? [...DOMAIN_CSV_HEADER, 'dkim_selectors'] : DOMAIN_CSV_HEADER;
}

/** A domain's per-domain CSV row (the DKIM column only when DKIM was asked). */
export function domainCsvRow(m: DomainMeasurement): unknown[] {
  const yes = (b: boolean | undefined) => (b === undefined ? '' : b ? 1 : 0);
  return [
    m.domain,
    m.category,
    m.organisation,
    yes(m.measured),
    m.questions
      .filter((q) => q.status !== 'ok' && q.status !== 'nxdomain' && q.status !== 'nodata')
      .map((q) => `${q.type} ${q.name} ${q.status}`)
      .join('; '),
    m.passes,
    m.spf.records,
    yes(m.spf.valid),
    m.spf.all,
    m.dmarc.records,
    yes(m.dmarc.applies),
    m.dmarc.source,
    m.dmarc.policyDomain,
    m.dmarc.p,
    yes(m.dmarc.sp),
    yes(m.dmarc.np),
    yes(m.dmarc.rua),
    yes(m.dmarc.testing),
    m.mx,
    yes(m.bimi),
    yes(m.mtaSts),
    yes(m.tlsRpt),
    ...(m.dkim ? [m.dkim.selectors.join(' ')] : []),
  ];
}

import { Readable } from 'node:stream';
import { DirectResolver, parseServers } from '../../src/dns/direct-resolver.ts';
import { Zone } from '../../src/dns/zone.ts';
import { builtInCategoriser, readDomainList, runSurvey, type SurveyReport } from '../../src/survey/index.ts';
import type { Flag } from '../../src/survey/metrics.ts';

/**
 * A generated survey zone: domains of known kinds in each .jp category, with the facts each
 * kind must yield written out by hand, so every per-category figure can be computed without
 * the code under test.
 */

export interface Kind {
  /** The domain surveyed for base name `base` (usually the base itself). */
  domain?: (base: string) => string;
  setup: (zone: Zone, base: string) => void;
  /** The facts the domain has; absent flags are 0. */
  expect: Flag[];
  /** A temporary failure: the domain must come out unmeasured. */
  unmeasured?: true;
}

const mxHosts = (zone: Zone, d: string) => zone.add(d, 'MX', { preference: 10, exchange: `mx.${d}` });
const nullMx = (zone: Zone, d: string) => zone.add(d, 'MX', { preference: 0, exchange: '' });

export const KINDS: Record<string, Kind> = {
  full: {
    setup(zone, d) {
      zone.txt(d, 'v=spf1 ip4:192.0.2.0/24 -all');
      zone.txt(`_dmarc.${d}`, `v=DMARC1; p=reject; rua=mailto:dmarc@${d}`);
      mxHosts(zone, d);
      zone.txt(`default._bimi.${d}`, `v=BIMI1; l=https://${d}/logo.svg; a=`);
      zone.txt(`_mta-sts.${d}`, 'v=STSv1; id=20240101T000000;');
      zone.txt(`_smtp._tls.${d}`, `v=TLSRPTv1; rua=mailto:tlsrpt@${d}`);
    },
    expect: [
      'spfPresent',
      'spf',
      'spfStrict',
      'dmarcRecord',
      'dmarc',
      'policyReject',
      'rua',
      'bimi',
      'mtaSts',
      'tlsRpt',
      'mx',
    ],
  },
  soft: {
    setup(zone, d) {
      zone.txt(d, 'v=spf1 include:_spf.esp.example ~all');
      zone.txt(d, 'google-site-verification=abc');
      zone.txt(`_dmarc.${d}`, 'v=DMARC1; p=none');
      mxHosts(zone, d);
    },
    expect: ['spfPresent', 'spf', 'dmarcRecord', 'dmarc', 'policyNone', 'mx'],
  },
  /** Hosted DMARC: `_dmarc` is a CNAME to a provider's record. */
  hosted: {
    setup(zone, d) {
      zone.txt(d, 'v=spf1 mx -all');
      zone.add(`_dmarc.${d}`, 'CNAME', '_dmarc.hosted.example');
      mxHosts(zone, d);
    },
    expect: [
      'spfPresent',
      'spf',
      'spfStrict',
      'dmarcRecord',
      'dmarc',
      'policyQuarantine',
      'rua',
      'sp',
      'np',
      'mx',
    ],
  },
  /** Two SPF records (a permerror); the policy value in capitals still reads as reject. */
  multiSpf: {
    setup(zone, d) {
      zone.txt(d, 'v=spf1 -all');
      zone.txt(d, 'v=spf1 include:_spf.esp.example ~all');
      zone.txt(`_dmarc.${d}`, 'v=DMARC1; p=REJECT');
      mxHosts(zone, d);
    },
    expect: ['spfPresent', 'spfMultiple', 'dmarcRecord', 'dmarc', 'policyReject', 'mx'],
  },
  /** The DMARC record at the apex and the SPF record at `_dmarc`: neither counts. */
  wrongPlace: {
    setup(zone, d) {
      zone.txt(d, 'v=DMARC1; p=reject');
      zone.txt(`_dmarc.${d}`, 'v=spf1 -all');
    },
    expect: [],
  },
  /** An SPF record with a syntax error, a lower-case version tag receivers discard, a null MX. */
  flawed: {
    setup(zone, d) {
      zone.txt(d, 'v=spf1 ip4:192.0.2.300 -all');
      zone.txt(`_dmarc.${d}`, 'v=dmarc1; p=reject');
      nullMx(zone, d);
    },
    expect: ['spfPresent', 'dmarcRecord', 'nullMx'],
  },
  /** A DMARC record without p: monitored at most, no valid policy. */
  noPolicy: {
    setup(zone, d) {
      zone.txt(d, 'MS=ms12345');
      zone.txt(`_dmarc.${d}`, `v=DMARC1; rua=mailto:dmarc@${d}`);
      mxHosts(zone, d);
    },
    expect: ['dmarcRecord', 'mx'],
  },
  /** Two DMARC records: receivers discard both. */
  twoDmarc: {
    setup(zone, d) {
      zone.txt(d, 'v=spf1 a ?all');
      zone.txt(`_dmarc.${d}`, 'v=DMARC1; p=reject');
      zone.txt(`_dmarc.${d}`, 'v=DMARC1; p=none');
      mxHosts(zone, d);
    },
    expect: ['spfPresent', 'spf', 'dmarcRecord', 'mx'],
  },
  /** t=y: counted by its p tag, as published. */
  testing: {
    setup(zone, d) {
      zone.txt(`_dmarc.${d}`, 'v=DMARC1; p=quarantine; t=y');
    },
    expect: ['dmarcRecord', 'dmarc', 'policyQuarantine'],
  },
  parked: {
    setup(zone, d) {
      zone.txt(d, 'v=spf1 -all');
      zone.txt(`_dmarc.${d}`, 'v=DMARC1; p=reject; sp=reject; np=reject');
      nullMx(zone, d);
    },
    expect: ['spfPresent', 'spf', 'spfStrict', 'dmarcRecord', 'dmarc', 'policyReject', 'sp', 'np', 'nullMx'],
  },
  /** Nothing at all: NXDOMAIN everywhere, a definite answer. */
  nxdomain: { setup() {}, expect: [] },
  servfail: {
    setup(zone, d) {
      zone.txt(`_dmarc.${d}`, 'v=DMARC1; p=reject');
      zone.misbehave(d, 'servfail', 'TXT');
    },
    expect: [],
    unmeasured: true,
  },
  timeout: {
    setup(zone, d) {
      zone.txt(d, 'v=spf1 -all');
      zone.misbehave(`_dmarc.${d}`, 'timeout', 'TXT');
    },
    expect: [],
    unmeasured: true,
  },
  refused: {
    setup(zone, d) {
      zone.txt(d, 'v=spf1 -all');
      zone.misbehave(d, 'refused', 'MX');
    },
    expect: [],
    unmeasured: true,
  },
  /** A subdomain with no record of its own: the tree walk finds its organisation's. */
  inherited: {
    domain: (base) => `sub.${base}`,
    setup(zone, d) {
      zone.txt(`_dmarc.${d}`, `v=DMARC1; p=quarantine; sp=reject; rua=mailto:dmarc@${d}`);
      zone.txt(`sub.${d}`, 'v=spf1 -all');
    },
    expect: ['spfPresent', 'spf', 'spfStrict', 'dmarc', 'dmarcInherited', 'policyQuarantine', 'sp', 'rua'],
  },
  /** The domain is a CNAME: its TXT and MX answers come from the target. */
  alias: {
    setup(zone, d) {
      zone.add(d, 'CNAME', `target.${d}.alias.example`);
      zone.txt(`target.${d}.alias.example`, 'v=spf1 -all');
      mxHosts(zone, `target.${d}.alias.example`);
    },
    expect: ['spfPresent', 'spf', 'spfStrict', 'mx'],
  },
  /** `_dmarc` is a CNAME to a name that does not exist. */
  dangling: {
    setup(zone, d) {
      zone.add(`_dmarc.${d}`, 'CNAME', `gone.${d}.dmarc-provider.example`);
      mxHosts(zone, d);
    },
    expect: ['mx'],
  },
  /** Under a public suffix operator's psd=y record, with no organisation record. */
  publicSuffix: {
    setup() {},
    expect: ['dmarc', 'dmarcInherited', 'policyReject'],
  },
};

/** Domains of each kind per category (jp categoriser); how each category's base names look. */
export const PLAN: Record<
  string,
  { base: (kind: string, i: number) => string; kinds: Record<string, number> }
> = {
  'co.jp': {
    base: (k, i) => `${k.toLowerCase()}-${i}.co.jp`,
    kinds: {
      full: 60,
      soft: 150,
      hosted: 40,
      multiSpf: 25,
      wrongPlace: 15,
      flawed: 12,
      noPolicy: 10,
      twoDmarc: 8,
      testing: 6,
      parked: 20,
      nxdomain: 30,
      servfail: 7,
      timeout: 5,
      refused: 3,
      inherited: 40,
      alias: 12,
      dangling: 9,
    },
  },
  'go.jp': {
    base: (k, i) => `${k.toLowerCase()}-${i}.go.jp`,
    kinds: { full: 20, soft: 10, hosted: 5, parked: 12, servfail: 2, inherited: 30, nxdomain: 3 },
  },
  'lg.jp': {
    base: (k, i) => `city.${k.toLowerCase()}-${i}.tokyo.lg.jp`,
    kinds: {
      full: 15,
      soft: 200,
      noPolicy: 40,
      wrongPlace: 20,
      flawed: 25,
      timeout: 4,
      refused: 2,
      nxdomain: 60,
    },
  },
  'ac.jp': {
    base: (k, i) => `${k.toLowerCase()}-${i}.ac.jp`,
    kinds: {
      soft: 120,
      twoDmarc: 15,
      testing: 10,
      hosted: 30,
      multiSpf: 20,
      dangling: 11,
      alias: 6,
      servfail: 3,
    },
  },
  jp: {
    base: (k, i) => `${k.toLowerCase()}-${i}.jp`,
    kinds: { full: 100, soft: 420, parked: 50, wrongPlace: 20, nxdomain: 100, inherited: 25, timeout: 6 },
  },
  'tokyo.jp': {
    base: (k, i) => `${k.toLowerCase()}-${i}.tokyo.jp`,
    kinds: { full: 8, soft: 40, flawed: 5, nxdomain: 20, servfail: 1 },
  },
  'osaka.jp': {
    base: (k, i) => `${k.toLowerCase()}-${i}.kita.osaka.jp`,
    kinds: { soft: 30, noPolicy: 12, hosted: 9, nxdomain: 10 },
  },
  other: {
    base: (k, i) => `${k.toLowerCase()}-${i}.example.com`,
    kinds: { full: 30, soft: 50, nxdomain: 10 },
  },
  // Organisations under a public suffix operator that publishes psd=y (category: other).
  'other:psd': {
    base: (k, i) => `${k.toLowerCase()}-${i}.psd-operator`,
    kinds: { publicSuffix: 40, soft: 10 },
  },
};

export interface Fixture {
  zone: Zone;
  /** Every surveyed domain, in list order. */
  domains: { domain: string; kind: string; category: string }[];
}

/** The category a plan's domains get from the jp categoriser. */
const categoryOf = (plan: string) => plan.split(':')[0]!;

/** Builds the zone and the list. */
export function buildFixture(): Fixture {
  const zone = new Zone();
  zone.txt('_spf.esp.example', 'v=spf1 ip4:198.51.100.0/24 -all');
  zone.txt(
    '_dmarc.hosted.example',
    'v=DMARC1; p=quarantine; sp=reject; np=reject; rua=mailto:r@hosted.example',
  );
  zone.txt('_dmarc.psd-operator', 'v=DMARC1; p=reject; psd=y');
  const domains: Fixture['domains'] = [];
  for (const [planName, plan] of Object.entries(PLAN)) {
    const category = categoryOf(planName);
    for (const [kind, count] of Object.entries(plan.kinds)) {
      for (let i = 0; i < count; i++) {
        const base = plan.base(kind, i);
        const spec = KINDS[kind]!;
        spec.setup(zone, base);
        domains.push({ domain: spec.domain ? spec.domain(base) : base, kind, category });
      }
    }
  }
  // Interleave the kinds, as a real list would be.
  domains.sort((a, b) => hash(a.domain) - hash(b.domain));
  return { zone, domains };
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Per-category figures from the plan and the hand-written facts of each kind. */
export function expectedFigures(): Map<
  string,
  { domains: number; measured: number; flags: Record<string, number> }
> {
  const out = new Map<string, { domains: number; measured: number; flags: Record<string, number> }>();
  for (const [planName, plan] of Object.entries(PLAN)) {
    const name = categoryOf(planName);
    const entry = out.get(name) ?? { domains: 0, measured: 0, flags: {} };
    for (const [kind, count] of Object.entries(plan.kinds)) {
      const spec = KINDS[kind]!;
      entry.domains += count;
      if (spec.unmeasured) continue;
      entry.measured += count;
      for (const flag of spec.expect) entry.flags[flag] = (entry.flags[flag] ?? 0) + count;
    }
    out.set(name, entry);
  }
  return out;
}

/** A survey of `domains` (one per line) by .jp category, asking the zone server at `address`: the figures a stored or distributed scan must equal. */
export async function surveyOver(address: string, domains: string): Promise<SurveyReport> {
  const direct = new DirectResolver({ servers: parseServers(address), timeoutMs: 1000, attempts: 2 });
  try {
    return await runSurvey(readDomainList(Readable.from([domains])), {
      resolver: direct,
      resolverLabel: address,
      categories: 'jp',
      categoriser: builtInCategoriser('jp')!,
      qps: 0,
      concurrency: 16,
      retryDelayMs: 1,
    });
  } finally {
    direct.close();
  }
}

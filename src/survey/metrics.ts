import type { DomainMeasurement } from './measure.ts';

/** z for a two-sided 95% interval. */
export const Z_95 = 1.959963984540054;

export interface Interval {
  /** count / n; null when n is 0. */
  share: number | null;
  low: number | null;
  high: number | null;
}

/** Wilson score interval for k successes out of n (good for small n and shares near 0 or 1). */
export function wilson(k: number, n: number, z = Z_95): Interval {
  if (n === 0) return { share: null, low: null, high: null };
  const p = k / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At k = 0 and k = n the bound is exactly 0 (or 1); rounding must not move it past the share.
  return {
    share: p,
    low: k === 0 ? 0 : Math.max(0, centre - half),
    high: k === n ? 1 : Math.min(1, centre + half),
  };
}

/**
 * The yes/no facts counted per domain, in a fixed order (their bit in a mask). Every one
 * is counted among measured domains only.
 */
export const FLAGS = [
  'spfPresent',
  'spf',
  'spfMultiple',
  'spfStrict',
  'dmarcRecord',
  'dmarc',
  'dmarcInherited',
  'policyNone',
  'policyQuarantine',
  'policyReject',
  'rua',
  'sp',
  'np',
  'bimi',
  'mtaSts',
  'tlsRpt',
  'mx',
  'nullMx',
  // Counted only when the scan asked DKIM selectors; 0 otherwise (and in older stored scans).
  'dkim',
] as const;
export type Flag = (typeof FLAGS)[number];

const BIT = Object.fromEntries(FLAGS.map((f, i) => [f, 1 << i])) as Record<Flag, number>;
const ALL_BITS = (1 << FLAGS.length) - 1;

/** The domain's facts as a bit mask (see FLAGS). */
export function flagsOf(m: DomainMeasurement): number {
  const facts: Record<Flag, boolean> = {
    spfPresent: m.spf.records > 0,
    spf: m.spf.valid,
    spfMultiple: m.spf.records > 1,
    spfStrict: m.spf.valid && m.spf.all === '-',
    dmarcRecord: m.dmarc.records > 0,
    dmarc: m.dmarc.applies,
    dmarcInherited: m.dmarc.applies && m.dmarc.source !== 'own record',
    policyNone: m.dmarc.applies && m.dmarc.p === 'none',
    policyQuarantine: m.dmarc.applies && m.dmarc.p === 'quarantine',
    policyReject: m.dmarc.applies && m.dmarc.p === 'reject',
    rua: m.dmarc.rua === true,
    sp: m.dmarc.sp === true,
    np: m.dmarc.np === true,
    bimi: m.bimi,
    mtaSts: m.mtaSts,
    tlsRpt: m.tlsRpt,
    mx: m.mx === 'hosts',
    nullMx: m.mx === 'null',
    dkim: (m.dkim?.selectors.length ?? 0) > 0,
  };
  let mask = 0;
  for (const f of FLAGS) if (facts[f]) mask |= BIT[f];
  return mask;
}

/** Counts for one group (a category, or the organisations in it). */
export class Counts {
  /** Domains (or organisations). */
  total = 0;
  measured = 0;
  readonly flags = new Array<number>(FLAGS.length).fill(0);

  add(measured: boolean, mask: number): void {
    this.total++;
    if (!measured) return;
    this.measured++;
    for (let i = 0; i < FLAGS.length; i++) if (mask & (1 << i)) this.flags[i]!++;
  }

  count(flag: Flag): number {
    return this.flags[FLAGS.indexOf(flag)]!;
  }
}

export type OrganisationRule = 'any' | 'all';

interface OrganisationState {
  domains: number;
  unmeasured: number;
  any: number;
  all: number;
}

/** Everything a survey counts, per category, built one domain at a time. */
export class SurveyTally {
  readonly domains = new Map<string, Counts>();
  readonly total = new Counts();
  /** Organisation state per category (only what the count needs: a few numbers each). */
  private readonly organisations = new Map<string, Map<string, OrganisationState>>();
  unmeasured = 0;

  add(m: DomainMeasurement): void {
    this.addFacts(m.category, m.organisation, m.measured, m.measured ? flagsOf(m) : 0);
  }

  /** Counts a domain from its facts alone (a stored result): the same as `add` of its measurement. */
  addFacts(category: string, organisation: string | undefined, measured: boolean, mask: number): void {
    let counts = this.domains.get(category);
    if (!counts) {
      counts = new Counts();
      this.domains.set(category, counts);
    }
    counts.add(measured, mask);
    this.total.add(measured, mask);
    if (!measured) this.unmeasured++;
    if (organisation === undefined) return;
    let orgs = this.organisations.get(category);
    if (!orgs) {
      orgs = new Map();
      this.organisations.set(category, orgs);
    }
    let org = orgs.get(organisation);
    if (!org) {
      org = { domains: 0, unmeasured: 0, any: 0, all: ALL_BITS };
      orgs.set(organisation, org);
    }
    org.domains++;
    if (!measured) org.unmeasured++;
    else {
      org.any |= mask;
      org.all &= mask;
    }
  }

  /**
   * Organisation counts for a category: an organisation is measured when all its domains
   * are; it has a record when any (or, with `all`, every one) of its domains has it.
   */
  organisationCounts(category: string, rule: OrganisationRule): Counts | undefined {
    const orgs = this.organisations.get(category);
    if (!orgs) return undefined;
    const counts = new Counts();
    for (const org of orgs.values()) counts.add(org.unmeasured === 0, rule === 'any' ? org.any : org.all);
    return counts;
  }

  get hasOrganisations(): boolean {
    return this.organisations.size > 0;
  }
}

import { CachingResolver } from '../../dns/caching-resolver.ts';
import {
  type DnsResult,
  type DnsStatus,
  isTemporary,
  type Resolver,
  type RRType,
  type TxtRecord,
} from '../../dns/types.ts';
import { type DmarcLint, lintDmarcRecord } from '../../records/dmarc/lint.ts';
import type { PsdFlag } from '../../records/dmarc/tags.ts';
import { type ClassifiedTxt, classifyDmarcTxt } from '../../records/dmarc/text.ts';
import {
  selectOrgDomain,
  stopsWalk,
  treeWalkDomains,
  type WalkRecord,
} from '../../records/dmarc/tree-walk.ts';
import { pslOrgDomain } from '../../records/org-domain.ts';

/** Asks the DNS, never twice the same question within one check. */
export type Ask = <T extends RRType>(name: string, type: T) => Promise<DnsResult<T>>;

export function memoAsk(resolver: Resolver): Ask {
  const cache = new CachingResolver(resolver);
  return (name, type) => cache.lookup(name, type);
}

/** Longest name the DNS can carry (RFC 1035 s2.3.4, without the trailing dot). */
export const MAX_DNS_NAME_LENGTH = 253;

export type DiscoveryMethod = 'tree walk' | 'psl';

/** One TXT record at a `_dmarc` name, with what it is. */
export interface DmarcTxt {
  txt: TxtRecord;
  classified: ClassifiedTxt;
  /** For DMARC-looking records: the parse (read without context; psd decides the walk). */
  lint?: DmarcLint;
}

/** The answer at one `_dmarc.<domain>` name. */
export interface DmarcLocation {
  domain: string;
  /** `_dmarc.<domain>` */
  name: string;
  status: DnsStatus;
  cnames: string[];
  error?: string;
  entries: DmarcTxt[];
  /** How many records receivers accept as DMARC records here (more than one: all discarded). */
  accepted: number;
  /** The record receivers use at this name: exactly one accepted record. */
  record?: { entry: DmarcTxt; psd: PsdFlag };
}

export async function lookupDmarc(domain: string, ask: Ask): Promise<DmarcLocation> {
  const name = `_dmarc.${domain}`;
  if (name.length > MAX_DNS_NAME_LENGTH) {
    // Nobody can publish or query a record here; it is as absent for receivers as for us.
    return {
      domain,
      name,
      status: 'nxdomain',
      cnames: [],
      error: 'name longer than 253 characters',
      entries: [],
      accepted: 0,
    };
  }
  const result = await ask(name, 'TXT');
  const entries = result.records.map((txt): DmarcTxt => {
    const classified = classifyDmarcTxt(txt.text);
    return classified.kind === 'dmarc' || classified.kind === 'dmarc-flawed'
      ? { txt, classified, lint: lintDmarcRecord(txt.text) }
      : { txt, classified };
  });
  const accepted = entries.filter((e) => e.classified.kind === 'dmarc');
  const location: DmarcLocation = {
    domain,
    name,
    status: result.status,
    cnames: result.cnames,
    entries,
    accepted: accepted.length,
  };
  if (result.error !== undefined) location.error = result.error;
  if (accepted.length === 1) {
    const entry = accepted[0]!;
    location.record = { entry, psd: entry.lint?.record?.tags.psd.value ?? 'u' };
  }
  return location;
}

export interface DmarcDiscovery {
  domain: string;
  method: DiscoveryMethod;
  /** Every `_dmarc` name asked, in order; the first is the domain's own. */
  locations: DmarcLocation[];
  /** The names whose lookup failed temporarily. */
  failures: DmarcLocation[];
  /** RFC 9989 s4.10.2 (tree walk) or RFC 7489 (public suffix list) organisational domain. */
  orgDomain: string;
  /** False when a failed lookup may have hidden a record that changes the organisational domain. */
  orgDomainCertain: boolean;
  /** The record that applies to the domain's mail, and how it was found. */
  policy?: {
    location: DmarcLocation;
    source: 'own record' | 'tree walk' | 'psl';
    /** The record is a public suffix operator's (psd=y), used because the organisation has none. */
    fromPublicSuffix: boolean;
  };
  /** False when a failed lookup leaves the applicable record unknown. */
  policyCertain: boolean;
}

/**
 * RFC 9989 s4.10.1 policy discovery: the domain's own record, else the organisational
 * domain's (found by the tree walk, which also runs when the domain has its own record,
 * because the organisational domain decides alignment and subdomain policies), else the
 * public suffix domain's (psd=y). With method `psl`, RFC 7489: own record, else the
 * record of the public-suffix-list organisational domain.
 * NXDOMAIN and NODATA both mean "nothing here" and the walk goes on; a temporary failure
 * is remembered, and makes the outcome uncertain rather than missing.
 */
export async function discoverDmarc(
  domain: string,
  ask: Ask,
  method: DiscoveryMethod,
): Promise<DmarcDiscovery> {
  return method === 'psl' ? discoverPsl(domain, ask) : discoverTreeWalk(domain, ask);
}

async function discoverTreeWalk(domain: string, ask: Ask): Promise<DmarcDiscovery> {
  const locations: DmarcLocation[] = [];
  const found: WalkRecord[] = [];
  for (const target of treeWalkDomains(domain)) {
    const location = await lookupDmarc(target, ask);
    locations.push(location);
    if (location.record) {
      found.push({ domain: target, psd: location.record.psd });
      if (stopsWalk(location.record.psd)) break;
    }
  }
  const failures = locations.filter((l) => isTemporary(l.status));
  const orgDomain = selectOrgDomain(domain, found);
  const own = locations[0]!;
  const discovery: DmarcDiscovery = {
    domain,
    method: 'tree walk',
    locations,
    failures,
    orgDomain,
    orgDomainCertain: failures.length === 0,
    policyCertain: !isTemporary(own.status) && (own.record !== undefined || failures.length === 0),
  };
  if (own.record) {
    discovery.policy = { location: own, source: 'own record', fromPublicSuffix: false };
    return discovery;
  }
  const org = locations.find((l) => l.domain === orgDomain && l.record);
  if (org) {
    discovery.policy = { location: org, source: 'tree walk', fromPublicSuffix: false };
    return discovery;
  }
  const psd = locations.find((l) => l.domain !== domain && l.record?.psd === 'y');
  if (psd) discovery.policy = { location: psd, source: 'tree walk', fromPublicSuffix: true };
  return discovery;
}

async function discoverPsl(domain: string, ask: Ask): Promise<DmarcDiscovery> {
  const orgDomain = pslOrgDomain(domain) ?? domain;
  const own = await lookupDmarc(domain, ask);
  const locations = [own];
  if (!own.record && !isTemporary(own.status) && orgDomain !== domain)
    locations.push(await lookupDmarc(orgDomain, ask));
  const failures = locations.filter((l) => isTemporary(l.status));
  const discovery: DmarcDiscovery = {
    domain,
    method: 'psl',
    locations,
    failures,
    orgDomain,
    orgDomainCertain: true,
    policyCertain: failures.length === 0,
  };
  const source = locations.find((l) => l.record);
  if (source) {
    discovery.policy = {
      location: source,
      source: source === own ? 'own record' : 'psl',
      fromPublicSuffix: false,
    };
  }
  return discovery;
}

export interface OrgDomainDiscovery {
  domain: string;
  /** The organisational domain (best determination when status is dns-error). */
  orgDomain: string;
  method: DiscoveryMethod;
  /** dns-error: a lookup failed and a record it might have returned could change the answer. */
  status: 'ok' | 'dns-error';
  /** `_dmarc` names asked, in order. */
  queried: string[];
}

/**
 * The organisational domain of any name (RFC 9989 s4.10.2 tree walk by default; RFC 7489
 * public suffix list with method `psl`), for relaxed alignment (reports, BIMI, auth).
 * Give a caching resolver when asking for many names of one organisation.
 */
export async function discoverOrgDomain(
  domain: string,
  resolver: Resolver,
  options: { discovery?: 'treewalk' | 'psl' } = {},
): Promise<OrgDomainDiscovery> {
  const name = domain.trim().toLowerCase().replace(/\.$/, '');
  const method: DiscoveryMethod = options.discovery === 'psl' ? 'psl' : 'tree walk';
  if (method === 'psl') {
    return { domain: name, orgDomain: pslOrgDomain(name) ?? name, method, status: 'ok', queried: [] };
  }
  const discovery = await discoverTreeWalk(name, memoAsk(resolver));
  return {
    domain: name,
    orgDomain: discovery.orgDomain,
    method,
    status: discovery.orgDomainCertain ? 'ok' : 'dns-error',
    queried: discovery.locations.map((l) => l.name),
  };
}

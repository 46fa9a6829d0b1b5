import { getDomain, getPublicSuffix } from 'tldts';

/**
 * RFC 7489 organisational domain: the public suffix plus one label, from the Public Suffix
 * List's ICANN section (tldts embeds a maintained copy). Used for receivers that still
 * follow RFC 7489, and where a name must be compared "by organisation" without DNS.
 * Returns undefined for a bare public suffix or an IP address.
 */
export function pslOrgDomain(domain: string): string | undefined {
  return getDomain(domain, { allowPrivateDomains: false }) ?? undefined;
}

export function publicSuffix(domain: string): string | undefined {
  return getPublicSuffix(domain, { allowPrivateDomains: false }) ?? undefined;
}

/** True when both names have the same RFC 7489 organisational domain. */
export function sameOrganisation(a: string, b: string): boolean {
  const oa = pslOrgDomain(a);
  return oa !== undefined && oa === pslOrgDomain(b);
}

import ipaddr from 'ipaddr.js';
import { type DnsStatus, isTemporary, type Resolver } from '../../dns/types.ts';
import { pslOrgDomain } from '../../records/org-domain.ts';
import { canonicalIp } from '../../reports/ip.ts';

/** PTR names checked for forward confirmation; an IP with more is rare and the rest are ignored. */
export const MAX_PTR_NAMES_CONFIRMED = 4;

/** What reverse DNS said about one IP. */
export interface ReverseLookup {
  ip: string;
  /** `ok`: a PTR name; `none`: definitely none (NXDOMAIN/NODATA); `temporary`: could not ask, try again. */
  status: 'ok' | 'none' | 'temporary';
  /** The DNS outcome that decided the status (the forward lookup's when that one failed). */
  dnsStatus: DnsStatus;
  /** The first forward-confirmed PTR name, else the first name; lower case, no trailing dot. */
  ptr: string | null;
  ptrConfirmed: boolean;
  ptrOrgDomain: string | null;
  /** Least TTL of the answers used, when known. */
  ttl?: number;
  error?: string;
}

/** The name reverse DNS asks for an IP (`2.0.192.in-addr.arpa` style; nibbles under ip6.arpa). */
export function reverseName(ip: string): string {
  const address = ipaddr.parse(ip);
  if (address.kind() === 'ipv4') return `${address.toByteArray().reverse().join('.')}.in-addr.arpa`;
  const nibbles = address
    .toByteArray()
    .flatMap((byte) => [byte >> 4, byte & 15])
    .map((n) => n.toString(16));
  return `${nibbles.reverse().join('.')}.ip6.arpa`;
}

/**
 * Forward-confirmed reverse DNS: the PTR names of `ip`, and whether one of them resolves back to
 * it (A for IPv4, AAAA for IPv6). A temporary failure stays temporary: never "no PTR", and a
 * name whose forward lookup could not be asked is not called unconfirmed for good.
 */
export async function lookupReverse(ipText: string, resolver: Resolver): Promise<ReverseLookup> {
  const ip = canonicalIp(ipText);
  if (ip === null) throw new RangeError(`"${ipText}" is not an IP address`);
  const answer = await resolver.lookup(reverseName(ip), 'PTR');
  const base = { ip, ptr: null, ptrConfirmed: false, ptrOrgDomain: null };
  if (answer.status !== 'ok') {
    return {
      ...base,
      status: isTemporary(answer.status) ? 'temporary' : 'none',
      dnsStatus: answer.status,
      ...(answer.error ? { error: answer.error } : {}),
    };
  }
  const names = [...new Set(answer.records)].filter((n) => n !== '').slice(0, MAX_PTR_NAMES_CONFIRMED);
  if (names.length === 0) return { ...base, status: 'none', dnsStatus: 'nodata' };
  const family = ip.includes(':') ? 'AAAA' : 'A';
  const forward = await Promise.all(names.map((name) => resolver.lookup(name, family)));
  const ttls = [answer.ttl, ...forward.map((f) => f.ttl)].filter((t): t is number => t !== undefined);
  const confirmedAt = forward.findIndex(
    (f) => f.status === 'ok' && f.records.some((r) => canonicalIp(r) === ip),
  );
  const ptr = names[confirmedAt === -1 ? 0 : confirmedAt]!;
  const failed = forward.find((f) => isTemporary(f.status));
  const found = {
    ip,
    ptr,
    ptrConfirmed: confirmedAt !== -1,
    ptrOrgDomain: pslOrgDomain(ptr) ?? null,
    ...(ttls.length > 0 ? { ttl: Math.min(...ttls) } : {}),
  };
  if (confirmedAt === -1 && failed) {
    return {
      ...found,
      status: 'temporary',
      dnsStatus: failed.status,
      ...(failed.error ? { error: failed.error } : {}),
    };
  }
  return { ...found, status: 'ok', dnsStatus: 'ok' };
}

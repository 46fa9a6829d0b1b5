import ipaddr from 'ipaddr.js';

/**
 * ip4-network and ip6-network of RFC 7208 s5.6. IPv4 is checked against the ABNF itself
 * (qnum: no leading zeros, no short forms); IPv6 follows RFC 4291 s2.2, without zone ids.
 */

const QNUM = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9][0-9]|[0-9])';
const IP4 = new RegExp(`^${QNUM}(?:\\.${QNUM}){3}$`);
const IP6_CHARS = /^[0-9A-Fa-f:.]+$/;

export function isIp4Network(text: string): boolean {
  return IP4.test(text);
}

export function isIp6Network(text: string): boolean {
  if (!IP6_CHARS.test(text) || !ipaddr.IPv6.isValid(text)) return false;
  // An embedded IPv4 tail must be a strict dotted quad too.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  return !tail.includes('.') || IP4.test(tail);
}

/** Prefix lengths under these are flagged as authorising a very large address space. */
export const SPF_BROAD_IP4_PREFIX = 8;
export const SPF_BROAD_IP6_PREFIX = 24;

const UNROUTABLE: ReadonlySet<string> = new Set([
  'private',
  'loopback',
  'linkLocal',
  'uniqueLocal',
  'carrierGradeNat',
  'unspecified',
  'multicast',
  'broadcast',
]);

/**
 * The address block a valid ip4/ip6 network falls in when mail from it can never reach a
 * receiver on the internet (private, loopback, link-local ...); undefined for public ones.
 */
export function unroutableRange(network: string): string | undefined {
  let address = ipaddr.parse(network);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    address = (address as ipaddr.IPv6).toIPv4Address();
  }
  const range = address.range();
  return UNROUTABLE.has(range) ? range : undefined;
}

import { isIPv4, isIPv6 } from 'node:net';

/**
 * The canonical text form of an IP address, so that the same source compares equal across
 * reporters: IPv4 as a plain dotted quad, IPv4-mapped IPv6 (`::ffff:192.0.2.1`) as IPv4, other
 * IPv6 per RFC 5952 (lower case, no leading zeros, longest zero run as `::`). Null when the text
 * is not an IP address.
 */
export function canonicalIp(text: string): string | null {
  let value = text.trim();
  if (value.startsWith('[') && value.endsWith(']')) value = value.slice(1, -1);
  // A zone ID (`fe80::1%eth0`) names an interface of the reporter's host: meaningless here.
  value = value.replace(/%[^%]*$/, '');
  if (isIPv4(value)) return value;
  const quad = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(value);
  if (quad) {
    // Zero-padded octets ("192.000.002.001"): read as decimal, which is what reporters mean.
    const octets = quad.slice(1).map(Number);
    return octets.every((octet) => octet <= 255) ? octets.join('.') : null;
  }
  if (!isIPv6(value)) return null;
  const groups = ipv6Groups(value);
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (mapped) {
    const [hi = 0, lo = 0] = groups.slice(6);
    return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
  }
  return formatIpv6(groups);
}

/** Eight 16-bit groups of a valid IPv6 address without zone ID. */
function ipv6Groups(value: string): number[] {
  let text = value.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted[1].split('.').map(Number);
    text = `${text.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((g) => Number.parseInt(g, 16));
}

function formatIpv6(groups: number[]): string {
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  // RFC 5952 4.2.2: a single zero group is not shortened to "::".
  if (bestLength < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

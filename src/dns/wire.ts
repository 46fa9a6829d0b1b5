import type { Answer, Packet } from 'dns-packet';
import { decodeTxt } from './txt.ts';
import type { DnsResult, DnsStatus, RecordOf, RRType } from './types.ts';
import { normalizeName } from './types.ts';

/**
 * Reading DNS answers off the wire: the parts shared by the direct resolver (client side)
 * and the zone server (which encodes what the resolver decodes).
 */

/** Splits RDATA made of <character-string>s (TXT, and SPF which dns-packet leaves raw). */
export function characterStrings(rdata: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  while (i < rdata.length) {
    const len = rdata[i]!;
    out.push(rdata.subarray(i + 1, i + 1 + len));
    i += 1 + len;
  }
  return out;
}

export function encodeCharacterStrings(strings: readonly Buffer[]): Buffer {
  return Buffer.concat(strings.flatMap((s) => [Buffer.from([s.length]), s]));
}

export interface Interpreted<T extends RRType> {
  result: DnsResult<T>;
  /** The chain ended in a CNAME whose target the answer did not cover: ask the target. */
  chaseTarget?: string;
}

/** Turns a response packet into a result: follows the CNAME chain from the question name. */
export function interpret<T extends RRType>(qname: string, type: T, packet: Packet): Interpreted<T> {
  const name = normalizeName(qname);
  const base = { name, type, records: [] as RecordOf[T][], cnames: [] as string[] };
  const rcode = (packet as { rcode?: string }).rcode ?? 'NOERROR';
  const authenticated = ((packet.flags ?? 0) & AUTHENTIC_DATA) !== 0;
  if (rcode === 'SERVFAIL') return { result: { ...base, status: 'servfail' } };
  if (rcode === 'REFUSED') return { result: { ...base, status: 'refused' } };
  if (rcode !== 'NOERROR' && rcode !== 'NXDOMAIN') {
    return { result: { ...base, status: 'servfail', error: `server answered ${rcode}` } };
  }
  const answers = (packet.answers ?? []) as Answer[];
  const cnames: string[] = [];
  const seen = new Set<string>([name]);
  let current = name;
  for (;;) {
    const alias =
      type === 'CNAME'
        ? undefined
        : answers.find((a) => a.type === 'CNAME' && normalizeName(a.name) === current);
    if (!alias) break;
    const target = normalizeName((alias as { data: string }).data);
    cnames.push(target);
    if (seen.has(target)) {
      return { result: { ...base, cnames, status: 'servfail', error: `CNAME loop at ${target}` } };
    }
    seen.add(target);
    current = target;
  }
  const matching = answers.filter((a) => a.type === type && normalizeName(a.name) === current);
  const records = matching.map((a) => decodeData(type, a));
  let status: DnsStatus;
  if (rcode === 'NXDOMAIN') status = 'nxdomain';
  else status = records.length > 0 ? 'ok' : 'nodata';
  const result: DnsResult<T> = { ...base, cnames, records, status };
  if (authenticated) result.authenticated = true;
  const ttls = matching.map((a) => (a as { ttl?: number }).ttl).filter((t) => t !== undefined);
  if (ttls.length > 0) result.ttl = Math.min(...ttls);
  const chaseTarget = status === 'nodata' && cnames.length > 0 ? current : undefined;
  return chaseTarget ? { result, chaseTarget } : { result };
}

function decodeData<T extends RRType>(type: T, answer: Answer): RecordOf[T] {
  const data = (answer as { data: unknown }).data;
  switch (type) {
    case 'TXT':
      return decodeTxt(
        (data as (Buffer | string)[]).map((d) => (typeof d === 'string' ? Buffer.from(d) : d)),
      ) as RecordOf[T];
    case 'SPF':
      return decodeTxt(characterStrings(data as Buffer)) as RecordOf[T];
    case 'MX': {
      const mx = data as { preference: number; exchange: string };
      return { preference: mx.preference, exchange: normalizeName(mx.exchange) } as RecordOf[T];
    }
    case 'PTR':
    case 'CNAME':
    case 'NS':
      return normalizeName(data as string) as RecordOf[T];
    case 'TLSA': {
      const t = data as { usage: number; selector: number; matchingType: number; certificate: Buffer };
      return {
        usage: t.usage,
        selector: t.selector,
        matchingType: t.matchingType,
        data: t.certificate.toString('hex'),
      } as RecordOf[T];
    }
    case 'SOA': {
      const s = data as RecordOf['SOA'];
      return { ...s, mname: normalizeName(s.mname), rname: normalizeName(s.rname) } as RecordOf[T];
    }
    default:
      return data as RecordOf[T];
  }
}

/** dns-packet flag bits (RFC 1035 / RFC 4035). */
export const RECURSION_DESIRED = 1 << 8;
export const RECURSION_AVAILABLE = 1 << 7;
export const TRUNCATED_RESPONSE = 1 << 9;
export const AUTHORITATIVE_ANSWER = 1 << 10;
export const AUTHENTIC_DATA = 1 << 5;

/** EDNS buffer size both sides advertise (DNS Flag Day 2020). */
export const EDNS_UDP_SIZE = 1232;

/** The EDNS(0) OPT pseudo-record both sides send. */
export const EDNS_OPT: Answer = {
  type: 'OPT',
  name: '.',
  udpPayloadSize: EDNS_UDP_SIZE,
  extendedRcode: 0,
  ednsVersion: 0,
  flags: 0,
  flag_do: false,
  options: [],
};

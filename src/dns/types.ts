/** Record types Sumi asks for. `SPF` is RR type 99, obsolete but still checked for. */
export type RRType = 'A' | 'AAAA' | 'MX' | 'TXT' | 'SPF' | 'PTR' | 'CNAME' | 'NS' | 'SOA' | 'TLSA';

/**
 * How a question ended. `ok`, `nxdomain` and `nodata` are definite answers; `servfail`,
 * `timeout` and `refused` mean "could not ask" and must never be reported as a missing record.
 */
export type DnsStatus = 'ok' | 'nxdomain' | 'nodata' | 'servfail' | 'timeout' | 'refused';

export interface TxtRecord {
  /** The character-strings joined with nothing between them (RFC 7208 s3.3). */
  text: string;
  /** Each character-string as received, decoded. */
  strings: string[];
  /** Byte length of each character-string (for the 255-byte checks). */
  lengths: number[];
  /** Set when a string was not valid UTF-8; it is then decoded as Latin-1. */
  invalidUtf8?: true;
}

export interface MxRecord {
  preference: number;
  /** Lower case, no trailing dot; `""` for the null MX (RFC 7505 "."). */
  exchange: string;
}

export interface SoaRecord {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

export interface TlsaRecord {
  usage: number;
  selector: number;
  matchingType: number;
  /** Hex. */
  data: string;
}

export interface RecordOf {
  A: string;
  AAAA: string;
  MX: MxRecord;
  TXT: TxtRecord;
  SPF: TxtRecord;
  PTR: string;
  CNAME: string;
  NS: string;
  SOA: SoaRecord;
  TLSA: TlsaRecord;
}

export interface DnsResult<T extends RRType = RRType> {
  /** The name asked, lower case, no trailing dot. */
  name: string;
  type: T;
  status: DnsStatus;
  /** Records of the asked type at the end of the CNAME chain (empty unless status is ok). */
  records: RecordOf[T][];
  /** CNAME targets followed, in order, when the name was an alias. */
  cnames: string[];
  /** Seconds the records may be cached: the least TTL among them. Undefined when unknown or none. */
  ttl?: number;
  /** The resolver set AD: the answer was DNSSEC-validated. Undefined when unknown. */
  authenticated?: boolean;
  /** Why a temporary failure happened, for people (e.g. "CNAME loop", "no answer from 127.0.0.1:53"). */
  error?: string;
}

/** Answers DNS questions. Every network lookup in Sumi goes through one of these. */
export interface Resolver {
  lookup<T extends RRType>(name: string, type: T): Promise<DnsResult<T>>;
}

/** True for "could not ask" outcomes (never a missing record). */
export function isTemporary(status: DnsStatus): boolean {
  return status === 'servfail' || status === 'timeout' || status === 'refused';
}

/** True when the name answered definitely that it holds no such record. */
export function isAbsent(status: DnsStatus): boolean {
  return status === 'nxdomain' || status === 'nodata';
}

/** Lower case, no trailing dot: the form every name is compared and cached in. */
export function normalizeName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

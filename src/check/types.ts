import type { DnsStatus, Resolver } from '../dns/types.ts';
import type { Fetcher } from '../http/types.ts';
import type { Protocol } from '../i18n/catalog.ts';
import type { Finding } from '../records/finding.ts';

export interface CheckOptions {
  /** DKIM selectors to look at; the common ones when absent. */
  selectors?: string[];
  /** BIMI selector (default "default"). */
  bimiSelector?: string;
  /** The domain sends no mail: SPF must be "v=spf1 -all", DMARC p=reject, no MX expected. */
  parked?: boolean;
  /** DMARC policy discovery: RFC 9989 DNS tree walk (default) or RFC 7489 public-suffix org domain. */
  discovery?: 'treewalk' | 'psl';
  /** Time of the check (certificate validity, key expiry). */
  now?: Date;
}

/** Everything a protocol check needs from outside: all I/O goes through these. */
export interface CheckContext {
  resolver: Resolver;
  fetcher: Fetcher;
  options: CheckOptions;
}

/** One DNS record (or fetched file) a check looked at, and where it was. */
export interface FoundRecord {
  /** DNS name asked (or URL fetched). */
  name: string;
  type: string;
  /** The record text (TXT strings joined). */
  text: string;
  /** TXT character-strings as published, when more than one. */
  strings?: string[];
  /** CNAMEs followed to reach it. */
  cnames?: string[];
}

/** A record Sumi wrote to replace or add to what is published. */
export interface SuggestedRecord {
  name: string;
  type: 'TXT' | 'MX' | 'CNAME';
  value: string;
}

/** The outcome of one protocol for one domain. */
export interface ProtocolReport<Parsed = unknown> {
  protocol: Protocol;
  /** ok: valid record(s); missing: definitely none; invalid: present but broken; dns-error: could not ask. */
  status: 'ok' | 'missing' | 'invalid' | 'dns-error' | 'not-checked';
  /** DNS status of the main question, when one was asked. */
  dns?: DnsStatus;
  records: FoundRecord[];
  /** The record's meaning with defaults made explicit (per protocol). */
  parsed?: Parsed;
  findings: Finding[];
  suggested?: SuggestedRecord[];
}

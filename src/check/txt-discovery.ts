import type { DnsResult, Resolver, TxtRecord } from '../dns/types.ts';
import { isTemporary } from '../dns/types.ts';
import type { FindingCode } from '../records/finding.ts';
import { type Finding, finding } from '../records/finding.ts';
import type { FoundRecord } from './types.ts';

/**
 * Finding the one versioned TXT record at an underscore name, the way MTA-STS (RFC 8461
 * s3.1) and TLS-RPT (RFC 8460 s3) senders do: records not starting with the version are
 * discarded, and anything other than exactly one remaining record means "no policy".
 */

/**
 * Records of one name parsed at most: more than one is already an error, and a hostile zone
 * can answer with hundreds (each would add its own findings).
 */
export const MAX_TXT_CANDIDATES = 10;

export interface DiscoveryCodes {
  dnsError: FindingCode;
  multiple: FindingCode;
  unrelated: FindingCode;
  spf: FindingCode;
  atApex: FindingCode;
}

export interface TxtDiscovery {
  result: DnsResult<'TXT'>;
  /** Records claiming to be the protocol's (including broken near misses), at most MAX_TXT_CANDIDATES. */
  candidates: TxtRecord[];
  /** Set when no candidate exists and the domain itself publishes one (it has no effect there). */
  apexRecord?: TxtRecord;
  findings: Finding[];
  records: FoundRecord[];
}

export async function discoverTxt(
  resolver: Resolver,
  domain: string,
  name: string,
  isCandidate: (text: string) => boolean,
  codes: DiscoveryCodes,
): Promise<TxtDiscovery> {
  const result = await resolver.lookup(name, 'TXT');
  const out: TxtDiscovery = { result, candidates: [], findings: [], records: [] };
  if (isTemporary(result.status)) {
    const args = result.error
      ? { name, status: result.status, error: result.error }
      : { name, status: result.status };
    out.findings.push(finding(codes.dnsError, args, { where: name }));
    return out;
  }
  const spf: TxtRecord[] = [];
  let unrelated = 0;
  for (const txt of result.records) {
    if (isCandidate(txt.text)) out.candidates.push(txt);
    else if (/^[ \t]*v=spf1(?:[ \t]|$)/i.test(txt.text)) spf.push(txt);
    else unrelated++;
  }
  if (out.candidates.length > 1) {
    out.findings.push(finding(codes.multiple, { name, count: out.candidates.length }, { where: name }));
  }
  out.candidates = out.candidates.slice(0, MAX_TXT_CANDIDATES);
  for (const txt of out.candidates) out.records.push(foundRecord(name, txt, result.cnames));
  for (const txt of spf) out.findings.push(finding(codes.spf, { name }, { where: name, record: txt.text }));
  if (unrelated > 0) out.findings.push(finding(codes.unrelated, { name, count: unrelated }, { where: name }));

  if (out.candidates.length === 0) {
    // Asked only when the record is missing: a record at the apex is a common misplacement.
    const apex = await resolver.lookup(domain, 'TXT');
    const misplaced = apex.records.find((t) => isCandidate(t.text));
    if (misplaced) {
      out.apexRecord = misplaced;
      out.records.push(foundRecord(domain, misplaced, apex.cnames));
      out.findings.push(finding(codes.atApex, { domain, name }, { where: domain, record: misplaced.text }));
    }
  }
  return out;
}

export function foundRecord(name: string, txt: TxtRecord, cnames: string[]): FoundRecord {
  const record: FoundRecord = { name, type: 'TXT', text: txt.text };
  if (txt.strings.length > 1) record.strings = txt.strings;
  if (cnames.length > 0) record.cnames = cnames;
  return record;
}

/** Adds where and record to findings a pure parser produced. */
export function locate(findings: Finding[], where: string, record?: string): Finding[] {
  return findings.map((f) => {
    const out: Finding = { ...f, where };
    if (record !== undefined) out.record = record;
    return out;
  });
}

import { isTemporary, type TxtRecord } from '../../dns/types.ts';
import type { DmarcRecord } from '../../records/dmarc/lint.ts';
import { classifyDmarcTxt } from '../../records/dmarc/text.ts';
import { type Finding, finding } from '../../records/finding.ts';
import { sameOrganisation } from '../../records/org-domain.ts';
import type { FoundRecord } from '../types.ts';
import { type Ask, MAX_DNS_NAME_LENGTH } from './discovery.ts';

/**
 * Report destinations are attacker-chosen names: Sumi checks at most this many distinct
 * hosts per record (each costs an MX and up to two TXT lookups).
 */
export const MAX_REPORT_HOSTS_CHECKED = 8;

interface Destination {
  host: string;
  tags: Set<'rua' | 'ruf'>;
  /** A mailto address at this host, when there is one. */
  address?: string;
}

/**
 * What the DNS says about a record's report destinations: that each mailto domain can
 * receive mail (MX), and that destinations outside the organisation agreed to receive
 * reports for `policyDomain` (RFC 9990 s3: `<policyDomain>._report._dmarc.<host>`, or the
 * `*._report._dmarc.<host>` wildcard asked explicitly, since a name below it may exist).
 */
export async function checkReportDestinations(
  record: DmarcRecord,
  policyDomain: string,
  orgDomain: string,
  ask: Ask,
): Promise<{ findings: Finding[]; records: FoundRecord[] }> {
  const destinations = new Map<string, Destination>();
  for (const tag of ['rua', 'ruf'] as const) {
    for (const uri of record.tags[tag].value) {
      if (uri.host === undefined || uri.uri === undefined) continue;
      let d = destinations.get(uri.host);
      if (!d) {
        if (destinations.size >= MAX_REPORT_HOSTS_CHECKED) continue;
        d = { host: uri.host, tags: new Set() };
        destinations.set(uri.host, d);
      }
      d.tags.add(tag);
      if (uri.address !== undefined && d.address === undefined) d.address = uri.address;
    }
  }
  const results = await Promise.all(
    [...destinations.values()].map(async (d) => {
      const findings: Finding[] = [];
      const records: FoundRecord[] = [];
      await Promise.all([
        d.address !== undefined ? checkMx(d, ask, findings) : undefined,
        isExternal(d.host, policyDomain, orgDomain)
          ? checkAuthorisation(d, policyDomain, ask, findings, records)
          : undefined,
      ]);
      return { findings, records };
    }),
  );
  return { findings: results.flatMap((r) => r.findings), records: results.flatMap((r) => r.records) };
}

/** Reports to the organisation's own names need no authorisation (RFC 9990 s3). */
function isExternal(host: string, policyDomain: string, orgDomain: string): boolean {
  if (host === orgDomain || host.endsWith(`.${orgDomain}`)) return false;
  return !sameOrganisation(host, policyDomain);
}

async function checkMx(d: Destination, ask: Ask, findings: Finding[]): Promise<void> {
  const result = await ask(d.host, 'MX');
  const tag = [...d.tags].join(', ');
  if (isTemporary(result.status)) {
    findings.push(
      finding(
        'dmarc-dns-error',
        { name: d.host, type: 'MX', status: result.status, error: result.error, during: 'report-mx' },
        { where: d.host },
      ),
    );
    return;
  }
  const reason =
    result.status === 'nxdomain'
      ? 'nxdomain'
      : result.records.length === 0
        ? 'no-mx'
        : result.records.every((mx) => mx.exchange === '')
          ? 'null-mx'
          : undefined;
  if (reason)
    findings.push(
      finding(
        'dmarc-report-domain-no-mx',
        { tag, address: d.address, host: d.host, reason },
        { where: d.host },
      ),
    );
}

async function checkAuthorisation(
  d: Destination,
  policyDomain: string,
  ask: Ask,
  findings: Finding[],
  records: FoundRecord[],
): Promise<void> {
  const name = `${policyDomain}._report._dmarc.${d.host}`;
  const unauthorised = (reason: 'missing' | 'name-too-long') => {
    for (const tag of d.tags) {
      findings.push(
        finding(
          tag === 'rua' ? 'dmarc-external-rua-unauthorized' : 'dmarc-external-ruf-unauthorized',
          { domain: policyDomain, host: d.host, name, reason },
          { where: name },
        ),
      );
    }
  };
  if (name.length > MAX_DNS_NAME_LENGTH) {
    unauthorised('name-too-long');
    return;
  }
  for (const asked of [name, `*._report._dmarc.${d.host}`]) {
    const result = await ask(asked, 'TXT');
    if (isTemporary(result.status)) {
      findings.push(
        finding(
          'dmarc-dns-error',
          {
            name: asked,
            type: 'TXT',
            status: result.status,
            error: result.error,
            during: 'report-authorization',
          },
          { where: asked },
        ),
      );
      return;
    }
    const confirming = result.records.filter((t: TxtRecord) => classifyDmarcTxt(t.text).kind === 'dmarc');
    if (confirming.length > 0) {
      for (const t of confirming) records.push(found(asked, t, result.cnames));
      return;
    }
  }
  unauthorised('missing');
}

export function found(name: string, txt: TxtRecord, cnames: string[]): FoundRecord {
  const r: FoundRecord = { name, type: 'TXT', text: txt.text };
  if (txt.strings.length > 1) r.strings = txt.strings;
  if (cnames.length > 0) r.cnames = cnames;
  return r;
}

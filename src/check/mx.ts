import { isIP } from 'node:net';
import type { DnsResult, MxRecord } from '../dns/types.ts';
import { isAbsent, isTemporary } from '../dns/types.ts';
import { type Finding, finding } from '../records/finding.ts';
import type { CheckContext, ProtocolReport } from './types.ts';

/**
 * Beyond this many MX hosts only the first (by preference) are resolved: RFC 7208 s4.6.4
 * makes an SPF "mx" term fail above 10, and every host costs two lookups.
 */
export const MAX_MX_HOSTS = 10;

export interface MxHost {
  /** Lower case, no trailing dot. */
  exchange: string;
  preference: number;
  ipv4: string[];
  ipv6: string[];
  /** CNAMEs followed from the exchange name (RFC 2181 s10.3 forbids the alias). */
  cnames: string[];
  /**
   * ok: has an address; no-address: NXDOMAIN/NODATA for both A and AAAA; dns-error: could
   * not tell; invalid: not a host name (not looked up); not-resolved: past MAX_MX_HOSTS.
   */
  status: 'ok' | 'no-address' | 'dns-error' | 'invalid' | 'not-resolved';
}

export interface MxParsed {
  /** RFC 7505 null MX ("0 .") is published: the domain accepts no mail. */
  nullMx: boolean;
  /** Hosts by preference, duplicates once. */
  hosts: MxHost[];
  /** The resolver's AD flag on the MX answer, when it reports one. */
  dnssecValidated?: boolean;
}

/** MX records: null MX, duplicates, hosts that are IP literals, aliases or without address. */
export async function checkMx(domain: string, ctx: CheckContext): Promise<ProtocolReport<MxParsed>> {
  const result = await ctx.resolver.lookup(domain, 'MX');
  const findings: Finding[] = [];
  const parsed: MxParsed = { nullMx: false, hosts: [] };
  const report: ProtocolReport<MxParsed> = {
    protocol: 'mx',
    status: 'ok',
    dns: result.status,
    records: [],
    findings,
    parsed,
  };
  if (result.authenticated !== undefined) {
    parsed.dnssecValidated = result.authenticated;
    findings.push(
      finding(
        result.authenticated ? 'dnssec-validated' : 'dnssec-not-validated',
        { domain },
        { where: domain },
      ),
    );
  }
  if (isTemporary(result.status)) {
    findings.push(finding('mx-dns-error', dnsArgs(result, domain), { where: domain }));
    report.status = 'dns-error';
    return report;
  }
  const parked = ctx.options.parked === true;
  if (isAbsent(result.status) || result.records.length === 0) {
    report.status = 'missing';
    if (parked) {
      findings.push(finding('mx-null-recommended', { domain }, { where: domain }));
      report.suggested = [{ name: domain, type: 'MX', value: '0 .' }];
    } else {
      const args = result.status === 'nxdomain' ? { domain, nxdomain: true } : { domain };
      findings.push(finding('mx-missing', args, { where: domain }));
    }
    return report;
  }

  for (const mx of result.records) {
    const record: ProtocolReport['records'][number] = {
      name: domain,
      type: 'MX',
      text: `${mx.preference} ${mx.exchange === '' ? '.' : `${mx.exchange}.`}`,
    };
    if (result.cnames.length > 0) record.cnames = result.cnames;
    report.records.push(record);
  }
  const nulls = result.records.filter((mx) => mx.exchange === '');
  const real = result.records.filter((mx) => mx.exchange !== '').sort((a, b) => a.preference - b.preference);
  if (nulls.length > 0) {
    parsed.nullMx = true;
    if (real.length > 0) {
      // RFC 7505 s3: a null MX must be the only MX record; mixed, senders may try either.
      findings.push(
        finding(
          'mx-null-with-others',
          { domain, hosts: real.map((m) => m.exchange).join(', ') },
          { where: domain },
        ),
      );
      report.status = 'invalid';
    } else findings.push(finding('mx-null', { domain }, { where: domain }));
    for (const mx of nulls.filter((m) => m.preference !== 0)) {
      findings.push(finding('mx-null-preference', { domain, preference: mx.preference }, { where: domain }));
    }
  }
  if (real.length === 0) return report;
  if (parked) {
    findings.push(
      finding(
        'mx-parked-has-mx',
        { domain, hosts: real.map((m) => m.exchange).join(', ') },
        { where: domain },
      ),
    );
  }

  const unique: MxRecord[] = [];
  const counted = new Map<string, number>();
  for (const mx of real) {
    const n = counted.get(mx.exchange) ?? 0;
    counted.set(mx.exchange, n + 1);
    if (n === 0) unique.push(mx);
  }
  for (const [host, count] of counted) {
    if (count > 1) findings.push(finding('mx-duplicate-host', { domain, host, count }, { where: domain }));
  }
  if (unique.length > MAX_MX_HOSTS) {
    findings.push(
      finding('mx-too-many-hosts', { domain, count: unique.length, max: MAX_MX_HOSTS }, { where: domain }),
    );
  }

  parsed.hosts = await Promise.all(
    unique.map((mx, i) => (i < MAX_MX_HOSTS ? resolveHost(ctx, domain, mx, findings) : unresolved(mx))),
  );
  // Inconclusive while a host lookup failed; definite when every host examined has no address.
  const examined = parsed.hosts.filter((h) => h.status !== 'not-resolved');
  if (!examined.some((h) => h.status === 'ok' || h.status === 'dns-error')) {
    findings.push(finding('mx-no-reachable-host', { domain }, { where: domain }));
  }
  if (findings.some((f) => f.severity === 'error')) report.status = 'invalid';
  return report;
}

/** The MX host names for the MTA-STS coverage check: undefined when the MX lookup failed. */
export function mxHostsOf(report: ProtocolReport<MxParsed>): string[] | undefined {
  if (report.status === 'dns-error' || !report.parsed) return undefined;
  return report.parsed.hosts.map((h) => h.exchange);
}

const HOSTNAME_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

async function resolveHost(
  ctx: CheckContext,
  domain: string,
  mx: MxRecord,
  findings: Finding[],
): Promise<MxHost> {
  const host: MxHost = {
    exchange: mx.exchange,
    preference: mx.preference,
    ipv4: [],
    ipv6: [],
    cnames: [],
    status: 'ok',
  };
  const at = { where: mx.exchange };
  // An MX names a host, never an address (RFC 5321 s5.1); "10 192.0.2.1." is looked up as a name.
  if (isIP(mx.exchange) || /^\d+\.\d+\.\d+\.\d+$/.test(mx.exchange) || mx.exchange.startsWith('[')) {
    findings.push(finding('mx-host-ip-literal', { domain, host: mx.exchange }, at));
    host.status = 'invalid';
    return host;
  }
  const labels = mx.exchange.split('.');
  if (mx.exchange.length > 253 || labels.length < 2 || !labels.every((l) => HOSTNAME_LABEL.test(l))) {
    findings.push(finding('mx-host-invalid', { domain, host: mx.exchange }, at));
    host.status = 'invalid';
    return host;
  }
  const [a, aaaa] = await Promise.all([
    ctx.resolver.lookup(mx.exchange, 'A'),
    ctx.resolver.lookup(mx.exchange, 'AAAA'),
  ]);
  host.ipv4 = a.records;
  host.ipv6 = aaaa.records;
  host.cnames = a.cnames.length > 0 ? a.cnames : aaaa.cnames;
  if (host.cnames.length > 0) {
    findings.push(finding('mx-host-cname', { domain, host: mx.exchange, target: host.cnames.at(-1)! }, at));
  }
  if (host.ipv4.length > 0 || host.ipv6.length > 0) return host;
  const failed = [a, aaaa].find((r) => isTemporary(r.status));
  if (failed) {
    host.status = 'dns-error';
    findings.push(
      finding('mx-host-dns-error', { ...dnsArgs(failed, mx.exchange), domain, host: mx.exchange }, at),
    );
  } else {
    host.status = 'no-address';
    findings.push(finding('mx-host-no-address', { domain, host: mx.exchange, status: a.status }, at));
  }
  return host;
}

function unresolved(mx: MxRecord): MxHost {
  return {
    exchange: mx.exchange,
    preference: mx.preference,
    ipv4: [],
    ipv6: [],
    cnames: [],
    status: 'not-resolved',
  };
}

function dnsArgs(result: DnsResult, name: string): Record<string, string> {
  const args: Record<string, string> = { name, status: result.status };
  if (result.error) args.error = result.error;
  return args;
}

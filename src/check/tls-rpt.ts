import { isTemporary } from '../dns/types.ts';
import { finding } from '../records/finding.ts';
import {
  looksLikeTlsRptRecord,
  parseTlsRptRecord,
  ruaProblem,
  type TlsRptRecord,
} from '../records/tls-rpt/index.ts';
import { discoverTxt, locate } from './txt-discovery.ts';
import type { CheckContext, ProtocolReport, SuggestedRecord } from './types.ts';

export interface TlsRptParsed {
  /** Where the record belongs: `_smtp._tls.<domain>`. */
  name: string;
  /** The record's meaning (the first one when several are published). */
  record?: TlsRptRecord;
  /** Exactly one record, and senders would use it. */
  valid: boolean;
}

/** What else the domain uses that makes TLS reports worth having. */
export interface TlsRptRelated {
  /** The domain publishes an MTA-STS record. */
  mtaSts?: boolean;
  /** An MX host publishes DANE TLSA records. */
  dane?: boolean;
}

/** SMTP TLS Reporting (RFC 8460): the `_smtp._tls` record and its report destinations. */
export async function checkTlsRpt(
  domain: string,
  ctx: CheckContext,
  related: TlsRptRelated = {},
): Promise<ProtocolReport<TlsRptParsed>> {
  const name = `_smtp._tls.${domain}`;
  const found = await discoverTxt(ctx.resolver, domain, name, looksLikeTlsRptRecord, {
    dnsError: 'tls-rpt-dns-error',
    multiple: 'tls-rpt-multiple-records',
    unrelated: 'tls-rpt-unrelated-record',
    spf: 'tls-rpt-spf-record',
    atApex: 'tls-rpt-at-apex',
  });
  const report: ProtocolReport<TlsRptParsed> = {
    protocol: 'tls-rpt',
    status: 'ok',
    dns: found.result.status,
    records: found.records,
    findings: found.findings,
    parsed: { name, valid: false },
  };
  const parsed = report.parsed!;
  if (isTemporary(found.result.status)) {
    report.status = 'dns-error';
    return report;
  }

  if (found.candidates.length === 0) {
    if (found.apexRecord) {
      report.status = 'invalid';
      const fixed = suggestion(parseTlsRptRecord(found.apexRecord.text).record);
      report.suggested = [{ name, type: 'TXT', value: fixed ?? found.apexRecord.text }];
    } else {
      report.status = 'missing';
      const usedBy = [related.mtaSts ? 'mta-sts' : '', related.dane ? 'dane' : ''].filter(Boolean).join('+');
      report.findings.push(
        finding('tls-rpt-missing', usedBy ? { domain, name, usedBy } : { domain, name }, { where: name }),
      );
    }
    return report;
  }

  let valid = found.candidates.length === 1;
  for (const txt of found.candidates) {
    if (txt.invalidUtf8) {
      report.findings.push(
        finding('tls-rpt-syntax-error', { name, problem: 'invalid-utf8' }, { where: name, record: txt.text }),
      );
      valid = false;
    }
    const result = parseTlsRptRecord(txt.text, { name });
    report.findings.push(...locate(result.findings, name, txt.text));
    if (!result.valid) valid = false;
    parsed.record ??= result.record;
  }
  parsed.valid = valid;
  if (!valid) {
    report.status = 'invalid';
    const fixed = found.candidates.length === 1 ? suggestion(parsed.record) : undefined;
    if (fixed !== undefined && fixed !== found.candidates[0]!.text)
      report.suggested = [{ name, type: 'TXT', value: fixed }];
  }
  return report;
}

/** The record rewritten with only its usable report destinations, when any remain. */
function suggestion(record: TlsRptRecord | undefined): SuggestedRecord['value'] | undefined {
  const rua = record?.rua.filter((u) => ruaProblem(u) === undefined) ?? [];
  if (rua.length === 0) return undefined;
  return `v=TLSRPTv1; rua=${rua.join(',')}`;
}

import { type Finding, finding } from '../finding.ts';
import { parseFields } from '../mta-sts/fields.ts';

/** The SMTP TLS Reporting TXT record at `_smtp._tls.<domain>` (RFC 8460 s3). */
export interface TlsRptRecord {
  version: 'TLSRPTv1';
  /** Report destinations in order, as written. */
  rua: string[];
  /** Fields RFC 8460 does not define (allowed; senders ignore them). */
  extensions: Record<string, string>;
}

export interface TlsRptRecordResult {
  record?: TlsRptRecord;
  findings: Finding[];
  /** Senders would send reports per this record. */
  valid: boolean;
}

/** Longest record parsed; real ones are under 200 characters. */
export const MAX_TLS_RPT_RECORD_LENGTH = 2048;

// rua is a comma-separated URI list (RFC 8460 s3: *WSP "," *WSP between URIs); a comma
// inside a URI must be percent-encoded, so URI characters exclude it.
const RUA_VALUE = /^[\x21-\x2b\x2d-\x3a\x3c\x3e-\x7e]+(?:[ \t]*,[ \t]*[\x21-\x2b\x2d-\x3a\x3c\x3e-\x7e]+)*$/;
const MAILTO =
  /^mailto:([^@\s]+)@([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+)(\?.*)?$/i;

export function parseTlsRptRecord(text: string, at: { name?: string } = {}): TlsRptRecordResult {
  const base = at.name ? { name: at.name } : {};
  const findings: Finding[] = [];
  const parsed = parseFields(text, 'TLSRPTv1', {
    maxLength: MAX_TLS_RPT_RECORD_LENGTH,
    valuePattern: (name) => (name === 'rua' ? RUA_VALUE : undefined),
  });
  let valid = parsed.errors.length === 0 && parsed.duplicates.length === 0;
  for (const e of parsed.errors) {
    findings.push(
      finding('tls-rpt-syntax-error', { ...base, problem: e.problem, position: e.position, near: e.near }),
    );
  }
  for (const tag of parsed.duplicates) findings.push(finding('tls-rpt-duplicate-tag', { ...base, tag }));
  if (!parsed.versionOk) return { findings, valid: false };

  const record: TlsRptRecord = { version: 'TLSRPTv1', rua: [], extensions: {} };
  for (const f of parsed.fields) {
    if (f.name === 'rua') record.rua = f.value.split(',').map((u) => u.trim());
    else record.extensions[f.name] = f.value;
  }
  // A broken field may be the rua itself; the syntax error already says the record is unusable.
  if (!parsed.fields.some((f) => f.name === 'rua') && parsed.errors.length === 0) {
    findings.push(finding('tls-rpt-rua-missing', base));
    valid = false;
  }
  for (const uri of record.rua) {
    const reason = ruaProblem(uri);
    if (reason) {
      findings.push(finding('tls-rpt-rua-invalid', { ...base, uri, reason }));
      valid = false;
    }
  }
  const unknown = Object.keys(record.extensions);
  if (unknown.length > 0)
    findings.push(finding('tls-rpt-unknown-tag', { ...base, tags: unknown.join(', ') }));
  return { record, findings, valid };
}

/**
 * Why a rua URI cannot receive reports, or undefined: RFC 8460 s3 defines only `mailto:`
 * (an address) and `https:` (a URL reports are POSTed to).
 */
export function ruaProblem(uri: string): 'scheme' | 'http' | 'mailto' | 'https' | undefined {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri)?.[1]?.toLowerCase();
  if (scheme === 'mailto') return MAILTO.test(uri) ? undefined : 'mailto';
  if (scheme === 'https') {
    try {
      const url = new URL(uri);
      return url.hostname.includes('.') && url.username === '' && url.password === '' ? undefined : 'https';
    } catch {
      return 'https';
    }
  }
  return scheme === 'http' ? 'http' : 'scheme';
}

/** True for the records senders consider (and near misses worth reporting as broken ones). */
export function looksLikeTlsRptRecord(text: string): boolean {
  return /^[ \t]*v[ \t]*=[ \t]*TLSRPTv1/i.test(text);
}

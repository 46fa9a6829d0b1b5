import type { Finding } from '../finding.ts';
import { parseTlsRptRecord } from './record.ts';

export interface TlsRptBuildOptions {
  /** Report destinations: mailto: or https: URIs; a bare address gets mailto: added. */
  rua: string[];
}

export interface TlsRptBuild {
  record: { name: string; type: 'TXT'; value: string };
  /** What the linter says about the record (errors mean the input was wrong). */
  findings: Finding[];
}

/** Writes the `_smtp._tls` TXT record and lints it with the same parser the check uses. */
export function buildTlsRpt(domain: string, options: TlsRptBuildOptions): TlsRptBuild {
  const name = `_smtp._tls.${domain}`;
  const rua = options.rua.map((u) => u.trim()).map((u) => (/^[^:@\s]+@[^@\s]+$/.test(u) ? `mailto:${u}` : u));
  const value = `v=TLSRPTv1; rua=${rua.join(',')}`;
  return { record: { name, type: 'TXT', value }, findings: parseTlsRptRecord(value, { name }).findings };
}

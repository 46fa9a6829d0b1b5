import type { Finding } from '../finding.ts';
import { type MtaStsMode, parseMtaStsPolicy } from './policy.ts';
import { parseMtaStsRecord } from './record.ts';

export interface MtaStsBuildOptions {
  mode: MtaStsMode;
  /** MX patterns: host names, or `*.example.jp` for every host one label below. */
  mx: string[];
  /** Seconds; a week when absent (RFC 8461 expects weeks or more for enforce). */
  maxAge?: number;
  /** Policy id (1-32 letters and digits); a UTC timestamp from `now` when absent. */
  id?: string;
  /** Time the default id is made from. */
  now?: Date;
}

export interface MtaStsBuild {
  /** The TXT record to publish. */
  record: { name: string; type: 'TXT'; value: string };
  /** The policy file to serve over https, exactly as it must be served. */
  policy: { url: string; contentType: string; text: string };
  /** What the linters say about both (errors mean the input was wrong). */
  findings: Finding[];
}

export const DEFAULT_MTA_STS_MAX_AGE = 604_800;

/** Writes the `_mta-sts` TXT record and the policy file, and lints both with the same parsers. */
export function buildMtaSts(domain: string, options: MtaStsBuildOptions): MtaStsBuild {
  const id = options.id ?? policyId(options.now ?? new Date());
  const name = `_mta-sts.${domain}`;
  const url = `https://mta-sts.${domain}/.well-known/mta-sts.txt`;
  const value = `v=STSv1; id=${id}`;
  // RFC 8461 s3.2 separates lines with CRLF; the final line ends with one too.
  const lines = [
    'version: STSv1',
    `mode: ${options.mode}`,
    ...options.mx.map((mx) => `mx: ${mx.trim()}`),
    `max_age: ${options.maxAge ?? DEFAULT_MTA_STS_MAX_AGE}`,
  ];
  const text = `${lines.join('\r\n')}\r\n`;
  const findings = [
    ...parseMtaStsRecord(value, { name }).findings,
    ...parseMtaStsPolicy(text, { url }).findings,
  ];
  return {
    record: { name, type: 'TXT', value },
    policy: { url, contentType: 'text/plain; charset=utf-8', text },
    findings,
  };
}

/** `YYYYMMDDhhmmss` in UTC: sortable, and only digits as the id syntax requires. */
export function policyId(now: Date): string {
  return now.toISOString().replace(/\D/g, '').slice(0, 14);
}

import { type Finding, finding } from '../finding.ts';
import { lintSpfRecord, SPF_MAX_STRING_BYTES } from './lint.ts';
import { LOOKUP_MECHANISMS } from './types.ts';

/** RFC 7208 s4.6.4: at most 10 terms that cause DNS lookups per evaluation. */
export const SPF_LOOKUP_LIMIT = 10;

/** What `sumi record spf` takes. */
export interface SpfBuildOptions {
  /** The domain the record is for (gives the name to publish it at). */
  domain?: string;
  /** IPv4 addresses or ranges ("192.0.2.1", "192.0.2.0/24"). */
  ip4?: string[];
  /** IPv6 addresses or ranges ("2001:db8::/32"). */
  ip6?: string[];
  /** true: the domain's own A/AAAA; strings: those hosts. */
  a?: boolean | string[];
  /** true: the domain's own MX hosts; strings: those domains' MX hosts. */
  mx?: boolean | string[];
  /** Domains whose SPF records are included (e.g. "_spf.google.com"). */
  include?: string[];
  /** Result for everything else: "-" (fail) or "~" (softfail, the default); not used with `redirect`. */
  all?: '-' | '~';
  /** Use another domain's record for everything else, instead of all (which is then left out). */
  redirect?: string;
  /** Domain of the TXT record that explains a failure. */
  exp?: string;
  /** The domain sends no mail: the record is "v=spf1 -all" whatever else is given. */
  parked?: boolean;
}

export interface SpfBuildResult {
  /** Where to publish it (the domain itself), when `domain` was given. */
  name?: string;
  type: 'TXT';
  value: string;
  /** The value cut into TXT character-strings of at most 255 bytes, for zone files. */
  strings: string[];
  /** What the linter says about the record (errors mean it should not be published). */
  findings: Finding[];
  valid: boolean;
}

/** Builds a record from options and checks it with the same linter `sumi check` uses. */
export function buildSpfRecord(options: SpfBuildOptions): SpfBuildResult {
  const terms: string[] = [];
  if (options.parked) {
    terms.push('-all');
  } else {
    for (const net of options.ip4 ?? []) terms.push(`ip4:${net.trim()}`);
    for (const net of options.ip6 ?? []) terms.push(`ip6:${net.trim()}`);
    if (options.a === true) terms.push('a');
    else for (const host of options.a || []) terms.push(`a:${host.trim()}`);
    if (options.mx === true) terms.push('mx');
    else for (const host of options.mx || []) terms.push(`mx:${host.trim()}`);
    for (const target of options.include ?? []) terms.push(`include:${target.trim()}`);
    // redirect= only applies when the record has no all (RFC 7208 s6.1), so it replaces it.
    if (options.redirect !== undefined) {
      terms.push(`redirect=${options.redirect.trim()}`);
    } else {
      terms.push(`${options.all ?? '~'}all`);
    }
    if (options.exp !== undefined) terms.push(`exp=${options.exp.trim()}`);
  }
  const value = ['v=spf1', ...terms].join(' ');
  const strings = splitTxtStrings(value);
  const lint = lintSpfRecord({ record: value, strings, parked: options.parked ?? false });
  const findings = [...lint.findings];
  const lookups = lint.parse.terms.filter(
    (t) =>
      (t.kind === 'mechanism' && LOOKUP_MECHANISMS.has(t.name)) ||
      (t.kind === 'modifier' && t.name === 'redirect'),
  ).length;
  if (lookups > SPF_LOOKUP_LIMIT) {
    // Includes add their own lookups on top: this is a lower bound.
    findings.push(
      finding('spf-too-many-lookups', {
        domain: options.domain ?? '',
        count: lookups,
        limit: SPF_LOOKUP_LIMIT,
        atLeast: true,
      }),
    );
  }
  const result: SpfBuildResult = {
    type: 'TXT',
    value,
    strings,
    findings,
    valid: !findings.some((f) => f.severity === 'error'),
  };
  if (options.domain !== undefined) result.name = options.domain.toLowerCase().replace(/\.$/, '');
  return result;
}

/**
 * Cuts a record into TXT character-strings of at most 255 bytes, breaking after a space where
 * possible so that each string reads as whole terms (receivers join them with nothing between).
 */
export function splitTxtStrings(value: string, max = SPF_MAX_STRING_BYTES): string[] {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length <= max) return [value];
  const out: string[] = [];
  let start = 0;
  while (bytes.length - start > max) {
    let cut = start + max;
    const space = bytes.lastIndexOf(0x20, cut - 1);
    if (space >= start) cut = space + 1;
    // Never cut inside a multi-byte character.
    while (cut > start && (bytes[cut]! & 0xc0) === 0x80) cut--;
    out.push(bytes.subarray(start, cut).toString('utf8'));
    start = cut;
  }
  out.push(bytes.subarray(start).toString('utf8'));
  return out;
}

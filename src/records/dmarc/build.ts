import { domainToASCII } from 'node:url';
import { type Finding, finding } from '../finding.ts';
import { type DmarcRecord, lintDmarcRecord, type TagValue } from './lint.ts';
import {
  ALIGNMENT_MODES,
  type AlignmentMode,
  DMARC_POLICIES,
  type DmarcPolicy,
  type FailureOption,
  nearestValue,
  PSD_FLAGS,
  type PsdFlag,
  YES_NO,
  type YesNo,
} from './tags.ts';
import { repairDmarcText } from './text.ts';
import { parseReportUri, type ReportUri, splitUriList } from './uri.ts';

/** The tags of a record to write; absent ones are left to their defaults. */
export interface DmarcFields {
  p: DmarcPolicy;
  sp?: DmarcPolicy;
  np?: DmarcPolicy;
  psd?: PsdFlag;
  t?: YesNo;
  adkim?: AlignmentMode;
  aspf?: AlignmentMode;
  rua?: string[];
  ruf?: string[];
  fo?: FailureOption[];
}

/** Writes a record in Sumi's canonical form: `v=DMARC1; p=...` first, then the tags in registry order. */
export function formatDmarcRecord(fields: DmarcFields): string {
  const parts = ['v=DMARC1', `p=${fields.p}`];
  for (const name of ['sp', 'np', 'psd', 't', 'adkim', 'aspf'] as const) {
    const value = fields[name];
    if (value !== undefined) parts.push(`${name}=${value}`);
  }
  if (fields.rua?.length) parts.push(`rua=${fields.rua.join(',')}`);
  if (fields.ruf?.length) {
    parts.push(`ruf=${fields.ruf.join(',')}`);
    if (fields.fo?.length) parts.push(`fo=${fields.fo.join(':')}`);
  }
  return parts.join('; ');
}

/** The name a domain's DMARC record is published at. */
export function dmarcRecordName(domain: string): string {
  return `_dmarc.${domain.toLowerCase().replace(/\.$/, '')}`;
}

/**
 * The record Sumi would publish instead of `text`: publishing mistakes repaired, the version
 * and `p` first, duplicates merged (first value wins, report URIs combined), mistyped values
 * corrected when one correction is obvious (`sp=non` → `sp=none`) and dropped otherwise (the
 * default applies), removed and unknown tags dropped (`pct=0` becomes `t=y`, its RFC 9989
 * replacement), unusable report URIs repaired or dropped, `!size` suffixes removed, `fo`
 * kept only with `ruf`. For a parked domain every policy becomes reject.
 * Undefined when the text is not a DMARC record at all.
 */
export function suggestDmarcRecord(
  texts: string | string[],
  ctx: { parked?: boolean } = {},
): string | undefined {
  const records = (Array.isArray(texts) ? texts : [texts])
    .map((t) => lintDmarcRecord(repairDmarcText(t)).record)
    .filter((r): r is DmarcRecord => r !== undefined);
  const [first, ...others] = records;
  if (!first) return undefined;
  const tags = first.tags;
  const fields: DmarcFields = { p: ctx.parked ? 'reject' : (corrected(tags.p, DMARC_POLICIES) ?? 'none') };
  const sp = corrected(tags.sp, DMARC_POLICIES);
  const np = corrected(tags.np, DMARC_POLICIES);
  // A parked domain keeps only sp/np values that are already reject (the default from p=reject).
  if (sp !== undefined && (!ctx.parked || sp === 'reject')) fields.sp = sp;
  if (np !== undefined && (!ctx.parked || np === 'reject')) fields.np = np;
  if (!ctx.parked) {
    const t = corrected(tags.t, YES_NO);
    if (t !== undefined) fields.t = t;
    else if (fields.p !== 'none' && first.removed.some((r) => r.name === 'pct' && Number(r.value) === 0))
      fields.t = 'y';
  }
  const psd = corrected(tags.psd, PSD_FLAGS);
  if (psd !== undefined) fields.psd = psd;
  const adkim = corrected(tags.adkim, ALIGNMENT_MODES);
  if (adkim !== undefined) fields.adkim = adkim;
  const aspf = corrected(tags.aspf, ALIGNMENT_MODES);
  if (aspf !== undefined) fields.aspf = aspf;
  // Duplicate records and tags: the first values win, but nobody's report address is lost.
  const uris = (tag: 'rua' | 'ruf') =>
    usableUris(
      [first, ...others].flatMap((r) =>
        r.published.filter((t) => t.name === tag).flatMap((t) => splitUriList(t.value).map(parseReportUri)),
      ),
    );
  fields.rua = uris('rua');
  fields.ruf = uris('ruf');
  if (tags.fo.explicit) {
    const fo = tags.fo.value;
    fields.fo =
      fo.includes('0') && fo.includes('1')
        ? fo.filter((o) => o !== (fo.indexOf('0') < fo.indexOf('1') ? '1' : '0'))
        : fo;
  }
  return formatDmarcRecord(fields);
}

/** The published value when valid; an obvious correction of an invalid one; else undefined (default). */
function corrected<T extends string>(tag: TagValue<T>, allowed: readonly T[]): T | undefined {
  if (tag.explicit) return tag.value;
  if (tag.invalid === undefined) return undefined;
  return nearestValue(tag.invalid, allowed) as T | undefined;
}

function usableUris(list: ReportUri[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const u of list) {
    const uri = u.uri ?? u.repaired;
    if (uri === undefined || seen.has(uri.toLowerCase())) continue;
    seen.add(uri.toLowerCase());
    out.push(uri);
  }
  return out;
}

/** Options of `sumi record dmarc`, as given on the command line. */
export interface DmarcRecordOptions {
  /** The domain the record is for; without it the name is the relative `_dmarc` (as typed in a DNS panel). */
  domain?: string;
  /** p: none, quarantine or reject. */
  policy: string;
  /** sp: policy for existing subdomains (default: policy). */
  subdomainPolicy?: string;
  /** np: policy for non-existent subdomains (default: subdomainPolicy, else policy). */
  nonexistentPolicy?: string;
  /** Aggregate report URIs, e.g. mailto:dmarc@example.jp. */
  rua?: string[];
  /** Failure report URIs. */
  ruf?: string[];
  adkim?: string;
  aspf?: string;
  /** Failure reporting options: "1", "0:d" or ["1", "d"]. */
  fo?: string | string[];
  /** t=y: ask receivers to apply one level below the policy while testing. */
  testing?: boolean;
  /** psd: y (this is a public suffix domain), n (an organisational domain), u. */
  psd?: string;
}

export interface BuiltDmarcRecord {
  /** Where to publish: `_dmarc.<domain>`, or `_dmarc` relative to the zone when no domain was given. */
  name: string;
  type: 'TXT';
  value: string;
  /** The linter's findings on the written record (advice such as p=none, and any errors). */
  findings: Finding[];
  /** False when an option was invalid (an error finding says which): do not publish. */
  valid: boolean;
}

/**
 * Writes the record for `sumi record dmarc`, checked by the same linter as published
 * records. Throws RangeError when `options.domain` is not a domain name (bad usage).
 */
export function buildDmarcRecord(options: DmarcRecordOptions): BuiltDmarcRecord {
  const ascii = options.domain === undefined ? undefined : asciiDomain(options.domain);
  const extra: Finding[] = [];
  const clean = (tag: string, value: string): string => {
    const v = value.trim();
    // A ";" or "," inside one option would smuggle in tags or URIs the linter would then accept.
    if (/[;]/.test(v) || ((tag === 'rua' || tag === 'ruf') && v.includes(','))) {
      extra.push(finding('dmarc-syntax-error', { reason: 'separator-in-option', tag, near: v }));
      return v.replace(/[;,]/g, '');
    }
    return tag === 'rua' || tag === 'ruf' ? v : v.toLowerCase();
  };
  const parts = ['v=DMARC1', `p=${clean('p', options.policy)}`];
  const add = (tag: string, value: string | undefined) => {
    if (value !== undefined) parts.push(`${tag}=${clean(tag, value)}`);
  };
  add('sp', options.subdomainPolicy);
  add('np', options.nonexistentPolicy);
  add('psd', options.psd);
  if (options.testing) parts.push('t=y');
  add('adkim', options.adkim);
  add('aspf', options.aspf);
  if (options.rua?.length) parts.push(`rua=${options.rua.map((u) => clean('rua', u)).join(',')}`);
  if (options.ruf?.length) parts.push(`ruf=${options.ruf.map((u) => clean('ruf', u)).join(',')}`);
  if (options.fo !== undefined) add('fo', Array.isArray(options.fo) ? options.fo.join(':') : options.fo);
  const value = parts.join('; ');
  const lint = lintDmarcRecord(value, ascii === undefined ? {} : { domain: ascii });
  const findings = [...extra, ...lint.findings];
  return {
    name: ascii === undefined ? '_dmarc' : dmarcRecordName(ascii),
    type: 'TXT',
    value,
    findings,
    valid: lint.accepted && !findings.some((f) => f.severity === 'error'),
  };
}

function asciiDomain(domain: string): string {
  const ascii = domainToASCII(domain.trim().toLowerCase().replace(/\.$/, ''));
  // 246: room for the "_dmarc." prefix within the 253 characters of a DNS name.
  if (
    ascii === '' ||
    ascii.length > 246 ||
    !ascii.split('.').every((l) => /^(?!-)[a-z0-9-]{1,63}(?<!-)$/.test(l))
  ) {
    throw new RangeError(`"${domain}" is not a domain name`);
  }
  return ascii;
}

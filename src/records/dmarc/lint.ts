import { type Finding, finding } from '../finding.ts';
import { publicSuffix } from '../org-domain.ts';
import {
  ALIGNMENT_MODES,
  type AlignmentMode,
  DMARC_POLICIES,
  type DmarcPolicy,
  type DmarcTagName,
  FAILURE_OPTIONS,
  type FailureOption,
  isDmarcTag,
  isRemovedTag,
  nearestTags,
  nearestValue,
  PSD_FLAGS,
  type PsdFlag,
  policyBelow,
  policyStrength,
  type RemovedTagName,
  YES_NO,
  type YesNo,
} from './tags.ts';
import { classifyDmarcTxt, type TxtKind } from './text.ts';
import { parseReportUri, type ReportUri, splitUriList } from './uri.ts';

/**
 * Longest DMARC record Sumi parses, in bytes. Real records stay under 300 bytes; the DNS
 * allows 64 KB, which an attacker can use to make a checker produce endless findings.
 */
export const MAX_DMARC_RECORD_BYTES = 2048;
/** Most tags Sumi reads from one record (RFC 9989 defines 11; the rest would be noise). */
export const MAX_DMARC_TAGS = 40;
/** More report URIs than this per tag draws a warning (receivers may send to the first two only). */
export const MAX_REPORT_URIS = 2;

export interface TagValue<T> {
  value: T;
  /** True when the record publishes the tag with a valid value; false for the default. */
  explicit: boolean;
  /** The published value when it was not valid (the default applies instead). */
  invalid?: string;
}

export interface DmarcTags {
  v: TagValue<'DMARC1'>;
  p: TagValue<DmarcPolicy>;
  /** Default: p. */
  sp: TagValue<DmarcPolicy>;
  /** Default: sp when sp is explicit, else p. */
  np: TagValue<DmarcPolicy>;
  adkim: TagValue<AlignmentMode>;
  aspf: TagValue<AlignmentMode>;
  fo: TagValue<FailureOption[]>;
  /** Every URI as published, usable or not (`problem` says which are not). */
  rua: TagValue<ReportUri[]>;
  ruf: TagValue<ReportUri[]>;
  psd: TagValue<PsdFlag>;
  t: TagValue<YesNo>;
}

/**
 * What receivers make of a record (RFC 9989 s4.10.1): `apply` its policies; `monitor`
 * (treated as p=none because p is missing or p/sp/np is invalid, but rua is usable);
 * `ignore` (the same, with no usable rua: no DMARC processing at all).
 */
export type DmarcEffect = 'apply' | 'monitor' | 'ignore';

export interface DmarcRecord {
  /** The text the tags were read from (from `v=DMARC1` on). */
  text: string;
  tags: DmarcTags;
  /** Every tag as published, in order, names lower-cased. */
  published: { name: string; value: string }[];
  /** RFC 7489 tags RFC 9989 removed, as published. */
  removed: { name: RemovedTagName; value: string }[];
  unknown: { name: string; value: string }[];
  effect: DmarcEffect;
}

export interface DmarcLintContext {
  /** The domain the record is for: enables the `psd=y` sanity check. */
  domain?: string;
  /** The domain sends no mail: every policy must be reject. */
  parked?: boolean;
}

export interface DmarcLint {
  kind: TxtKind;
  /** Receivers use this record (RFC 9989 s4.10 step 2): kind `dmarc` and not too large to read. */
  accepted: boolean;
  /** The record's meaning (for flawed records: what it would mean once repaired). */
  record?: DmarcRecord;
  findings: Finding[];
}

const POLICY_VALUES = DMARC_POLICIES.join(', ');

/** Parses and checks one DMARC record. Pure: everything that needs DNS is in src/check/dmarc. */
export function lintDmarcRecord(text: string, ctx: DmarcLintContext = {}): DmarcLint {
  const findings: Finding[] = [];
  const bytes = Buffer.byteLength(text, 'utf8');
  const classified = classifyDmarcTxt(text);
  if (bytes > MAX_DMARC_RECORD_BYTES) {
    findings.push(finding('dmarc-record-too-large', { bytes, max: MAX_DMARC_RECORD_BYTES }));
    return { kind: classified.kind, accepted: false, findings };
  }
  if (classified.dmarcText === undefined) {
    findings.push(finding('dmarc-syntax-error', { reason: 'no-version', near: text.slice(0, 40) }));
    return { kind: classified.kind, accepted: false, findings };
  }
  const versionAt = text.search(/v\s*=\s*dmarc1/i);
  for (const flaw of classified.flaws) {
    if (flaw === 'leading-whitespace') findings.push(finding('dmarc-leading-whitespace'));
    else if (flaw === 'text-before-version') {
      findings.push(finding('dmarc-text-before-version', { before: text.slice(0, versionAt) }));
    } else if (flaw === 'version-case') {
      findings.push(finding('dmarc-version-case', { published: versionAsPublished(text) }));
    } else {
      const near = text.slice(versionAt, versionAt + 30);
      findings.push(finding('dmarc-syntax-error', { reason: 'version-not-terminated', near }));
    }
  }
  const parsed = readTags(classified.dmarcText, findings);
  if (parsed.tooMany) {
    findings.push(finding('dmarc-record-too-large', { tags: parsed.count, maxTags: MAX_DMARC_TAGS }));
    return { kind: classified.kind, accepted: false, findings };
  }
  const record = interpret(classified.dmarcText, parsed.tags, findings, ctx);
  return { kind: classified.kind, accepted: classified.kind === 'dmarc', record, findings };
}

function versionAsPublished(text: string): string {
  return /v\s*=\s*dmarc1/i.exec(text)?.[0] ?? 'v=DMARC1';
}

interface RawTag {
  name: string;
  value: string;
  /** 1-based column of the tag in the record text. */
  position: number;
}

/** RFC 9989 s4.8 grammar: `v=DMARC1` then `;`-separated `tag=value`, printable ASCII values. */
function readTags(text: string, findings: Finding[]): { tags: RawTag[]; tooMany: boolean; count: number } {
  const tags: RawTag[] = [];
  const segments = text.split(';');
  let offset = 0;
  let lineBreakSeen = false;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const position = offset + 1 + (segment.length - segment.trimStart().length);
    offset += segment.length + 1;
    if (segment.trim() === '') {
      // A trailing ";" is part of the grammar; an empty tag elsewhere is not, though tolerated.
      if (i > 0 && i < segments.length - 1) {
        findings.push(finding('dmarc-nonstandard-syntax', { reason: 'empty-tag', position }));
      }
      continue;
    }
    if (!lineBreakSeen && /[^\S \t]/.test(segment)) {
      lineBreakSeen = true;
      findings.push(finding('dmarc-nonstandard-syntax', { reason: 'line-break', position }));
    }
    if (tags.length >= MAX_DMARC_TAGS) return { tags, tooMany: true, count: segments.length };
    const m = /^\s*([^=]*?)\s*=\s*(.*?)\s*$/s.exec(segment);
    if (!m) {
      const colon = /^\s*([A-Za-z]+)\s*:/.exec(segment);
      findings.push(
        finding('dmarc-syntax-error', {
          reason: colon ? 'colon-for-equals' : 'no-equals',
          near: segment.trim(),
          position,
          ...(colon ? { tag: colon[1]!.toLowerCase() } : {}),
        }),
      );
      continue;
    }
    const [, name, value] = m as unknown as [string, string, string];
    if (!/^[A-Za-z]+$/.test(name)) {
      findings.push(finding('dmarc-syntax-error', { reason: 'bad-name', near: segment.trim(), position }));
      continue;
    }
    if (value === '') {
      findings.push(
        finding('dmarc-syntax-error', { reason: 'empty-value', tag: name.toLowerCase(), position }),
      );
      continue;
    }
    const bad = /[^\x20-\x3a\x3c-\x7e]/.exec(value.replace(/[\r\n\t]/g, ' '));
    if (bad) {
      findings.push(
        finding('dmarc-syntax-error', {
          reason: 'bad-character',
          tag: name.toLowerCase(),
          char: bad[0],
          codePoint: `U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`,
          fullwidth: /[；＝，：\u3000]/.test(bad[0]),
          position: position + segment.trimStart().indexOf(bad[0]),
        }),
      );
      continue;
    }
    tags.push({ name: name.toLowerCase(), value, position });
  }
  return { tags, tooMany: false, count: tags.length };
}

function defaults(): DmarcTags {
  return {
    v: { value: 'DMARC1', explicit: true },
    p: { value: 'none', explicit: false },
    sp: { value: 'none', explicit: false },
    np: { value: 'none', explicit: false },
    adkim: { value: 'r', explicit: false },
    aspf: { value: 'r', explicit: false },
    fo: { value: ['0'], explicit: false },
    rua: { value: [], explicit: false },
    ruf: { value: [], explicit: false },
    psd: { value: 'u', explicit: false },
    t: { value: 'n', explicit: false },
  };
}

function interpret(text: string, raw: RawTag[], findings: Finding[], ctx: DmarcLintContext): DmarcRecord {
  const tags = defaults();
  const record: DmarcRecord = {
    text,
    tags,
    published: raw.map((t) => ({ name: t.name, value: t.value })),
    removed: [],
    unknown: [],
    effect: 'apply',
  };
  const seen = new Map<string, RawTag>();
  const policyFindings: Finding[] = [];
  for (const [index, tag] of raw.entries()) {
    const first = seen.get(tag.name);
    if (first) {
      // Receivers differ on which copy wins; Sumi reads the first, as most parsers do.
      findings.push(
        finding('dmarc-duplicate-tag', {
          tag: tag.name,
          first: first.value,
          second: tag.value,
          position: tag.position,
        }),
      );
      continue;
    }
    seen.set(tag.name, tag);
    if (index === 0) continue;
    if (isRemovedTag(tag.name)) {
      record.removed.push({ name: tag.name, value: tag.value });
      findings.push(finding('dmarc-removed-tag', { tag: tag.name, value: tag.value }));
    } else if (!isDmarcTag(tag.name)) {
      record.unknown.push({ name: tag.name, value: tag.value });
      const near = nearestTags(tag.name);
      findings.push(
        finding('dmarc-unknown-tag', {
          tag: tag.name,
          value: tag.value,
          ...(near.length ? { suggestion: near.join(', ') } : {}),
        }),
      );
    } else {
      readValue(tag.name, tag, tags, findings, policyFindings);
    }
  }
  const second = raw[1];
  if (seen.has('p') && second && second.name !== 'p') {
    findings.push(finding('dmarc-policy-not-second', { second: second.name }));
  }
  if (!tags.sp.explicit) tags.sp.value = tags.p.value;
  if (!tags.np.explicit) tags.np.value = tags.sp.explicit ? tags.sp.value : tags.p.value;

  const usableRua = tags.rua.value.some((u) => u.uri !== undefined);
  const policyBroken = !tags.p.explicit || tags.sp.invalid !== undefined || tags.np.invalid !== undefined;
  record.effect = policyBroken ? (usableRua ? 'monitor' : 'ignore') : 'apply';
  for (const f of policyFindings) {
    f.args = { ...f.args, effect: record.effect };
    findings.push(f);
  }
  if (!seen.has('p')) findings.push(finding('dmarc-policy-missing', { effect: record.effect }));
  checkPolicies(record, findings, ctx);
  checkReporting(record, findings);
  return record;
}

function readValue(
  name: DmarcTagName,
  tag: RawTag,
  tags: DmarcTags,
  findings: Finding[],
  policyFindings: Finding[],
): void {
  const value = tag.value;
  const lower = value.toLowerCase();
  const invalid = (allowed: readonly string[], list: string, to: Finding[] = findings) => {
    const suggestion = nearestValue(value, allowed);
    to.push(
      finding('dmarc-invalid-value', {
        tag: name,
        value,
        allowed: list,
        ...(suggestion !== undefined ? { suggestion } : {}),
        ...(/\s[A-Za-z]+\s*=/.test(value) ? { hint: 'missing-semicolon' } : {}),
      }),
    );
  };
  switch (name) {
    case 'v':
      return;
    case 'p':
    case 'sp':
    case 'np':
      if ((DMARC_POLICIES as readonly string[]).includes(lower))
        tags[name] = { value: lower as DmarcPolicy, explicit: true };
      else {
        tags[name].invalid = value;
        invalid(DMARC_POLICIES, POLICY_VALUES, policyFindings);
      }
      return;
    case 'adkim':
    case 'aspf':
      if ((ALIGNMENT_MODES as readonly string[]).includes(lower))
        tags[name] = { value: lower as AlignmentMode, explicit: true };
      else {
        tags[name].invalid = value;
        invalid(ALIGNMENT_MODES, 'r, s');
      }
      return;
    case 'psd':
      if ((PSD_FLAGS as readonly string[]).includes(lower))
        tags.psd = { value: lower as PsdFlag, explicit: true };
      else {
        tags.psd.invalid = value;
        invalid(PSD_FLAGS, 'y, n, u');
      }
      return;
    case 't':
      if ((YES_NO as readonly string[]).includes(lower)) tags.t = { value: lower as YesNo, explicit: true };
      else {
        tags.t.invalid = value;
        invalid(YES_NO, 'y, n');
      }
      return;
    case 'fo': {
      const options = lower.split(':').map((o) => o.trim());
      const valid =
        options.every((o) => (FAILURE_OPTIONS as readonly string[]).includes(o)) &&
        new Set(options).size === options.length;
      if (!valid) {
        tags.fo.invalid = value;
        invalid([], '0, 1, d, s');
        return;
      }
      tags.fo = { value: options as FailureOption[], explicit: true };
      if (options.includes('0') && options.includes('1'))
        findings.push(finding('dmarc-fo-conflict', { value }));
      return;
    }
    case 'rua':
    case 'ruf':
      tags[name] = { value: splitUriList(value).map(parseReportUri), explicit: true };
      return;
  }
}

function checkPolicies(record: DmarcRecord, findings: Finding[], ctx: DmarcLintContext): void {
  const { p, sp, np, t, psd } = record.tags;
  if (p.explicit && p.value === 'none') findings.push(finding('dmarc-policy-none'));
  if (p.explicit && sp.explicit) {
    if (policyStrength(sp.value) < policyStrength(p.value)) {
      findings.push(finding('dmarc-subdomain-policy-weaker', { sp: sp.value, p: p.value }));
    } else if (sp.value === 'none' && p.value === 'none') {
      findings.push(finding('dmarc-subdomain-policy-none'));
    }
  }
  if (p.explicit && np.explicit && policyStrength(np.value) < policyStrength(p.value)) {
    findings.push(finding('dmarc-nonexistent-policy-weaker', { np: np.value, p: p.value }));
  }
  if (t.explicit && t.value === 'y') {
    const enforcing = [p, sp, np].some((x) => x.value !== 'none');
    findings.push(
      finding(
        'dmarc-testing-mode',
        { p: p.value, applied: policyBelow(p.value) },
        enforcing ? {} : { severity: 'info' },
      ),
    );
  }
  if (psd.explicit && psd.value === 'y' && ctx.domain !== undefined) {
    const suffix = publicSuffix(ctx.domain);
    if (suffix !== undefined && suffix !== ctx.domain.toLowerCase()) {
      findings.push(finding('dmarc-psd-not-public-suffix', { domain: ctx.domain }));
    }
  }
  if (ctx.parked) {
    const weak =
      record.effect !== 'apply' || [p, sp, np].some((x) => x.value !== 'reject') || t.value === 'y';
    if (weak) {
      findings.push(
        finding('dmarc-parked-not-reject', {
          p: p.value,
          sp: sp.value,
          np: np.value,
          testing: t.value === 'y',
        }),
      );
    }
  }
}

function checkReporting(record: DmarcRecord, findings: Finding[]): void {
  const { rua, ruf, fo } = record.tags;
  for (const name of ['rua', 'ruf'] as const) {
    const tag = record.tags[name];
    const seenUris = new Set<string>();
    for (const u of tag.value) {
      if (u.problem) {
        findings.push(
          finding('dmarc-invalid-uri', {
            tag: name,
            uri: u.text,
            problem: u.problem,
            ...(u.repaired ? { repaired: u.repaired } : {}),
          }),
        );
        continue;
      }
      if (u.sizeLimit)
        findings.push(finding('dmarc-report-size-limit', { tag: name, uri: u.text, size: u.sizeLimit }));
      if (u.scheme !== 'mailto')
        findings.push(finding('dmarc-uri-not-mailto', { tag: name, uri: u.uri, scheme: u.scheme }));
      const key = u.uri!.toLowerCase();
      if (seenUris.has(key)) findings.push(finding('dmarc-duplicate-uri', { tag: name, uri: u.uri }));
      seenUris.add(key);
    }
    if (seenUris.size > MAX_REPORT_URIS) {
      findings.push(
        finding('dmarc-too-many-uris', { tag: name, count: seenUris.size, max: MAX_REPORT_URIS }),
      );
    }
  }
  const usable = (list: ReportUri[]) => list.some((u) => u.uri !== undefined);
  if (!usable(rua.value)) findings.push(finding('dmarc-no-rua', { published: rua.explicit }));
  if (usable(ruf.value)) findings.push(finding('dmarc-ruf-privacy'));
  if (fo.explicit && !usable(ruf.value))
    findings.push(finding('dmarc-fo-without-ruf', { fo: fo.value.join(':') }));
}

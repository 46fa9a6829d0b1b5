import { type Finding, finding } from '../finding.ts';

/**
 * BIMI Assertion Records (draft-brand-indicators-for-message-identification): classify the
 * TXT records found at `<selector>._bimi.<domain>`, parse and lint one record, and write one.
 * Pure: text in, data out.
 */

export const BIMI_VERSION = 'BIMI1';
export const DEFAULT_BIMI_SELECTOR = 'default';
/** A record longer than this is not parsed: two URLs and a few tags fit in a fraction of it. */
export const MAX_BIMI_RECORD_LENGTH = 2048;
/** lps prefixes are 1*63 of ALPHA / DIGIT / "-" (draft, local-part-prefix). */
const LPS_PREFIX = /^[A-Za-z0-9-]{1,63}$/;
/** Raster and other non-SVG suffixes: an `l=` ending in one of these is a permanent error (draft). */
const NON_SVG_SUFFIX = /\.(png|jpe?g|gif|webp|bmp|ico|tiff?|avif|heic|pdf)$/i;
const KNOWN_TAGS: ReadonlySet<string> = new Set(['v', 'l', 'a', 'avp', 'lps']);
/** FWS/WSP as DKIM tag-lists allow them (RFC 6376 s3.2). */
const WSP = '[ \\t\\r\\n]';
const TAG_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
/** tag-value = [ tval *( 1*(WSP / FWS) tval ) ], tval = 1*VALCHAR (%x21-3A / %x3C-7E). */
const TAG_VALUE = /^(?:[\x21-\x3a\x3c-\x7e]+(?:[ \t\r\n]+[\x21-\x3a\x3c-\x7e]+)*)?$/;

export type AvatarPreference = 'brand' | 'personal';

/** One tag's value, and whether the record said it (false: the draft's default applies). */
export interface BimiTag<T> {
  value: T;
  explicit: boolean;
}

export interface BimiRecord {
  tags: {
    v: BimiTag<string>;
    /** Indicator URLs; empty when `l=` is empty (or absent). */
    l: BimiTag<string[]>;
    /** Evidence document URL; "" when `a=` is empty, absent or `self` (no evidence). */
    a: BimiTag<string>;
    avp: BimiTag<AvatarPreference>;
    /** Local-part selector prefixes; null when `lps=` is absent, [] when empty (every local part). */
    lps: BimiTag<string[] | null>;
  };
  /** `l=` and `a=` both empty: the domain owner declines to publish an indicator. */
  declined: boolean;
  /** Tags the draft does not define (ignored by receivers), in record order. */
  unknownTags: { name: string; value: string }[];
}

export interface BimiRecordLint {
  /** The record's meaning, as far as it could be read (absent only when nothing could). */
  record?: BimiRecord;
  findings: Finding[];
  /** No error-severity finding. */
  valid: boolean;
}

/** What a TXT record at a BIMI name is. */
export type BimiTxtKind = 'bimi' | 'bimi-bad-version' | 'spf' | 'unrelated';

export function classifyBimiTxt(text: string): BimiTxtKind {
  if (new RegExp(`^${WSP}*v${WSP}*=${WSP}*${BIMI_VERSION}${WSP}*(;|$)`).test(text)) return 'bimi';
  if (new RegExp(`^${WSP}*v${WSP}*=${WSP}*bimi`, 'i').test(text)) return 'bimi-bad-version';
  if (/^v=spf1(\s|$)/i.test(text.trimStart())) return 'spf';
  return 'unrelated';
}

interface RawTag {
  name: string;
  value: string;
  /** Offset of the tag's first character in the record. */
  at: number;
}

/** Parses and lints one BIMI record (`where`: the DNS name it came from, kept on findings). */
export function parseBimiRecord(text: string, where?: string): BimiRecordLint {
  const findings: Finding[] = [];
  const at = { record: text, ...(where !== undefined ? { where } : {}) };
  const add = (f: Finding) => findings.push(f);
  const done = (record?: BimiRecord): BimiRecordLint => ({
    ...(record ? { record } : {}),
    findings,
    valid: !findings.some((f) => f.severity === 'error'),
  });

  if (text.length > MAX_BIMI_RECORD_LENGTH) {
    add(
      finding(
        'bimi-record-too-long',
        { length: text.length, limit: MAX_BIMI_RECORD_LENGTH },
        { ...at, record: `${text.slice(0, 80)}…` },
      ),
    );
    return done();
  }

  const raw: RawTag[] = [];
  let offset = 0;
  const segments = text.split(';');
  segments.forEach((segment, i) => {
    const segmentAt = offset;
    offset += segment.length + 1;
    if (segment.trim() === '') {
      // A trailing ";" is allowed; an empty tag-spec elsewhere is not (RFC 6376 tag-list).
      if (i === segments.length - 1) return;
      add(syntaxError(text, segmentAt, 'empty-tag', at));
      return;
    }
    const eq = segment.indexOf('=');
    if (eq === -1) {
      add(syntaxError(text, segmentAt + firstNonSpace(segment), 'missing-equals', at));
      return;
    }
    const name = segment.slice(0, eq).trim();
    const nameAt = segmentAt + firstNonSpace(segment);
    if (!TAG_NAME.test(name)) {
      add(syntaxError(text, nameAt, 'bad-tag-name', at));
      return;
    }
    const value = segment.slice(eq + 1).replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    if (!TAG_VALUE.test(value)) {
      const valueAt = segmentAt + eq + 1 + firstNonSpace(segment.slice(eq + 1));
      const bad = [...value].findIndex((c, k) => !/[\x21-\x3a\x3c-\x7e]/.test(c) && !isInnerSpace(value, k));
      add(syntaxError(text, valueAt + Math.max(bad, 0), 'bad-character', at));
      return;
    }
    raw.push({ name, value, at: nameAt });
  });

  const first = raw[0];
  if (first?.name !== 'v') {
    add(syntaxError(text, first?.at ?? 0, 'version-not-first', at));
  }

  const seen = new Map<string, RawTag>();
  const unknownTags: { name: string; value: string }[] = [];
  for (const tag of raw) {
    if (seen.has(tag.name)) {
      add(finding('bimi-duplicate-tag', { tag: tag.name }, at));
      continue;
    }
    seen.set(tag.name, tag);
    if (!KNOWN_TAGS.has(tag.name)) {
      unknownTags.push({ name: tag.name, value: tag.value });
      add(finding('bimi-unknown-tag', { tag: tag.name, value: tag.value }, at));
    }
  }

  const v = seen.get('v');
  if (v && v.value !== BIMI_VERSION) {
    // The draft demands an exact match; a case-only difference is accepted by some receivers
    // (Mail::BIMI), so it is a warning rather than an error.
    const caseOnly = v.value.toUpperCase() === BIMI_VERSION;
    add(
      finding('bimi-invalid-version', caseOnly ? { value: v.value, caseOnly } : { value: v.value }, {
        ...at,
        ...(caseOnly ? { severity: 'warning' as const } : {}),
      }),
    );
  }

  const l = seen.get('l');
  const locations = l ? splitList(l.value) : [];
  if (!l) add(finding('bimi-location-missing', {}, at));
  if (locations.length > 1)
    add(finding('bimi-invalid-url', { tag: 'l', url: l?.value, reason: 'multiple' }, at));
  for (const url of locations) {
    const reason = urlProblem(url, 'l');
    if (reason) add(finding('bimi-invalid-url', { tag: 'l', url, reason }, at));
  }

  const a = seen.get('a');
  let evidence: string | undefined;
  if (a && a.value === 'self') {
    add(finding('bimi-evidence-self', {}, at));
  } else if (a && a.value !== '') {
    const urls = splitList(a.value);
    if (urls.length > 1) add(finding('bimi-invalid-url', { tag: 'a', url: a.value, reason: 'multiple' }, at));
    for (const url of urls) {
      const reason = urlProblem(url, 'a');
      if (reason) add(finding('bimi-invalid-url', { tag: 'a', url, reason }, at));
    }
    evidence = urls[0];
  }

  const avpTag = seen.get('avp');
  let avp: AvatarPreference = 'brand';
  if (avpTag) {
    if (avpTag.value === 'brand' || avpTag.value === 'personal') avp = avpTag.value;
    else add(finding('bimi-invalid-avp', { value: avpTag.value }, at));
  }

  const lpsTag = seen.get('lps');
  let lps: string[] | null = null;
  if (lpsTag) {
    lps = lpsTag.value === '' ? [] : lpsTag.value.split(',').map((p) => p.trim());
    for (const prefix of lps) {
      if (!LPS_PREFIX.test(prefix)) add(finding('bimi-invalid-lps', { prefix, value: lpsTag.value }, at));
    }
  }

  const declined = l !== undefined && locations.length === 0 && evidence === undefined;
  if (declined) add(finding('bimi-declined', {}, at));

  return done({
    tags: {
      v: { value: v?.value ?? BIMI_VERSION, explicit: v !== undefined },
      l: { value: locations, explicit: l !== undefined },
      a: { value: evidence ?? '', explicit: a !== undefined },
      avp: { value: avp, explicit: avpTag !== undefined },
      lps: { value: lps, explicit: lpsTag !== undefined },
    },
    declined,
    unknownTags,
  });
}

function firstNonSpace(s: string): number {
  const m = /[^ \t\r\n]/.exec(s);
  return m ? m.index : 0;
}

function isInnerSpace(value: string, k: number): boolean {
  return /[ \t\r\n]/.test(value[k] ?? '') && k > 0 && k < value.length - 1;
}

function splitList(value: string): string[] {
  if (value === '') return [];
  return value.split(',').map((u) => u.trim());
}

const MARK = '➞';

function syntaxError(
  text: string,
  position: number,
  reason: string,
  at: { record: string; where?: string },
): Finding {
  const marked = `${text.slice(0, position)}${MARK}${text.slice(position)}`;
  return finding('bimi-syntax-error', { position, reason, marked }, at);
}

/** Why a URL in `l=`/`a=` is unusable, or undefined when it is a proper https URL with a host name. */
export function urlProblem(url: string, tag: 'l' | 'a'): string | undefined {
  if (url === '' || /[\s"<>\\^`{|}]/.test(url)) return 'malformed';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'malformed';
  }
  if (parsed.protocol !== 'https:') return 'not-https';
  if (parsed.username !== '' || parsed.password !== '') return 'credentials';
  const host = parsed.hostname;
  if (host.startsWith('[') || /^\d+(\.\d+){3}$/.test(host)) return 'ip-address';
  if (!host.includes('.')) return 'not-fqdn';
  if (tag === 'l' && NON_SVG_SUFFIX.test(parsed.pathname)) return 'not-svg';
  return undefined;
}

export interface BimiRecordOptions {
  /** The domain the record is for (the From domain or its organisational domain). */
  domain: string;
  /** Selector (default "default"). */
  selector?: string;
  /** https URL of the SVG Tiny PS logo; "" writes a declination record. */
  logoUrl: string;
  /** https URL of the PEM mark certificate (VMC or CMC). */
  certificateUrl?: string;
  avp?: AvatarPreference;
  /** Local-part selector prefixes (`lps=`); [] for "every local part". */
  lps?: string[];
}

export interface BuiltBimiRecord {
  name: string;
  type: 'TXT';
  value: string;
  /** What the linter says about the written record (errors mean the options were wrong). */
  findings: Finding[];
  valid: boolean;
}

/** Writes a BIMI record for `sumi record bimi`, checked by the same linter as published ones. */
export function buildBimiRecord(options: BimiRecordOptions): BuiltBimiRecord {
  const selector = (options.selector ?? DEFAULT_BIMI_SELECTOR).toLowerCase();
  const domain = options.domain.toLowerCase().replace(/\.$/, '');
  const name = `${selector}._bimi.${domain}`;
  const parts = [`v=${BIMI_VERSION}`, `l=${options.logoUrl}`];
  if (options.certificateUrl !== undefined || options.logoUrl === '')
    parts.push(`a=${options.certificateUrl ?? ''}`);
  if (options.avp !== undefined) parts.push(`avp=${options.avp}`);
  if (options.lps !== undefined) parts.push(`lps=${options.lps.join(',')}`);
  const value = options.logoUrl === '' && !options.certificateUrl ? `${parts.join('; ')};` : parts.join('; ');
  const lint = parseBimiRecord(value, name);
  const findings = [...lint.findings];
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(selector)) {
    findings.push(finding('bimi-invalid-selector', { selector }, { where: name }));
  }
  return { name, type: 'TXT', value, findings, valid: !findings.some((f) => f.severity === 'error') };
}

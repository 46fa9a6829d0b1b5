import { type Finding, finding } from '../finding.ts';

/**
 * The MTA-STS policy file served at `https://mta-sts.<domain>/.well-known/mta-sts.txt`
 * (RFC 8461 s3.2): `key: value` lines separated by CRLF or LF (the ABNF's sts-policy-term
 * allows both; erratum 6253), keys case-sensitive, `mx` repeatable, other keys first-wins.
 */

export type MtaStsMode = 'enforce' | 'testing' | 'none';

export interface MtaStsPolicy {
  version?: string;
  mode?: string;
  /** Seconds; undefined when absent or not a valid number. */
  maxAge?: number;
  /** `mx` patterns in order, as written. */
  mx: string[];
  /** Keys RFC 8461 does not define, first value of each. */
  extensions: Record<string, string>;
  lineEnding: 'crlf' | 'lf' | 'mixed' | 'none';
}

export interface MtaStsPolicyResult {
  policy?: MtaStsPolicy;
  findings: Finding[];
  /** Senders would apply this policy. */
  valid: boolean;
}

/** RFC 8461 s3.3 lets senders cap the body; Sumi fetches and parses at most this much. */
export const MAX_MTA_STS_POLICY_BYTES = 64 * 1024;
/** RFC 8461 s3.2: max_age is at most 31557600 seconds (a year). */
export const MTA_STS_MAX_AGE_LIMIT = 31_557_600;
/** Below a day, senders refetch constantly and a policy gives little protection. */
export const MTA_STS_MIN_MAX_AGE = 86_400;
/** An enforce policy is meant to outlive an attack window: at least a week. */
export const MTA_STS_MIN_ENFORCE_MAX_AGE = 604_800;
/** Line problems reported one by one before the rest are summed up in one finding. */
export const MAX_POLICY_LINE_FINDINGS = 20;

const KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
const KNOWN_KEYS = new Set(['version', 'mode', 'max_age', 'mx']);
const MODES: ReadonlySet<string> = new Set(['enforce', 'testing', 'none']);
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
// ignoreBOM keeps a byte-order mark in the text, so it can be reported rather than silently dropped.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function parseMtaStsPolicy(body: Buffer | string, at: { url?: string } = {}): MtaStsPolicyResult {
  const base = at.url ? { url: at.url } : {};
  const findings: Finding[] = [];
  const invalid = (problem: string, args: Record<string, string | number> = {}) =>
    findings.push(finding('mta-sts-policy-invalid', { ...base, problem, ...args }));

  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  if (bytes.length > MAX_MTA_STS_POLICY_BYTES) {
    findings.push(finding('mta-sts-policy-too-large', { ...base, max: MAX_MTA_STS_POLICY_BYTES }));
    return { findings, valid: false };
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    invalid('invalid-utf8');
    return { findings, valid: false };
  }
  if (text.trim() === '') {
    invalid('empty');
    return { findings, valid: false };
  }
  if (text.charCodeAt(0) === 0xfeff) {
    invalid('bom', { line: 1 });
    return { findings, valid: false };
  }
  if (/^\s*</.test(text)) {
    // A web page served in place of the policy (often a 200 "not found" page).
    invalid('html', { line: 1 });
    return { findings, valid: false };
  }

  const policy: MtaStsPolicy = { mx: [], extensions: {}, lineEnding: lineEnding(text) };
  let valid = true;
  let lineProblems = 0;
  const lineProblem = (problem: string, line: number, near: string) => {
    valid = false;
    lineProblems++;
    if (lineProblems <= MAX_POLICY_LINE_FINDINGS) invalid(problem, { line, near: near.slice(0, 80) });
  };
  const seen = new Map<string, string>();
  const duplicates = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = i + 1;
    if (raw.trim() === '') continue;
    if (/^[ \t]/.test(raw)) {
      lineProblem('leading-space', line, raw);
      continue;
    }
    const colon = raw.indexOf(':');
    if (colon === -1) {
      lineProblem('no-colon', line, raw);
      continue;
    }
    const key = raw.slice(0, colon);
    const value = raw.slice(colon + 1).trim();
    if (/[ \t]$/.test(key)) {
      lineProblem('space-before-colon', line, raw);
      continue;
    }
    if (!KEY.test(key)) {
      lineProblem('bad-key', line, raw);
      continue;
    }
    if (CONTROL.test(value)) {
      lineProblem('control-char', line, raw);
      continue;
    }
    if (value === '') {
      lineProblem('empty-value', line, raw);
      continue;
    }
    if (key === 'mx') {
      policy.mx.push(value);
      continue;
    }
    if (seen.has(key)) {
      if (!duplicates.has(key)) {
        duplicates.add(key);
        findings.push(finding('mta-sts-policy-duplicate-key', { ...base, key, used: seen.get(key)! }));
      }
      continue;
    }
    seen.set(key, value);
    if (key === 'version') policy.version = value;
    else if (key === 'mode') policy.mode = value;
    else if (key === 'max_age') {
      const n = /^\d{1,10}$/.test(value) ? Number(value) : Number.NaN;
      if (n <= MTA_STS_MAX_AGE_LIMIT) policy.maxAge = n;
      else {
        findings.push(
          finding('mta-sts-policy-max-age-invalid', { ...base, value, max: MTA_STS_MAX_AGE_LIMIT }),
        );
        valid = false;
      }
    } else if (!KNOWN_KEYS.has(key)) policy.extensions[key] = value;
  }
  if (lineProblems > MAX_POLICY_LINE_FINDINGS) {
    invalid('more-lines', { count: lineProblems - MAX_POLICY_LINE_FINDINGS });
  }

  const unknown = Object.keys(policy.extensions);
  if (unknown.length > 0)
    findings.push(finding('mta-sts-policy-unknown-key', { ...base, keys: unknown.join(', ') }));

  for (const [field, present] of [
    ['version', policy.version],
    ['mode', policy.mode],
    ['max_age', seen.get('max_age')],
  ] as const) {
    if (present === undefined) {
      findings.push(finding('mta-sts-policy-field-missing', { ...base, field }));
      valid = false;
    }
  }
  if (policy.version !== undefined && policy.version !== 'STSv1') {
    findings.push(finding('mta-sts-policy-version-invalid', { ...base, value: policy.version }));
    valid = false;
  }
  if (policy.mode !== undefined && !MODES.has(policy.mode)) {
    findings.push(finding('mta-sts-policy-mode-invalid', { ...base, value: policy.mode }));
    valid = false;
  }
  for (const pattern of policy.mx) {
    const reason = mxPatternProblem(pattern);
    if (reason) {
      findings.push(finding('mta-sts-policy-mx-invalid', { ...base, pattern, reason }));
      valid = false;
    }
  }
  const mode = policy.mode;
  if ((mode === 'enforce' || mode === 'testing') && policy.mx.length === 0) {
    findings.push(finding('mta-sts-policy-mx-missing', { ...base, mode }));
    valid = false;
  }
  if (policy.maxAge !== undefined && (mode === 'enforce' || mode === 'testing')) {
    const min = mode === 'enforce' ? MTA_STS_MIN_ENFORCE_MAX_AGE : MTA_STS_MIN_MAX_AGE;
    if (policy.maxAge < min)
      findings.push(finding('mta-sts-policy-max-age-short', { ...base, mode, value: policy.maxAge, min }));
  }
  if (mode === 'testing') findings.push(finding('mta-sts-mode-testing', base));
  if (mode === 'none') findings.push(finding('mta-sts-mode-none', base));
  return { policy, findings, valid };
}

function lineEnding(text: string): MtaStsPolicy['lineEnding'] {
  const crlf = (text.match(/\r\n/g) ?? []).length;
  const lf = (text.match(/\n/g) ?? []).length - crlf;
  if (crlf === 0 && lf === 0) return 'none';
  if (lf === 0) return 'crlf';
  return crlf === 0 ? 'lf' : 'mixed';
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

/**
 * Why an `mx` pattern is unusable, or undefined when it is fine: a domain name of LDH labels,
 * optionally `*.` as the whole leftmost label (RFC 8461 s4.1).
 */
export function mxPatternProblem(pattern: string): 'wildcard' | 'trailing-dot' | 'syntax' | undefined {
  if (pattern.endsWith('.')) return 'trailing-dot';
  const name = pattern.startsWith('*.') ? pattern.slice(2) : pattern;
  if (name.includes('*')) return 'wildcard';
  const labels = name.split('.');
  if (name.length > 253 || labels.length < 2 || !labels.every((l) => LABEL.test(l))) return 'syntax';
  if (/^\d+$/.test(labels[labels.length - 1]!)) return 'syntax';
  return undefined;
}

/**
 * RFC 8461 s4.1 matching: the whole host name must equal the pattern, or the pattern is
 * `*.suffix` and the host is exactly one label followed by `.suffix`. Anchored at both ends,
 * so `example.com` never matches `mail.example.com.evil`.
 */
export function mxPatternMatches(pattern: string, host: string): boolean {
  const p = normalize(pattern);
  const h = normalize(host);
  if (p.startsWith('*.')) {
    const suffix = p.slice(1);
    if (!h.endsWith(suffix)) return false;
    const first = h.slice(0, h.length - suffix.length);
    return first.length > 0 && !first.includes('.');
  }
  return p === h;
}

/** The first pattern covering `host`, or undefined. */
export function coveringPattern(patterns: readonly string[], host: string): string | undefined {
  return patterns.find((p) => mxPatternMatches(p, host));
}

function normalize(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/**
 * Checks the policy response's Content-Type: RFC 8461 s3.2 requires text/plain (senders
 * SHOULD reject other types, so a web server serving HTML at that path is not trusted), and
 * the body is read as UTF-8, so another charset means the policy may be misread.
 */
export function lintPolicyContentType(contentType: string | undefined, at: { url?: string } = {}): Finding[] {
  const base = at.url ? { url: at.url } : {};
  if (contentType === undefined || contentType.trim() === '') {
    return [finding('mta-sts-policy-content-type-missing', base)];
  }
  const [type = '', ...params] = contentType.split(';').map((s) => s.trim());
  const out: Finding[] = [];
  if (type.toLowerCase() !== 'text/plain') {
    out.push(finding('mta-sts-policy-content-type', { ...base, contentType }));
  }
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq === -1 || param.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    const charset = param
      .slice(eq + 1)
      .trim()
      .replace(/^"|"$/g, '');
    if (!['utf-8', 'utf8', 'us-ascii'].includes(charset.toLowerCase())) {
      out.push(finding('mta-sts-policy-charset', { ...base, charset }));
    }
  }
  return out;
}

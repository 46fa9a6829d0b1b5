import { type Finding, finding } from '../finding.ts';
import { SPF_BROAD_IP4_PREFIX, SPF_BROAD_IP6_PREFIX, unroutableRange } from './ip.ts';
import { checkDomainSpec, domainNameProblem, scanMacroString } from './macro.ts';
import { markRecord, parseSpfRecord, parseTerm, spfVersionKind } from './parse.ts';
import type { SpfMechanism, SpfRecordParse, SpfTerm, TermPlace } from './types.ts';

/** RFC 1035 s3.3: one TXT character-string holds at most 255 bytes. */
export const SPF_MAX_STRING_BYTES = 255;
/** RFC 7208 s3.4: a record over 512 bytes may not fit a UDP answer. */
export const SPF_MAX_UDP_BYTES = 512;
/** RFC 7208 s3.4: keep the record under 450 bytes so the whole answer fits in 512. */
export const SPF_RECOMMENDED_BYTES = 450;

/** Registered modifiers beyond redirect/exp (RFC 6652 failure reporting): not "unknown". */
const KNOWN_EXTRA_MODIFIERS: ReadonlySet<string> = new Set(['ra', 'rp', 'rr']);

export interface SpfLintInput {
  record: string;
  /** TXT character-strings as published; their boundaries show terms split or run together. */
  strings?: string[];
  /** Byte length of each string (defaults to the UTF-8 length of `strings`, or of the record). */
  lengths?: number[];
  /**
   * `policy`: the record decides the domain's result (the domain's own record, or one reached
   * through redirect=), so its `all` matters. `include`: only its matches count.
   */
  role?: 'policy' | 'include';
  /** The domain sends no mail: the record should be exactly "v=spf1 -all". */
  parked?: boolean;
  /** The record was not valid UTF-8. */
  invalidUtf8?: boolean;
  /** Put on every finding (where the record was found, or the include chain). */
  where?: string;
}

export interface RunTogether {
  /** The token as published. */
  token: TermPlace;
  /** Where the second term starts (record index). */
  at: number;
  /** The join falls exactly on a TXT string boundary (strings are joined with nothing between them). */
  stringBoundary: boolean;
  /** The token with the missing spaces put back. */
  fixed: string;
}

export interface SpfLint {
  parse: SpfRecordParse;
  findings: Finding[];
  /** Receivers return permerror for this record from its text alone (syntax, duplicate redirect/exp). */
  permerror: boolean;
  runTogether: RunTogether[];
}

const utf8 = new TextEncoder();

/** A term start hiding inside a token (a space forgotten before it). */
const EMBEDDED_TERM =
  /^(?:[+\-~?]?(?:include|exists|ip4|ip6|a|mx|ptr):|(?:redirect|exp)=|[+\-~?]?all$|[+\-~?](?:mx|a|ptr)(?:\/|$))/i;
/** The same, matched at a position without copying the rest of the token. */
const EMBEDDED_TERM_AT = new RegExp(EMBEDDED_TERM.source.slice(1), 'iy');

type Split = { at: number; fixed: string } | undefined;

/** Longest first term searched for when splitting a token. */
const RUN_TOGETHER_WINDOW = 300;
/** Term parses spent on one token before giving up: a token built of near-terms stays cheap. */
export const SPF_RUN_TOGETHER_BUDGET = 256;

interface SplitState {
  memo: Map<number, Split>;
  budget: number;
}

function validTerm(text: string, start: number, state: SplitState): boolean {
  state.budget--;
  return !parseTerm(text, start).issue;
}

/**
 * Splits a token into valid terms where a term start hides inside it. Suffixes are memoised and
 * the parses spent are capped: without that, a long token full of near-terms takes exponential time.
 */
function splitRunTogether(text: string, start: number, state: SplitState): Split {
  if (state.memo.has(start)) return state.memo.get(start);
  let result: Split;
  // A term is a name plus at most a 253-character domain and a prefix length: look no further.
  const limit = Math.min(text.length, RUN_TOGETHER_WINDOW);
  for (let k = 1; k < limit && !result && state.budget > 0; k++) {
    EMBEDDED_TERM_AT.lastIndex = k;
    if (!EMBEDDED_TERM_AT.test(text)) continue;
    if (!validTerm(text.slice(0, k), start, state)) continue;
    const right = text.slice(k);
    // "mx:y.example.com-all" parses (com-all is a valid label) but is still two terms.
    const further = splitRunTogether(right, start + k, state);
    if (further) result = { at: start + k, fixed: `${text.slice(0, k)} ${further.fixed}` };
    else if (validTerm(right, start + k, state))
      result = { at: start + k, fixed: `${text.slice(0, k)} ${right}` };
  }
  state.memo.set(start, result);
  return result;
}

const newState = (): SplitState => ({ memo: new Map(), budget: SPF_RUN_TOGETHER_BUDGET });

/** Tokens that are two (or more) valid terms with the space between them missing. */
export function findRunTogether(parse: SpfRecordParse, strings?: string[]): RunTogether[] {
  const boundaries = new Set<number>();
  let offset = 0;
  for (const s of strings ?? []) {
    offset += s.length;
    boundaries.add(offset);
  }
  const found: RunTogether[] = [];
  for (const token of parse.tokens) {
    // Prefer the split at a string boundary when there is one inside the token.
    let split: { at: number; fixed: string } | undefined;
    for (const b of boundaries) {
      if (b <= token.start || b >= token.end) continue;
      const left = token.text.slice(0, b - token.start);
      const right = token.text.slice(b - token.start);
      if (!EMBEDDED_TERM.test(right) || parseTerm(left, token.start).issue) continue;
      const rest = parseTerm(right, b).issue
        ? splitRunTogether(right, b, newState())
        : { at: b, fixed: right };
      if (rest) split = { at: b, fixed: `${left} ${rest.fixed}` };
    }
    split ??= splitRunTogether(token.text, token.start, newState());
    if (split) found.push({ token, ...split, stringBoundary: boundaries.has(split.at) });
  }
  return found;
}

/** The record with the missing spaces put back. */
export function repaired(record: string, runTogether: readonly RunTogether[]): string {
  let text = record;
  // Right to left, so earlier positions stay valid.
  for (const r of [...runTogether].sort((a, b) => b.token.start - a.token.start)) {
    text = text.slice(0, r.token.start) + r.fixed + text.slice(r.token.end);
  }
  return text;
}

/** The target a term looks up, lower case without the trailing dot (undefined for bare a/mx/ptr). */
export function termTarget(term: SpfTerm): string | undefined {
  const spec = term.kind === 'mechanism' ? term.domainSpec : term.value;
  if (spec === undefined) return undefined;
  const lower = spec.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** The first `all` mechanism: evaluation never goes past it. */
export function firstAll(terms: readonly SpfTerm[]): SpfMechanism | undefined {
  return terms.find((t): t is SpfMechanism => t.kind === 'mechanism' && t.name === 'all');
}

/** Every problem an SPF record shows by its text alone, without DNS. */
export function lintSpfRecord(input: SpfLintInput): SpfLint {
  const { record } = input;
  const role = input.role ?? 'policy';
  const at = { record, ...(input.where !== undefined ? { where: input.where } : {}) };
  const findings: Finding[] = [];
  const parse = parseSpfRecord(record);

  if (input.invalidUtf8) findings.push(finding('spf-invalid-utf8', {}, at));
  if (!parse.isSpf) {
    const first = parse.errors[0]!;
    if (spfVersionKind(record) === 'malformed') {
      findings.push(finding('spf-malformed-version', { position: first.position, found: first.found }, at));
    } else {
      findings.push(
        finding(
          'spf-syntax-error',
          {
            position: first.position,
            expected: first.expected,
            found: first.found,
            marked: markRecord(record, first.position),
          },
          at,
        ),
      );
    }
    return { parse, findings, permerror: true, runTogether: [] };
  }

  const runTogether = findRunTogether(parse, input.strings);
  for (const r of runTogether) {
    findings.push(
      finding(
        'spf-terms-run-together',
        {
          term: r.token.text,
          position: r.at,
          stringBoundary: r.stringBoundary,
          fixed: r.fixed,
          marked: markRecord(record, r.at),
        },
        at,
      ),
    );
  }
  const explained = new Set(runTogether.map((r) => r.token.start));
  for (const e of parse.errors) {
    const token = parse.tokens.find(
      (t) => e.position >= t.start && e.position < Math.max(t.end, t.start + 1),
    );
    if (token && explained.has(token.start)) continue;
    const args: Record<string, string | number> = {
      position: e.position,
      term: e.term,
      expected: e.expected,
      found: e.found,
      marked: markRecord(record, e.position),
    };
    if (e.hint) args.hint = e.hint;
    if (e.name) args.name = e.name;
    findings.push(finding(e.code, args, at));
  }

  findings.push(...sizeFindings(input, at));
  // Judge the terms as the author meant them: "ip4:192.0.2.1~all" still ends in ~all.
  const meant = runTogether.length > 0 ? parseSpfRecord(repaired(record, runTogether)).terms : parse.terms;
  findings.push(...termFindings(meant, role, at));
  if (role === 'policy' && input.parked && !isDenyAll(parse))
    findings.push(finding('spf-parked-not-deny-all', {}, at));

  return { parse, findings, permerror: parse.errors.length > 0, runTogether };
}

function isDenyAll(parse: SpfRecordParse): boolean {
  const [only, ...more] = parse.terms;
  return (
    parse.errors.length === 0 &&
    more.length === 0 &&
    only?.kind === 'mechanism' &&
    only.name === 'all' &&
    only.qualifier === '-'
  );
}

function sizeFindings(input: SpfLintInput, at: { record: string; where?: string }): Finding[] {
  const out: Finding[] = [];
  const lengths = input.lengths ?? (input.strings ?? [input.record]).map((s) => utf8.encode(s).length);
  lengths.forEach((bytes, index) => {
    if (bytes > SPF_MAX_STRING_BYTES) {
      out.push(finding('spf-string-too-long', { string: index + 1, bytes, limit: SPF_MAX_STRING_BYTES }, at));
    }
  });
  const total = lengths.reduce((a, b) => a + b, 0);
  if (total > SPF_MAX_UDP_BYTES) {
    out.push(finding('spf-record-too-large', { bytes: total, limit: SPF_MAX_UDP_BYTES }, at));
  } else if (total > SPF_RECOMMENDED_BYTES) {
    out.push(finding('spf-record-large', { bytes: total, limit: SPF_RECOMMENDED_BYTES }, at));
  }
  return out;
}

function termFindings(terms: SpfTerm[], role: 'policy' | 'include', at: { record: string; where?: string }) {
  const out: Finding[] = [];
  const all = firstAll(terms);
  const redirect = terms.find((t) => t.kind === 'modifier' && t.name === 'redirect');

  if (all) {
    if (all.qualifier === '+') out.push(finding('spf-permissive-all', { term: all.text }, at));
    else if (role === 'policy' && all.qualifier === '?')
      out.push(finding('spf-neutral-all', { term: all.text }, at));
    else if (role === 'policy' && all.qualifier === '~')
      out.push(finding('spf-softfail-all', { term: all.text }, at));
    else if (role === 'policy' && all.qualifier === '-')
      out.push(finding('spf-fail-all', { term: all.text }, at));
    const after = terms.filter((t) => t.kind === 'mechanism' && t.start > all.start);
    const otherAlls = after.filter((t) => t.kind === 'mechanism' && t.name === 'all');
    const others = after.filter((t) => !(t.kind === 'mechanism' && t.name === 'all'));
    if (others.length > 0) {
      out.push(
        finding('spf-terms-after-all', { all: all.text, terms: others.map((t) => t.text).join(' ') }, at),
      );
    }
    if (otherAlls.length > 0) out.push(finding('spf-multiple-all', { count: otherAlls.length + 1 }, at));
    if (redirect) out.push(finding('spf-redirect-ignored', { all: all.text, redirect: redirect.text }, at));
  } else if (!redirect && role === 'policy') {
    out.push(finding('spf-no-all', {}, at));
  }

  const includes = new Map<string, number>();
  for (const term of terms) {
    if (term.kind === 'modifier') {
      if (term.name !== 'redirect' && term.name !== 'exp' && !KNOWN_EXTRA_MODIFIERS.has(term.name)) {
        out.push(finding('spf-unknown-modifier', { name: term.name, term: term.text }, at));
      }
    } else {
      if (term.name === 'ptr') out.push(finding('spf-ptr-mechanism', { term: term.text }, at));
      if (term.name === 'include' && !term.hasMacros) {
        const target = termTarget(term)!;
        includes.set(target, (includes.get(target) ?? 0) + 1);
      }
      if (term.network !== undefined) out.push(...networkFindings(term, at));
    }
    const spec =
      term.kind === 'mechanism'
        ? term.domainSpec
        : term.name === 'redirect' || term.name === 'exp'
          ? term.value
          : undefined;
    if (spec === undefined) continue;
    const check = checkDomainSpec(spec);
    if (check.macros.some((m) => m.letter === 'p')) out.push(finding('spf-p-macro', { term: term.text }, at));
    if (!check.hasMacros) {
      const problem = domainNameProblem(spec);
      if (problem)
        out.push(finding('spf-invalid-target-name', { term: term.text, target: spec, reason: problem }, at));
    }
  }
  for (const term of terms) {
    if (term.kind === 'modifier' && !['redirect', 'exp'].includes(term.name)) {
      if (scanMacroString(term.value).macros.some((m) => m.letter === 'p')) {
        out.push(finding('spf-p-macro', { term: term.text }, at));
      }
    }
  }
  for (const [target, count] of includes) {
    if (count > 1) out.push(finding('spf-duplicate-include', { target, count, sameRecord: true }, at));
  }
  return out;
}

function networkFindings(term: SpfMechanism, at: { record: string; where?: string }): Finding[] {
  const v6 = term.name === 'ip6';
  const prefix = v6 ? term.cidr6 : term.cidr4;
  const limit = v6 ? SPF_BROAD_IP6_PREFIX : SPF_BROAD_IP4_PREFIX;
  if (prefix !== undefined && prefix < limit) {
    return [finding('spf-broad-ip-range', { term: term.text, prefix, limit }, at)];
  }
  const range = unroutableRange(term.network!);
  return range ? [finding('spf-private-ip', { term: term.text, range }, at)] : [];
}

import { isIp4Network, isIp6Network } from './ip.ts';
import { checkDomainSpec, scanMacroString, showChar, type TextIssue } from './macro.ts';
import {
  MECHANISM_NAMES,
  type MechanismName,
  type Qualifier,
  type SpfErrorCode,
  type SpfExpected,
  type SpfHint,
  type SpfMechanism,
  type SpfModifier,
  type SpfRecordParse,
  type SpfSyntaxIssue,
  type SpfTerm,
  type TermPlace,
} from './types.ts';

/** RFC 7208 s4.5: "v=spf1", any case, then a space or the end of the record. */
const VERSION = /^v=spf1(?= |$)/i;
/** Sender ID (RFC 4406) records: "spf2.0/mfrom", "spf2.0/pra" ... */
const SENDER_ID = /^spf2\.0\//i;
/** Something meant to be an SPF record that receivers will not take for one. */
const NEAR_VERSION = /^[\s"'\u201c\u201d]*v\s*=\s*spf\s*1/i;

export type SpfVersionKind = 'spf1' | 'malformed' | 'sender-id' | 'other';

/** What a TXT record at an SPF name is: an SPF record, a near miss, a Sender ID record, or something else. */
export function spfVersionKind(text: string): SpfVersionKind {
  if (VERSION.test(text)) return 'spf1';
  if (SENDER_ID.test(text)) return 'sender-id';
  if (NEAR_VERSION.test(text)) return 'malformed';
  return 'other';
}

export function isSpfRecord(text: string): boolean {
  return VERSION.test(text);
}

const MECHANISMS: ReadonlySet<string> = new Set(MECHANISM_NAMES);
const QUALIFIERS = '+-~?';
const MODIFIER_START = /^([A-Za-z][A-Za-z0-9\-_.]*)=/;
const BAD_MODIFIER_NAME = /^([0-9_.][A-Za-z0-9\-_.]*)?=/;
const IP4_CIDR = /^(?:0|[1-9][0-9]?)$/;
const IP6_CIDR = /^(?:0|[1-9][0-9]{0,2})$/;

interface TermResult {
  term?: SpfTerm;
  issue?: SpfSyntaxIssue;
}

/**
 * Parses one SP-separated term of a record. `start` is the term's index in the record, so
 * that every position reported is a position in the record.
 */
export function parseTerm(text: string, start: number): TermResult {
  const fail = (offset: number, code: SpfErrorCode, expected: SpfExpected, found: string, hint?: SpfHint) => {
    const issue: SpfSyntaxIssue = { code, position: start + offset, term: text, expected, found };
    if (hint) issue.hint = hint;
    return { issue };
  };
  const fromText = (base: number, t: TextIssue) => fail(base + t.offset, t.code, t.expected, t.found, t.hint);
  const place = { text, start, end: start + text.length };

  for (let k = 0; k < text.length; k++) {
    const cp = text.codePointAt(k)!;
    if (cp < 0x21 || cp > 0x7e) {
      const ch = String.fromCodePoint(cp);
      return fail(
        k,
        'spf-syntax-error',
        'printable-ascii',
        showChar(ch),
        cp > 0x7e ? 'non-ascii' : 'whitespace',
      );
    }
  }

  const modifier = MODIFIER_START.exec(text);
  if (modifier) return parseModifier(modifier[1]!, text.slice(modifier[0].length), place, fromText);
  const badName = BAD_MODIFIER_NAME.exec(text);
  if (badName) return fail(0, 'spf-syntax-error', 'modifier-name', badName[1] ?? '=');

  let q = 0;
  let qualifier: Qualifier = '+';
  const first = text[0]!;
  if (QUALIFIERS.includes(first)) {
    qualifier = first as Qualifier;
    q = 1;
    if (MODIFIER_START.test(text.slice(1)))
      return fail(0, 'spf-syntax-error', 'term', text, 'qualified-modifier');
  }
  const word = /^[A-Za-z0-9]*/.exec(text.slice(q))![0];
  const name = word.toLowerCase();
  const restOffset = q + word.length;
  const rest = text.slice(restOffset);
  if (!MECHANISMS.has(name)) {
    if ((name === 'redirect' || name === 'exp') && rest.startsWith(':')) {
      return fail(q, 'spf-syntax-error', 'term', text.slice(q), 'modifier-not-mechanism');
    }
    return fail(q, 'spf-syntax-error', 'term', text.slice(q));
  }

  const mechanism: SpfMechanism = {
    kind: 'mechanism',
    ...place,
    name: name as MechanismName,
    qualifier,
    qualifierExplicit: q === 1,
    hasMacros: false,
  };
  const target = (specText: string, offset: number): TermResult | undefined => {
    const check = checkDomainSpec(specText);
    if (check.issue) return fromText(offset, check.issue);
    mechanism.domainSpec = specText;
    mechanism.hasMacros = check.hasMacros;
    return undefined;
  };

  switch (mechanism.name) {
    case 'all':
      if (rest !== '') {
        const hint = rest.startsWith(':') || rest.startsWith('/') ? 'no-value' : undefined;
        return fail(restOffset, 'spf-syntax-error', 'end-of-term', rest, hint);
      }
      return { term: mechanism };
    case 'include':
    case 'exists': {
      if (!rest.startsWith(':')) return fail(restOffset, 'spf-syntax-error', 'colon-domain', rest);
      return target(rest.slice(1), restOffset + 1) ?? { term: mechanism };
    }
    case 'ptr': {
      if (rest === '') return { term: mechanism };
      if (!rest.startsWith(':')) return fail(restOffset, 'spf-syntax-error', 'colon-or-end', rest);
      return target(rest.slice(1), restOffset + 1) ?? { term: mechanism };
    }
    case 'a':
    case 'mx': {
      if (rest === '') return { term: mechanism };
      let cidrText = rest;
      let cidrOffset = restOffset;
      if (rest.startsWith(':')) {
        // The domain-spec may itself hold "/" (it is a macro-string), so the prefix lengths are
        // the longest "/N", "//N" or "/N//N" at the end.
        const split = /^(.*?)((?:\/[0-9]+)?(?:\/\/[0-9]+)?)$/s.exec(rest.slice(1))!;
        const spec = split[1]!;
        cidrText = split[2]!;
        cidrOffset = restOffset + 1 + spec.length;
        const glued = /\/[0-9]+$/.exec(spec);
        if (glued && spec.length > glued[0].length) {
          const at = restOffset + 1 + glued.index;
          return fail(at, 'spf-invalid-cidr', 'dual-cidr', glued[0] + cidrText, 'double-slash');
        }
        const bad = target(spec, restOffset + 1);
        if (bad) return bad;
      } else if (!rest.startsWith('/')) {
        return fail(restOffset, 'spf-syntax-error', 'colon-or-cidr', rest);
      }
      const dual = /^(?:\/([0-9]+))?(?:\/\/([0-9]+))?$/.exec(cidrText);
      if (!dual) {
        const hint = /^\/[0-9]+\/[0-9]+$/.test(cidrText) ? 'double-slash' : undefined;
        return fail(cidrOffset, 'spf-invalid-cidr', 'dual-cidr', cidrText, hint);
      }
      if (dual[1] !== undefined) {
        const bad = cidrProblem(dual[1], 4);
        if (bad) return fail(cidrOffset + 1, 'spf-invalid-cidr', 'ip4-cidr', dual[1], cidrHint(bad));
        mechanism.cidr4 = Number(dual[1]);
      }
      if (dual[2] !== undefined) {
        const at = cidrOffset + cidrText.length - dual[2].length;
        const bad = cidrProblem(dual[2], 6);
        if (bad) return fail(at, 'spf-invalid-cidr', 'ip6-cidr', dual[2], cidrHint(bad));
        mechanism.cidr6 = Number(dual[2]);
      }
      return { term: mechanism };
    }
    case 'ip4':
    case 'ip6': {
      const v6 = mechanism.name === 'ip6';
      if (!rest.startsWith(':')) return fail(restOffset, 'spf-syntax-error', 'colon-network', rest);
      const value = rest.slice(1);
      const valueOffset = restOffset + 1;
      const percent = value.indexOf('%');
      if (percent !== -1) {
        return fail(valueOffset + percent, 'spf-macro-in-ip', v6 ? 'ip6-network' : 'ip4-network', value);
      }
      const slash = value.indexOf('/');
      const network = slash === -1 ? value : value.slice(0, slash);
      const ok = v6 ? isIp6Network(network) : isIp4Network(network);
      if (!ok) {
        return fail(
          valueOffset,
          v6 ? 'spf-invalid-ip6' : 'spf-invalid-ip4',
          v6 ? 'ip6-network' : 'ip4-network',
          network,
          v6 ? ip6Hint(network) : ip4Hint(network),
        );
      }
      mechanism.network = network;
      if (slash !== -1) {
        const cidr = value.slice(slash + 1);
        const at = valueOffset + slash + 1;
        const expected = v6 ? 'ip6-cidr' : 'ip4-cidr';
        if (cidr.startsWith('/'))
          return fail(at - 1, 'spf-invalid-cidr', expected, `/${cidr}`, 'no-dual-cidr');
        const bad = cidrProblem(cidr, v6 ? 6 : 4);
        if (bad) return fail(at, 'spf-invalid-cidr', expected, cidr, cidrHint(bad));
        if (v6) mechanism.cidr6 = Number(cidr);
        else mechanism.cidr4 = Number(cidr);
      }
      return { term: mechanism };
    }
  }
}

/** Why a prefix length is invalid (RFC 7208 s5.6: no leading zeros, at most 32 or 128); undefined when valid. */
function cidrProblem(digits: string, family: 4 | 6): 'leading-zero' | 'out-of-range' | undefined {
  const max = family === 4 ? 32 : 128;
  const shape = family === 4 ? IP4_CIDR : IP6_CIDR;
  if (/^0[0-9]/.test(digits)) return 'leading-zero';
  if (!shape.test(digits) || Number(digits) > max) return 'out-of-range';
  return undefined;
}

function cidrHint(problem: 'leading-zero' | 'out-of-range'): SpfHint | undefined {
  return problem === 'leading-zero' ? 'leading-zero' : undefined;
}

function ip4Hint(network: string): SpfHint | undefined {
  if (isIp6Network(network)) return 'looks-like-ipv6';
  if (/^\d{1,3}(?:\.\d{1,3}){3}:\d+$/.test(network)) return 'port';
  if (/^\d{1,3}(?:\.\d{1,3}){0,2}$/.test(network)) return 'ip4-short';
  if (/^\d+(?:\.\d+){3}$/.test(network) && /(?:^|\.)0\d/.test(network)) return 'leading-zero';
  return undefined;
}

function ip6Hint(network: string): SpfHint | undefined {
  return isIp4Network(network) ? 'looks-like-ipv4' : undefined;
}

function parseModifier(
  rawName: string,
  value: string,
  place: TermPlace,
  fromText: (base: number, t: TextIssue) => TermResult,
): TermResult {
  const name = rawName.toLowerCase();
  const valueOffset = rawName.length + 1;
  const modifier: SpfModifier = { kind: 'modifier', ...place, name, value, hasMacros: false };
  if (name === 'redirect' || name === 'exp') {
    // Known modifiers are not "greedy" unknown-modifiers: a bad value is a permerror (RFC 7208 errata).
    const check = checkDomainSpec(value);
    if (check.issue) return fromText(valueOffset, check.issue);
    modifier.hasMacros = check.hasMacros;
    return { term: modifier };
  }
  const scan = scanMacroString(value);
  if (scan.issue) return fromText(valueOffset, scan.issue);
  modifier.hasMacros = scan.macros.length > 0;
  return { term: modifier };
}

/** Parses a whole record: version tag, then SP-separated terms, each checked to the RFC 7208 ABNF. */
export function parseSpfRecord(record: string): SpfRecordParse {
  const version = VERSION.exec(record);
  if (!version) {
    let at = 0;
    const want = 'v=spf1';
    while (at < want.length && record[at]?.toLowerCase() === want[at]) at++;
    const ch = record[at];
    const issue: SpfSyntaxIssue = {
      code: 'spf-syntax-error',
      position: at,
      term: '',
      expected: 'version',
      found: ch === undefined ? '' : showChar(String.fromCodePoint(record.codePointAt(at)!)),
    };
    return { record, isSpf: false, terms: [], errors: [issue], tokens: [] };
  }

  const terms: SpfTerm[] = [];
  const errors: SpfSyntaxIssue[] = [];
  const tokens: TermPlace[] = [];
  let i = version[0].length;
  while (i < record.length) {
    if (record[i] === ' ') {
      i++;
      continue;
    }
    let j = i;
    while (j < record.length && record[j] !== ' ') j++;
    const text = record.slice(i, j);
    tokens.push({ text, start: i, end: j });
    const result = parseTerm(text, i);
    if (result.term) terms.push(result.term);
    else if (result.issue) {
      // Words after exp=: someone wrote the explanation itself into the record.
      const afterExp = terms.some((t) => t.kind === 'modifier' && t.name === 'exp');
      if (afterExp && !result.issue.hint && result.issue.expected === 'term' && !/[:=/]/.test(text)) {
        result.issue.hint = 'exp-text';
      }
      errors.push(result.issue);
    }
    i = j;
  }

  // RFC 7208 s6: redirect and exp MUST NOT appear more than once each.
  for (const once of ['redirect', 'exp']) {
    const repeated = terms.filter((t) => t.kind === 'modifier' && t.name === once);
    for (const extra of repeated.slice(1)) {
      errors.push({
        code: 'spf-duplicate-modifier',
        position: extra.start,
        term: extra.text,
        expected: 'once',
        found: extra.text,
        name: once,
      });
    }
  }
  errors.sort((a, b) => a.position - b.position);
  return { record, isSpf: true, terms, errors, tokens };
}

/** The record with a marker at `position`, the way checkdmarc shows syntax errors. */
export const SPF_ERROR_MARKER = '➞';

export function markRecord(record: string, position: number): string {
  return record.slice(0, position) + SPF_ERROR_MARKER + record.slice(position);
}

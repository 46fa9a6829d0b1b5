import type { SpfErrorCode, SpfExpected, SpfHint } from './types.ts';

/**
 * RFC 7208 section 7 macros and the domain-spec they appear in:
 *
 *   macro-string = *( macro-expand / macro-literal )
 *   macro-expand = ( "%{" macro-letter transformers *delimiter "}" ) / "%%" / "%_" / "%-"
 *   macro-letter = s / l / o / d / i / p / h / c / r / t / v   (c, r, t only in explanation text)
 *   transformers = *DIGIT [ "r" ]                                (the number, when given, is nonzero)
 *   delimiter    = "." / "-" / "+" / "," / "/" / "_" / "="
 *   domain-spec  = macro-string domain-end
 *   domain-end   = ( "." toplabel [ "." ] ) / macro-expand
 */

export interface MacroExpand {
  /** Lower-case letter. */
  letter: string;
  /** Upper-case letter: the value is URL-escaped. */
  escaped: boolean;
  digits?: number;
  reverse: boolean;
  delimiters: string;
  /** Offsets in the scanned text. */
  start: number;
  end: number;
}

export interface TextIssue {
  /** Offset in the scanned text. */
  offset: number;
  code: SpfErrorCode;
  expected: SpfExpected;
  found: string;
  hint?: SpfHint;
}

export interface MacroScan {
  macros: MacroExpand[];
  /** Offset just past the last macro-expand (including %%, %_ and %-); 0 when there is none. */
  lastExpandEnd: number;
  issue?: TextIssue;
}

const DOMAIN_LETTERS = new Set(['s', 'l', 'o', 'd', 'i', 'p', 'h', 'v']);
const EXP_ONLY_LETTERS = new Set(['c', 'r', 't']);
const DELIMITERS = new Set(['.', '-', '+', ',', '/', '_', '=']);

const TOPLABEL = /^(?:[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9])$/;
const DOTTED_QUAD = /^\d{1,3}(?:\.\d{1,3}){3}(?:\/\d+)?\.?$/;

/** How a character that cannot appear in a record is shown: the character, or U+XXXX when invisible. */
export function showChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp > 0x20 && cp < 0x7f) return ch;
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

function badCharIssue(text: string, i: number): TextIssue {
  const ch = String.fromCodePoint(text.codePointAt(i) ?? 0);
  const cp = ch.codePointAt(0) ?? 0;
  return {
    offset: i,
    code: 'spf-syntax-error',
    expected: 'printable-ascii',
    found: showChar(ch),
    hint: cp > 0x7e ? 'non-ascii' : 'whitespace',
  };
}

/**
 * Scans a macro-string (or, with `explanation`, an explain-string: spaces allowed and the
 * letters c, r and t too). Stops at the first problem.
 */
export function scanMacroString(text: string, opts: { explanation?: boolean } = {}): MacroScan {
  const macros: MacroExpand[] = [];
  let lastExpandEnd = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    const code = ch.charCodeAt(0);
    if (ch === ' ' && opts.explanation) {
      i++;
      continue;
    }
    if (code < 0x21 || code > 0x7e) return { macros, lastExpandEnd, issue: badCharIssue(text, i) };
    if (ch !== '%') {
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '%' || next === '_' || next === '-') {
      i += 2;
      lastExpandEnd = i;
      continue;
    }
    if (next !== '{') {
      const issue: TextIssue = {
        offset: i,
        code: 'spf-macro-syntax-error',
        expected: 'macro',
        found: next === undefined ? '%' : `%${showChar(next)}`,
      };
      return { macros, lastExpandEnd, issue };
    }
    const start = i;
    let j = i + 2;
    const letterCh = text[j];
    const letter = letterCh?.toLowerCase();
    if (letter === undefined || !(DOMAIN_LETTERS.has(letter) || EXP_ONLY_LETTERS.has(letter))) {
      const issue: TextIssue = {
        offset: j,
        code: 'spf-macro-syntax-error',
        expected: 'macro-letter',
        found: letterCh === undefined ? '' : showChar(letterCh),
      };
      return { macros, lastExpandEnd, issue };
    }
    if (EXP_ONLY_LETTERS.has(letter) && !opts.explanation) {
      const issue: TextIssue = {
        offset: j,
        code: 'spf-macro-syntax-error',
        expected: 'macro-letter',
        found: letterCh!,
        hint: 'exp-only-letter',
      };
      return { macros, lastExpandEnd, issue };
    }
    j++;
    const digitsStart = j;
    while (j < text.length && text[j]! >= '0' && text[j]! <= '9') j++;
    let digits: number | undefined;
    if (j > digitsStart) {
      digits = Number(text.slice(digitsStart, j));
      // RFC 7208 s7.3: "If a DIGIT is specified, the value MUST be nonzero."
      if (digits === 0) {
        const issue: TextIssue = {
          offset: digitsStart,
          code: 'spf-macro-syntax-error',
          expected: 'nonzero-digits',
          found: text.slice(digitsStart, j),
        };
        return { macros, lastExpandEnd, issue };
      }
    }
    let reverse = false;
    if (text[j] === 'r' || text[j] === 'R') {
      reverse = true;
      j++;
    }
    const delimStart = j;
    while (j < text.length && DELIMITERS.has(text[j]!)) j++;
    const delimiters = text.slice(delimStart, j);
    if (text[j] !== '}') {
      const at = text[j];
      const issue: TextIssue = {
        offset: j,
        code: 'spf-macro-syntax-error',
        expected: 'macro-close',
        found: at === undefined ? '' : showChar(at),
      };
      return { macros, lastExpandEnd, issue };
    }
    j++;
    const macro: MacroExpand = {
      letter,
      escaped: letterCh !== letter,
      reverse,
      delimiters,
      start,
      end: j,
    };
    if (digits !== undefined) macro.digits = digits;
    macros.push(macro);
    lastExpandEnd = j;
    i = j;
  }
  return { macros, lastExpandEnd };
}

export interface DomainSpecCheck {
  macros: MacroExpand[];
  /** The value depends on the message (a %{...} macro): it cannot be looked up without a sender. */
  hasMacros: boolean;
  issue?: TextIssue;
}

/** Checks a domain-spec (the target of include, a, mx, ptr, exists, redirect and exp). */
export function checkDomainSpec(text: string): DomainSpecCheck {
  if (text === '') {
    return {
      macros: [],
      hasMacros: false,
      issue: { offset: 0, code: 'spf-empty-target', expected: 'domain-spec', found: '' },
    };
  }
  const scan = scanMacroString(text);
  const hasMacros = scan.macros.length > 0;
  if (scan.issue) return { macros: scan.macros, hasMacros, issue: scan.issue };
  if (scan.lastExpandEnd === text.length) return { macros: scan.macros, hasMacros };

  // domain-end = "." toplabel [ "." ], after the last macro-expand.
  const tailStart = scan.lastExpandEnd;
  let tail = text.slice(tailStart);
  if (tail.endsWith('.')) tail = tail.slice(0, -1);
  const dot = tail.lastIndexOf('.');
  const label = tail.slice(dot + 1);
  if (dot === -1 || !TOPLABEL.test(label)) {
    const issue: TextIssue = {
      offset: tailStart + dot + 1,
      code: 'spf-syntax-error',
      expected: 'toplabel',
      found: label,
    };
    if (DOTTED_QUAD.test(text)) issue.hint = 'use-ip4';
    else if (/^[0-9a-f]*:[0-9a-f:.]*(?:\/\d+)?$/i.test(text)) issue.hint = 'use-ip6';
    return { macros: scan.macros, hasMacros, issue };
  }
  return { macros: scan.macros, hasMacros };
}

/** Checks the text of an explanation TXT record (RFC 7208 s6.2: explain-string). */
export function checkExplainString(text: string): TextIssue | undefined {
  return scanMacroString(text, { explanation: true }).issue;
}

/**
 * Why a literal target cannot be a DNS name (RFC 1035: labels 1-63 octets, names up to 253).
 * RFC 7208 leaves such targets undefined: evaluators treat them as no-match or permerror.
 */
export function domainNameProblem(
  name: string,
): 'empty-label' | 'label-too-long' | 'name-too-long' | undefined {
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  if (bare.length > 253) return 'name-too-long';
  for (const label of bare.split('.')) {
    if (label.length === 0) return 'empty-label';
    if (label.length > 63) return 'label-too-long';
  }
  return undefined;
}

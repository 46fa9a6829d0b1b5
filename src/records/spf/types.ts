/** SPF (RFC 7208) record model: terms with their place in the record, and the problems found. */

export type Qualifier = '+' | '-' | '~' | '?';

export const MECHANISM_NAMES = ['all', 'include', 'a', 'mx', 'ptr', 'ip4', 'ip6', 'exists'] as const;
export type MechanismName = (typeof MECHANISM_NAMES)[number];

/** Mechanisms and modifiers that cost one DNS lookup toward the limit of 10 (RFC 7208 s4.6.4). */
export const LOOKUP_MECHANISMS: ReadonlySet<string> = new Set(['include', 'a', 'mx', 'ptr', 'exists']);

export interface TermPlace {
  /** The term as written. */
  text: string;
  /** Index of the term's first character in the record (0-based, characters). */
  start: number;
  /** Index just past the term. */
  end: number;
}

export interface SpfMechanism extends TermPlace {
  kind: 'mechanism';
  name: MechanismName;
  qualifier: Qualifier;
  /** False when the qualifier was left out and "+" applies by default. */
  qualifierExplicit: boolean;
  /** Target domain-spec as written (include, a, mx, ptr, exists); absent when the current domain applies. */
  domainSpec?: string;
  /** The domain-spec contains macros: its value depends on the message and is not known statically. */
  hasMacros: boolean;
  /** ip4/ip6 network as written. */
  network?: string;
  /** Explicit prefix lengths (ip4 and a/mx use cidr4; ip6 and a/mx use cidr6). */
  cidr4?: number;
  cidr6?: number;
}

export interface SpfModifier extends TermPlace {
  kind: 'modifier';
  /** Lower case: "redirect", "exp" or an unknown modifier's name. */
  name: string;
  value: string;
  hasMacros: boolean;
}

export type SpfTerm = SpfMechanism | SpfModifier;

/**
 * What the parser expected where a record went wrong; the words for each are in the finding
 * catalog, so the same token reads well in every language.
 */
export type SpfExpected =
  | 'version'
  | 'term'
  | 'end-of-term'
  | 'colon-domain'
  | 'colon-or-cidr'
  | 'colon-or-end'
  | 'colon-network'
  | 'domain-spec'
  | 'toplabel'
  | 'macro'
  | 'macro-letter'
  | 'macro-close'
  | 'nonzero-digits'
  | 'printable-ascii'
  | 'ip4-network'
  | 'ip6-network'
  | 'ip4-cidr'
  | 'ip6-cidr'
  | 'dual-cidr'
  | 'modifier-name'
  | 'once';

/** A further clue on what the author probably meant. */
export type SpfHint =
  | 'use-ip4'
  | 'use-ip6'
  | 'looks-like-ipv6'
  | 'looks-like-ipv4'
  | 'port'
  | 'ip4-short'
  | 'modifier-not-mechanism'
  | 'qualified-modifier'
  | 'exp-text'
  | 'double-slash'
  | 'whitespace'
  | 'non-ascii'
  | 'exp-only-letter'
  | 'no-value'
  | 'no-dual-cidr'
  | 'leading-zero';

/** Codes of the problems that make a record a permerror by its text alone. */
export type SpfErrorCode =
  | 'spf-syntax-error'
  | 'spf-macro-syntax-error'
  | 'spf-macro-in-ip'
  | 'spf-invalid-ip4'
  | 'spf-invalid-ip6'
  | 'spf-invalid-cidr'
  | 'spf-empty-target'
  | 'spf-duplicate-modifier';

export interface SpfSyntaxIssue {
  code: SpfErrorCode;
  /** Index in the record where the problem starts (0-based, characters). */
  position: number;
  /** The term the problem is in (empty for problems with the whole record). */
  term: string;
  expected: SpfExpected;
  /** What was found there, printable ("end of term", "U+000D", the offending text). */
  found: string;
  hint?: SpfHint;
  /** Mechanism or modifier name, when known. */
  name?: string;
}

export interface SpfRecordParse {
  record: string;
  /** The record starts with a valid version tag ("v=spf1" then a space or the end). */
  isSpf: boolean;
  /** Terms that parsed, in record order (terms with errors are left out). */
  terms: SpfTerm[];
  /** Every problem that makes the record a permerror (syntax, macros, duplicate redirect/exp). */
  errors: SpfSyntaxIssue[];
  /** Spans of the SP-separated tokens, including those that failed to parse. */
  tokens: TermPlace[];
}

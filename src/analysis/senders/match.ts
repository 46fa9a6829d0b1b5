import { type KnownSender, knownSenders, type SenderRule } from './catalogue.ts';

/** Lower-case, without a trailing dot: DNS names compare case-insensitively. */
export function normaliseName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** True when `name` is `suffix` or a name below it (label boundary: evil-google.com ≠ google.com). */
export function hasSuffix(name: string, suffix: string): boolean {
  const n = normaliseName(name);
  const s = normaliseName(suffix);
  return s !== '' && (n === s || n.endsWith(`.${s}`));
}

export interface SenderEvidence {
  /** Forward-confirmed reverse-DNS name of the source IP. */
  ptr?: string;
  /** SPF-authenticated domains (MAIL FROM or HELO) and SPF include domains. */
  spfDomains?: readonly string[];
  /** d= domains of DKIM signatures. */
  dkimDomains?: readonly string[];
}

export interface SenderMatch {
  sender: KnownSender;
  rule: SenderRule;
  /** The name from the evidence that matched the rule. */
  matched: string;
}

/** Which rule kinds each kind of evidence is compared with. */
const EVIDENCE_RULES = {
  ptr: ['ptr'],
  dkimDomains: ['dkim'],
  // An SPF-authenticated domain is the return-path: it matches bounce domains and includes.
  spfDomains: ['bounce', 'spf'],
} as const;

/**
 * The known sender the evidence points to, and the rule that matched. Evidence is weighed
 * PTR first (names the IP itself), then DKIM d=, then SPF; within one kind the longest suffix
 * wins, so a specific rule beats a general one.
 */
export function matchSender(
  evidence: SenderEvidence,
  catalogue: readonly KnownSender[] = knownSenders,
): SenderMatch | undefined {
  const rules = normalisedRules(catalogue);
  const order: [keyof typeof EVIDENCE_RULES, readonly string[]][] = [
    ['ptr', evidence.ptr === undefined ? [] : [evidence.ptr]],
    ['dkimDomains', evidence.dkimDomains ?? []],
    ['spfDomains', evidence.spfDomains ?? []],
  ];
  for (const [key, names] of order) {
    const kinds: readonly string[] = EVIDENCE_RULES[key];
    let best: SenderMatch | undefined;
    for (const name of names) {
      const n = normaliseName(name);
      for (const { sender, rule, suffix } of rules) {
        // hasSuffix, with the rule's suffix normalised once per catalogue.
        if (!kinds.includes(rule.kind) || suffix === '' || (n !== suffix && !n.endsWith(`.${suffix}`)))
          continue;
        if (!best || rule.suffix.length > best.rule.suffix.length) best = { sender, rule, matched: n };
      }
    }
    if (best) return best;
  }
  return undefined;
}

/** Every rule of a catalogue with its suffix normalised, in catalogue order; worked out once per catalogue. */
const rulesOf = new WeakMap<
  readonly KnownSender[],
  { sender: KnownSender; rule: SenderRule; suffix: string }[]
>();

function normalisedRules(catalogue: readonly KnownSender[]) {
  let rules = rulesOf.get(catalogue);
  if (!rules) {
    rules = catalogue.flatMap((sender) =>
      sender.rules.map((rule) => ({ sender, rule, suffix: normaliseName(rule.suffix) })),
    );
    rulesOf.set(catalogue, rules);
  }
  return rules;
}

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
  const order: [keyof typeof EVIDENCE_RULES, readonly string[]][] = [
    ['ptr', evidence.ptr === undefined ? [] : [evidence.ptr]],
    ['dkimDomains', evidence.dkimDomains ?? []],
    ['spfDomains', evidence.spfDomains ?? []],
  ];
  for (const [key, names] of order) {
    const kinds: readonly string[] = EVIDENCE_RULES[key];
    let best: SenderMatch | undefined;
    for (const name of names) {
      for (const sender of catalogue) {
        for (const r of sender.rules) {
          if (!kinds.includes(r.kind) || !hasSuffix(name, r.suffix)) continue;
          if (!best || r.suffix.length > best.rule.suffix.length) {
            best = { sender, rule: r, matched: normaliseName(name) };
          }
        }
      }
    }
    if (best) return best;
  }
  return undefined;
}

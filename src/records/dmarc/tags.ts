/**
 * The DMARC tag registry (RFC 9989 s4.7 and s9.3): which tags exist, which values each
 * accepts, and their defaults. Tag names and enumerated values are case-insensitive
 * (RFC 5234 strings); only the version value "DMARC1" is case-sensitive.
 */

export type DmarcPolicy = 'none' | 'quarantine' | 'reject';
export type AlignmentMode = 'r' | 's';
export type PsdFlag = 'y' | 'n' | 'u';
export type YesNo = 'y' | 'n';
export type FailureOption = '0' | '1' | 'd' | 's';

export const DMARC_POLICIES: readonly DmarcPolicy[] = ['none', 'quarantine', 'reject'];
export const ALIGNMENT_MODES: readonly AlignmentMode[] = ['r', 's'];
export const PSD_FLAGS: readonly PsdFlag[] = ['y', 'n', 'u'];
export const YES_NO: readonly YesNo[] = ['y', 'n'];
export const FAILURE_OPTIONS: readonly FailureOption[] = ['0', '1', 'd', 's'];

/** Tags RFC 9989 defines, in the order Sumi writes them. */
export const DMARC_TAGS = ['v', 'p', 'sp', 'np', 'psd', 't', 'adkim', 'aspf', 'rua', 'ruf', 'fo'] as const;
export type DmarcTagName = (typeof DMARC_TAGS)[number];

/** RFC 7489 tags that RFC 9989 removed (s9.3 marks them historic). */
export const REMOVED_TAGS = ['pct', 'rf', 'ri'] as const;
export type RemovedTagName = (typeof REMOVED_TAGS)[number];

const KNOWN: ReadonlySet<string> = new Set(DMARC_TAGS);
const REMOVED: ReadonlySet<string> = new Set(REMOVED_TAGS);

export function isDmarcTag(name: string): name is DmarcTagName {
  return KNOWN.has(name);
}

export function isRemovedTag(name: string): name is RemovedTagName {
  return REMOVED.has(name);
}

/** How strict a policy is, for "weaker than" comparisons. */
export function policyStrength(p: DmarcPolicy): number {
  return DMARC_POLICIES.indexOf(p);
}

/** The policy one level below (what `t=y` asks receivers to apply, RFC 9989 s4.7). */
export function policyBelow(p: DmarcPolicy): DmarcPolicy {
  return p === 'reject' ? 'quarantine' : 'none';
}

/** Words people write instead of the one-letter values. */
const SYNONYMS: Record<string, string> = {
  relaxed: 'r',
  relax: 'r',
  strict: 's',
  yes: 'y',
  no: 'n',
  true: 'y',
  false: 'n',
  unknown: 'u',
};

/**
 * The allowed value a mistyped one most likely meant (`non` → `none`, `relaxed` → `r`),
 * or undefined when no single candidate is close enough to be a safe correction.
 */
export function nearestValue(value: string, allowed: readonly string[]): string | undefined {
  const v = value.trim().toLowerCase();
  if (v === '') return undefined;
  const synonym = SYNONYMS[v];
  if (synonym !== undefined && allowed.includes(synonym)) return synonym;
  // A valid value followed by junk (zone-file escapes, stray quotes): `none\\`, `reject"`.
  const prefixed = allowed.filter((a) => v.startsWith(a) && /^[^a-z0-9]+$/.test(v.slice(a.length)));
  if (prefixed.length === 1) return prefixed[0];
  let best: string[] = [];
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const a of allowed) {
    const d = editDistance(v, a);
    if (d < bestDistance) {
      best = [a];
      bestDistance = d;
    } else if (d === bestDistance) {
      best.push(a);
    }
  }
  // One-letter values are too short for typo correction: `x` is as far from `r` as from `s`.
  const limit = Math.min(2, Math.floor(Math.max(...best.map((b) => b.length)) / 3));
  return best.length === 1 && bestDistance > 0 && bestDistance <= limit ? best[0] : undefined;
}

/** Known tag names close to an unknown one (`ps` → `p`, `sp`), for "did you mean". */
export function nearestTags(name: string): string[] {
  const n = name.toLowerCase();
  const candidates = [...DMARC_TAGS, ...REMOVED_TAGS].filter((t) => t !== 'v');
  let best: string[] = [];
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const t of candidates) {
    const d = editDistance(n, t);
    if (d < bestDistance) {
      best = [t];
      bestDistance = d;
    } else if (d === bestDistance) {
      best.push(t);
    }
  }
  return bestDistance <= Math.max(1, Math.floor(n.length / 2)) ? best : [];
}

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions (`qaurantine`). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

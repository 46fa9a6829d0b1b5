import type { PsdFlag } from './tags.ts';

/**
 * The pure half of the RFC 9989 DNS tree walk (s4.10): which names to ask, and how to pick
 * the organisational domain from what was found. The DNS half is in src/check/dmarc/.
 */

/** RFC 9989 s4.10: however many labels a domain has, the walk asks at most eight names. */
export const MAX_TREE_WALK_QUERIES = 8;

/**
 * The domains whose `_dmarc` names the walk asks, in order: the domain itself, then, for a
 * domain of more than eight labels, straight to its last seven labels (s4.10 step 4), then
 * one label shorter each time down to the single-label TLD.
 */
export function treeWalkDomains(domain: string): string[] {
  const labels = domain.split('.').filter((l) => l !== '');
  if (labels.length === 0) return [];
  const out = [labels.join('.')];
  let count = labels.length > MAX_TREE_WALK_QUERIES ? MAX_TREE_WALK_QUERIES - 1 : labels.length - 1;
  for (; count >= 1; count--) out.push(labels.slice(-count).join('.'));
  return out;
}

/** A single valid DMARC record found at a domain during the walk. */
export interface WalkRecord {
  domain: string;
  psd: PsdFlag;
}

/** True when a record stops the walk (s4.10 steps 2 and 6): psd=y or psd=n. */
export function stopsWalk(psd: PsdFlag): boolean {
  return psd !== 'u';
}

/**
 * RFC 9989 s4.10.2: the organisational domain of `start`, given the records the walk found
 * (longest name first). psd=n marks the organisational domain itself; psd=y on a parent
 * makes the name one label below it the organisational domain; otherwise the record with
 * the fewest labels wins; with no record at all, `start` is its own organisational domain.
 */
export function selectOrgDomain(start: string, found: readonly WalkRecord[]): string {
  const startLabels = start.split('.');
  for (const r of found) {
    if (r.psd === 'n') return r.domain;
    if (r.psd === 'y' && r.domain !== start) {
      const depth = r.domain.split('.').length + 1;
      return startLabels.slice(-depth).join('.');
    }
  }
  return found.length > 0 ? found[found.length - 1]!.domain : start;
}

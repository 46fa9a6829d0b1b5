import { normaliseName } from './match.ts';

/** DMARC identifier alignment mode: relaxed (`r`, the default) or strict (`s`). */
export type AlignmentMode = 'r' | 's';

/** The organisational domain of a name, as the caller determines it (tree walk or PSL). */
export type OrgDomainFn = (name: string) => string | undefined;

/**
 * RFC 9989 identifier alignment: in strict mode the authenticated domain must equal the
 * RFC5322.From domain; in relaxed mode both must have the same organisational domain.
 */
export function isAligned(
  authenticatedDomain: string,
  headerFrom: string,
  mode: AlignmentMode,
  orgDomain: OrgDomainFn,
): boolean {
  const a = normaliseName(authenticatedDomain);
  const f = normaliseName(headerFrom);
  if (a === '' || f === '') return false;
  if (a === f) return true;
  if (mode === 's') return false;
  const oa = orgDomain(a);
  return oa !== undefined && normaliseName(oa) === normaliseName(orgDomain(f) ?? '');
}

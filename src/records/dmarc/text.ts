import { DMARC_TAGS, REMOVED_TAGS } from './tags.ts';

/**
 * What a TXT record at `_dmarc.<domain>` is. RFC 9989 s4.10 step 2: receivers keep only
 * records that start with the version tag `v=DMARC1` (value case-sensitive) and discard
 * the rest, so a record with a leading space, surrounding quotes or `v=dmarc1` is as good
 * as absent for them; Sumi still reads it, says why it is ignored, and repairs it.
 */

export type TxtKind = 'dmarc' | 'dmarc-flawed' | 'spf' | 'other';

export type VersionFlaw =
  /** Whitespace (often a line break) before `v=DMARC1`. */
  | 'leading-whitespace'
  /** Other text before `v=DMARC1`: quotes, `&quot;`, a pasted zone-file line. */
  | 'text-before-version'
  /** `v=dmarc1`: the version value is case-sensitive. */
  | 'version-case'
  /** `v=DMARC1` not followed by `;` or the end (`v=DMARC1 p=none`). */
  | 'version-not-terminated';

export interface ClassifiedTxt {
  kind: TxtKind;
  /** Why a DMARC-looking record is discarded by receivers (kind `dmarc-flawed`). */
  flaws: VersionFlaw[];
  /** For `dmarc` and `dmarc-flawed`: the text from the version tag on, with the version flaws repaired. */
  dmarcText?: string;
}

const VALID_START = /^v[ \t]*=[ \t]*DMARC1\s*(;|$)/;
const VERSION_ANYWHERE = /v\s*=\s*(dmarc1)/i;
const QUOTE_JUNK = /^(?:\\*["']|&quot;|\s)+|(?:\\*["']|&quot;|\s)+$/g;

export function classifyDmarcTxt(text: string): ClassifiedTxt {
  if (VALID_START.test(text)) return { kind: 'dmarc', flaws: [], dmarcText: text };
  const match = VERSION_ANYWHERE.exec(text);
  if (!match) {
    return { kind: /^\s*v=spf1(\s|$)/i.test(text) ? 'spf' : 'other', flaws: [] };
  }
  const flaws: VersionFlaw[] = [];
  const prefix = text.slice(0, match.index);
  if (prefix !== '') flaws.push(/^\s+$/.test(prefix) ? 'leading-whitespace' : 'text-before-version');
  if (match[1] !== 'DMARC1') flaws.push('version-case');
  let rest = text.slice(match.index + match[0].length);
  // Text pasted with its quotes usually ends with them too.
  if (/["']|&quot;/.test(prefix)) rest = rest.replace(QUOTE_JUNK, '');
  if (/^\s*(;|$)/.test(rest)) return { kind: 'dmarc-flawed', flaws, dmarcText: `v=DMARC1${rest}` };
  // Read the rest as the tags it was meant to be (escapes such as "\;" dropped), not as the version's value.
  flaws.push('version-not-terminated');
  return { kind: 'dmarc-flawed', flaws, dmarcText: `v=DMARC1; ${rest.replace(/^\s*\\*;?\s*/, '')}` };
}

const TAG_NAMES = [...DMARC_TAGS, ...REMOVED_TAGS].join('|');
const MISSING_SEPARATOR = new RegExp(`(?<=[^\\s,])\\s+(?=(?:${TAG_NAMES})\\s*=)`, 'gi');
const COLON_FOR_EQUALS = new RegExp(`^(\\s*(?:${TAG_NAMES}))\\s*:\\s*`, 'i');
const FULLWIDTH: Record<string, string> = { '；': ';', '＝': '=', '，': ',', '：': ':', '\u3000': ' ' };

/**
 * Undoes the usual publishing mistakes so the record can be read for what it meant:
 * version flaws, zone-file escapes (`\;`), full-width punctuation typed with a Japanese
 * input method, line breaks, missing `;` between tags, `tag:value` for `tag=value`.
 * Returns the input unchanged when it does not look like a DMARC record.
 */
export function repairDmarcText(text: string): string {
  const dmarcText = classifyDmarcTxt(text.replace(/[；＝，：\u3000]/g, (c) => FULLWIDTH[c]!)).dmarcText;
  if (dmarcText === undefined) return text;
  return dmarcText
    .replace(/\\+;/g, ';')
    .replace(/[\r\n\f\v]+/g, ' ')
    .split(';')
    .map((segment) => segment.replace(MISSING_SEPARATOR, '; ').replace(COLON_FOR_EQUALS, '$1='))
    .join(';');
}

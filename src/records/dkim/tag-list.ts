/**
 * RFC 6376 s3.2 tag=value lists, as used by DKIM key records. Tag names are case-sensitive;
 * duplicate names make the whole list invalid (the caller reports that).
 */

export interface Tag {
  name: string;
  value: string;
  /** Offset of the tag name in the record text. */
  position: number;
}

export type TagListProblem = 'no-equals' | 'bad-tag-name' | 'bad-value-char';

export interface TagListError {
  problem: TagListProblem;
  position: number;
  /** The tag-spec the problem is in, as written. */
  near: string;
}

export interface TagList {
  tags: Tag[];
  errors: TagListError[];
  /** Names that occur more than once, in order of first repetition. */
  duplicates: string[];
}

const TAG_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
// tval characters (VALCHAR: %x21-3A / %x3C-7E) with whitespace between them (WSP / FWS).
const TAG_VALUE = /^[\x21-\x3a\x3c-\x7e \t\r\n]*$/;
const WSP = /^[ \t\r\n]+|[ \t\r\n]+$/g;

export function parseTagList(text: string): TagList {
  const tags: Tag[] = [];
  const errors: TagListError[] = [];
  const duplicates: string[] = [];
  const seen = new Set<string>();
  let offset = 0;
  for (const spec of text.split(';')) {
    const start = offset;
    offset += spec.length + 1;
    // Empty specs (";;" or a trailing ";") carry nothing; verifiers skip them.
    if (spec.trim() === '') continue;
    const lead = spec.length - spec.trimStart().length;
    const eq = spec.indexOf('=');
    const near = spec.trim();
    if (eq === -1) {
      errors.push({ problem: 'no-equals', position: start + lead, near });
      continue;
    }
    const name = spec.slice(0, eq).replace(WSP, '');
    const value = spec.slice(eq + 1).replace(WSP, '');
    if (!TAG_NAME.test(name)) {
      errors.push({ problem: 'bad-tag-name', position: start + lead, near });
      continue;
    }
    if (!TAG_VALUE.test(value)) {
      errors.push({ problem: 'bad-value-char', position: start + eq + 1, near });
    }
    if (seen.has(name)) {
      if (!duplicates.includes(name)) duplicates.push(name);
      continue;
    }
    seen.add(name);
    tags.push({ name, value, position: start + lead });
  }
  return { tags, errors, duplicates };
}

/**
 * The `v=<version>; name=value; ...` syntax shared by MTA-STS (RFC 8461 s3.1) and TLS-RPT
 * (RFC 8460 s3) TXT records: the version first, fields separated by ";" with optional
 * whitespace around it, no whitespace around "=", extension names of 1-32 characters and
 * values of visible ASCII other than ";" and "=" (the rua list allows "," with spaces).
 */

export type FieldsProblem =
  | 'too-long'
  | 'leading-space'
  | 'bad-version'
  | 'missing-semicolon'
  | 'no-fields'
  | 'no-equals'
  | 'space-around-equals'
  | 'bad-field-name'
  | 'bad-value';

export interface FieldsError {
  problem: FieldsProblem;
  position: number;
  near: string;
}

export interface Field {
  name: string;
  value: string;
  position: number;
}

export interface Fields {
  /** The record starts with exactly `v=<version>` followed by ";" or its end. */
  versionOk: boolean;
  fields: Field[];
  errors: FieldsError[];
  duplicates: string[];
}

const FIELD_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
const FIELD_VALUE = /^[\x21-\x3a\x3c\x3e-\x7e]+$/;

export function parseFields(
  text: string,
  version: string,
  options: { maxLength: number; valuePattern?: (name: string) => RegExp | undefined },
): Fields {
  const out: Fields = { versionOk: false, fields: [], errors: [], duplicates: [] };
  const fail = (problem: FieldsProblem, position: number, near: string) =>
    out.errors.push({ problem, position, near });
  if (text.length > options.maxLength) {
    fail('too-long', options.maxLength, '');
    return out;
  }
  const parts = text.split(';');
  const head = parts[0] ?? '';
  const expected = `v=${version}`;
  if (/^[ \t]/.test(text)) fail('leading-space', 0, head.trim());
  else if (head.trimEnd() === expected) out.versionOk = true;
  else if (head.startsWith(expected) && /^[ \t]/.test(head.slice(expected.length))) {
    fail('missing-semicolon', expected.length, head);
  } else fail('bad-version', 0, head.trim());
  if (!out.versionOk) return out;

  const seen = new Set<string>();
  let offset = head.length + 1;
  for (const part of parts.slice(1)) {
    const start = offset;
    offset += part.length + 1;
    const spec = part.trim();
    if (spec === '') continue;
    const at = start + part.indexOf(spec);
    const eq = spec.indexOf('=');
    if (eq === -1) {
      fail('no-equals', at, spec);
      continue;
    }
    const name = spec.slice(0, eq);
    const value = spec.slice(eq + 1);
    if (/[ \t]$/.test(name) || /^[ \t]/.test(value)) {
      fail('space-around-equals', at + eq, spec);
      continue;
    }
    if (!FIELD_NAME.test(name)) {
      fail('bad-field-name', at, spec);
      continue;
    }
    if (!(options.valuePattern?.(name) ?? FIELD_VALUE).test(value)) {
      fail('bad-value', at + eq + 1, spec);
      continue;
    }
    if (seen.has(name)) {
      if (!out.duplicates.includes(name)) out.duplicates.push(name);
      continue;
    }
    seen.add(name);
    out.fields.push({ name, value, position: at });
  }
  if (out.fields.length === 0 && out.errors.length === 0 && out.duplicates.length === 0) {
    fail('no-fields', text.length, text.trim());
  }
  return out;
}

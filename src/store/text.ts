/**
 * Text as each engine keeps it (PostgreSQL text cannot hold a NUL character), and the JSON text
 * of lists in that form. Pure, so that a read thread can make rows (PreparedRecords).
 */
import type { EngineKind } from './engine.ts';

// PostgreSQL rejects U+0000 in text. A NUL is written as ESCAPE + '0' and the escape character
// itself as ESCAPE + ESCAPE, so every string round-trips and strings holding neither (all real
// ones) are stored as they are. U+FFFF is a noncharacter: no report has a reason to carry it.
const ESCAPE = '\uffff';
const NEEDS_ESCAPE = /[\u0000\uffff]/;
const TO_ESCAPE = /[\u0000\uffff]/g;
const ESCAPED = /\uffff([0\uffff])/g;

/** The form of a string the engine can hold. */
export function encodeText(kind: EngineKind, value: string): string {
  if (kind === 'sqlite' || !NEEDS_ESCAPE.test(value)) return value;
  return value.replace(TO_ESCAPE, (c) => (c === '\u0000' ? `${ESCAPE}0` : ESCAPE + ESCAPE));
}

/** encodeText of a string, null kept null. */
export function encodeOptionalText(kind: EngineKind, value: string | null): string | null {
  return value === null ? null : encodeText(kind, value);
}

/** What JSON.stringify would escape in a string: quotes, backslashes, controls, lone surrogates. */
const NEEDS_JSON_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON text of a list in the engine's text form, or null for an empty one when `emptyIsNull`. */
export function encodeJson(kind: EngineKind, value: readonly unknown[], emptyIsNull: true): string | null;
export function encodeJson(kind: EngineKind, value: readonly unknown[]): string;
export function encodeJson(kind: EngineKind, value: readonly unknown[], emptyIsNull = false): string | null {
  return emptyIsNull && value.length === 0 ? null : encodeText(kind, JSON.stringify(value));
}

/**
 * A string or null as a JSON value, the string in the engine's text form: how strings sit in
 * the JSON lists of a record's row (see RecordsTable.reasons). Most need no escaping.
 */
export function encodeJsonString(kind: EngineKind, value: string | null): string {
  if (value === null) return 'null';
  const text = encodeText(kind, value);
  return NEEDS_JSON_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/** The string as it was given to encodeText. */
export function decodeText(kind: EngineKind, value: string): string {
  if (kind === 'sqlite' || !value.includes(ESCAPE)) return value;
  return value.replace(ESCAPED, (_, c: string) => (c === '0' ? '\u0000' : ESCAPE));
}

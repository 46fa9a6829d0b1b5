/** Checks and conversions of values on their way into a row, shared by every writer. */
import { StoreInputError } from './errors.ts';

export function now(): number {
  return Math.floor(Date.now() / 1000);
}

/** A whole number a JS number holds exactly (and both engines' 64-bit integers hold). */
/** `field`: the value's name as the report spells it, for the error. */
export function integer(value: number, field: string): number {
  if (Number.isInteger(value) && !Number.isSafeInteger(value))
    throw new StoreInputError('number-too-large', { field, value });
  if (!Number.isSafeInteger(value)) throw new StoreInputError('invalid-number', { field, value });
  return value;
}

export function optionalInteger(value: number | null | undefined, field: string): number | null {
  return value === null || value === undefined ? null : integer(value, field);
}

export function flag(value: boolean | null): number | null {
  return value === null ? null : value ? 1 : 0;
}

/**
 * A domain name as lookups compare it: lower case, without the root's trailing dot (DNS names
 * are the same in any case; `Acme.Example.` is acme.example) nor spaces around it. What the
 * report said stays in its own fields and raw bytes. Idempotent (`a..` is `a`), so that names
 * brought to this form in place never meet another name's old form. Little work on a name already
 * in it, as an aggregate record's header_from mostly is (the rollup's key takes it per record).
 */
export function lookupDomain(name: string): string;
export function lookupDomain(name: string | null | undefined): string | null;
export function lookupDomain(name: string | null | undefined): string | null {
  if (name === null || name === undefined) return null;
  const lower = name.toLowerCase();
  if (lower === '') return lower;
  // Only a name starting with a space or ending with a space or a dot has edges to trim; any
  // character past ASCII is checked by the pattern (U+3000, the ideographic space, is one).
  const first = lower.charCodeAt(0);
  const last = lower.charCodeAt(lower.length - 1);
  if (first > 32 && first < 128 && last > 32 && last < 128 && last !== 46) return lower;
  return lower.replace(UNTRIMMED_EDGES, '');
}

const UNTRIMMED_EDGES = /^\s+|[\s.]+$/g;

/** Each of a report's domains once, as lookups compare them, empty names left out. */
export function lookupDomains(names: readonly string[]): string[] {
  return [...new Set(names.map((name) => lookupDomain(name)).filter((name) => name !== ''))];
}

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
 * are the same in any case; `Acme.Example.` is acme.example). What the report said stays in its
 * own fields and raw bytes.
 */
export function lookupDomain(name: string): string;
export function lookupDomain(name: string | null | undefined): string | null;
export function lookupDomain(name: string | null | undefined): string | null {
  if (name === null || name === undefined) return null;
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** Each of a report's domains once, as lookups compare them, empty names left out. */
export function lookupDomains(names: readonly string[]): string[] {
  return [...new Set(names.map((name) => lookupDomain(name)).filter((name) => name !== ''))];
}

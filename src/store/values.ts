/** Checks and conversions of values on their way into a row, shared by every writer. */
import { StoreInputError } from './errors.ts';

export function now(): number {
  return Math.floor(Date.now() / 1000);
}

/** A whole number a JS number holds exactly (and both engines' 64-bit integers hold). */
/** `field`: the value's name as the report spells it, for the error. */
export function integer(value: number, field: string): number {
  if (!Number.isSafeInteger(value)) throw new StoreInputError('invalid-number', { field, value });
  return value;
}

export function optionalInteger(value: number | null | undefined, field: string): number | null {
  return value === null || value === undefined ? null : integer(value, field);
}

export function flag(value: boolean | null): number | null {
  return value === null ? null : value ? 1 : 0;
}

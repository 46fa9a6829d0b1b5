import { describe, expect, it } from 'vitest';
import { type CopyStanding, countsOver } from '../../src/store/counted.ts';

describe('which of two differing copies of a report counts', () => {
  const copy = (messages: number, records: number, sha256: string): CopyStanding => ({
    messages,
    records,
    sha256,
  });
  const copies = [
    copy(6, 2, 'b0'),
    copy(6, 2, 'a9'),
    copy(6, 1, '00'),
    copy(5, 9, '00'),
    copy(0, 0, 'ff'),
    copy(0, 1, 'ff'),
  ];

  it('the one covering more messages, then with more records, then whose SHA-256 sorts first', () => {
    expect(countsOver(copy(6, 1, 'ff'), copy(5, 9, '00'))).toBe(true);
    expect(countsOver(copy(6, 2, 'ff'), copy(6, 1, '00'))).toBe(true);
    expect(countsOver(copy(6, 2, 'a9'), copy(6, 2, 'b0'))).toBe(true);
    expect(countsOver(copy(6, 2, 'b0'), copy(6, 2, 'a9'))).toBe(false);
  });

  it('is a strict total order: exactly one of two differing copies counts, and never a copy over itself', () => {
    for (const a of copies) {
      expect(countsOver(a, a)).toBe(false);
      for (const b of copies) if (a !== b) expect(countsOver(a, b)).not.toBe(countsOver(b, a));
    }
  });

  it('picks the same copy whatever order the copies arrive in', () => {
    const winner = (order: CopyStanding[]) =>
      order.reduce((kept, next) => (countsOver(next, kept) ? next : kept));
    const expected = winner(copies);
    expect(expected).toEqual(copy(6, 2, 'a9'));
    expect(winner([...copies].reverse())).toBe(expected);
    for (let shift = 1; shift < copies.length; shift++) {
      expect(winner([...copies.slice(shift), ...copies.slice(0, shift)])).toBe(expected);
    }
  });
});

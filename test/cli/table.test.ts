import { describe, expect, it } from 'vitest';
import { table } from '../../src/cli/analysis-common.ts';

describe('table', () => {
  it('pads columns to their widest cell, a wide character counting two, numbers right-aligned', () => {
    expect(
      table(
        ['source', 'messages'],
        [
          ['送信元', '5'],
          ['192.0.2.1', '12,345'],
        ],
        [1],
      ).split('\n'),
    ).toEqual(['source     messages', '送信元            5', '192.0.2.1    12,345']);
  });

  it("keeps a cell's line break out of its row", () => {
    expect(table(['a'], [['x\ny']])).toBe('a\nx y');
  });

  it('lays out 200,000 rows (a domain with that many senders)', () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => [`192.0.${i >> 8}.${i & 255}`, String(i)]);
    const lines = table(['source', 'n'], rows, [1]).split('\n');
    expect(lines).toHaveLength(200_001);
    expect(lines[200_000]).toBe('192.0.781.63   199999');
  });
});

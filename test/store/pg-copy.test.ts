import { describe, expect, it } from 'vitest';
import { CopyRows, copyText, copyValue } from '../../src/store/copy-text.ts';
import { isCopy } from '../../src/store/engine.ts';

describe('COPY text (PostgreSQL)', () => {
  it('writes NULL as \\N, numbers as they are, and escapes what COPY would read otherwise', () => {
    expect(copyValue(null)).toBe('\\N');
    expect(copyValue(undefined)).toBe('\\N');
    expect(copyValue(42)).toBe('42');
    expect(copyValue('\\N')).toBe('\\\\N');
    expect(copyValue('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(copyValue('日本語 📨 "q" \'s\'')).toBe('日本語 📨 "q" \'s\'');
  });

  it('writes bytes as bytea in hex, its backslash escaped, from any view of a buffer', () => {
    expect(copyValue(Buffer.from([0, 0x5c, 0xff]))).toBe('\\\\x005cff');
    expect(copyValue(new Uint8Array([9, 8, 7, 6]).subarray(1, 3))).toBe('\\\\x0807');
    expect(copyValue(Buffer.alloc(0))).toBe('\\\\x');
  });

  it('makes a line per row, columns parted by tabs, in UTF-8', () => {
    const text = copyText([1, 'x\ty', null, 2, '署名', ''], 3);
    expect(text.toString('utf8')).toBe('1\tx\\ty\t\\N\n2\t署名\t\n');
  });

  it('gives the same bytes however many rows it gathers, past its first buffer', () => {
    const values: unknown[] = [];
    for (let i = 0; i < 5_000; i++)
      values.push(i, `row ${i} 日本語\t`.repeat(1 + (i % 7)), i % 3 ? null : 'n');
    const expected = Array.from({ length: 5_000 }, (_, i) =>
      [i, `row ${i} 日本語\\t`.repeat(1 + (i % 7)), i % 3 ? '\\N' : 'n'].join('\t'),
    ).join('\n');
    const rows = new CopyRows();
    for (let at = 0; at < values.length; at += 3) rows.add(values, at, 3);
    expect(rows.rows).toBe(5_000);
    expect(rows.take().toString('utf8')).toBe(`${expected}\n`);
    // Taken rows are gone.
    expect(rows.rows).toBe(0);
    expect(rows.take().length).toBe(0);
  });

  it('writes every kind of value as copyValue says it, whatever comes before and after', () => {
    const values: unknown[] = [
      0,
      9,
      10,
      1_234_567_890_123_456,
      Number.MAX_SAFE_INTEGER,
      -5,
      2.5,
      Number.NaN,
      true,
      null,
      undefined,
      '',
      '\\N',
      'plain ascii',
      'tab\there\\back\nline\rret',
      'ドメイン\t日本語',
      'é then \\ then 📨',
      'lone \ud800 surrogate',
      Buffer.from([0, 0x5c, 0xff, 0x10]),
      new Uint8Array([1, 2, 3, 4]).subarray(1, 3),
    ];
    const rows = new CopyRows();
    // Each value alone, and all of them as one row, then after the two leading numbers.
    for (const value of values) rows.add([value], 0, 1);
    rows.add(values, 0, values.length);
    rows.addAfter(42, 7, values, 2, 5);
    const expected = [
      ...values.map((value) => copyValue(value)),
      values.map((value) => copyValue(value)).join('\t'),
      [42, 7, ...values.slice(2, 7)].map((value) => copyValue(value)).join('\t'),
    ];
    expect(rows.rows).toBe(values.length + 2);
    // As bytes: a lone surrogate is written as U+FFFD both ways.
    expect(rows.take()).toEqual(Buffer.from(`${expected.join('\n')}\n`, 'utf8'));
  });

  it('hashes the first columns of the row last added: equal text alike, any difference apart, a tab inside a value too', () => {
    const rows = new CopyRows();
    const hash = (values: unknown[], columns: number) => {
      rows.add(values, 0, values.length);
      return rows.lastRowHash(columns);
    };
    const key = hash(['example.jp', 20089, '192.0.2.1', 'pass', 5], 4);
    expect(Number.isSafeInteger(key)).toBe(true);
    // The columns after the first four (the messages) are not hashed.
    expect(hash(['example.jp', 20089, '192.0.2.1', 'pass', 7], 4)).toBe(key);
    expect(hash(['example.jp', 20089, '192.0.2.1', 'fail', 5], 4)).not.toBe(key);
    expect(hash(['example.jp', 20089, '192.0.2.10', 'pass', 5], 4)).not.toBe(key);
    expect(hash(['example.jp', 20089, null, 'pass', 5], 4)).not.toBe(key);
    // A value holding a tab is escaped, so it never reads as two columns.
    expect(hash(['a\tb', 'c', 1], 1)).not.toBe(hash(['a\tc', 'c', 1], 1));
    expect(hash(['a\tb', 'c', 1], 2)).toBe(hash(['a\tb', 'c', 2], 2));
    // Past the first buffer, as before it.
    for (let i = 0; i < 5_000; i++) rows.add([`filler ${i}`, i], 0, 2);
    expect(hash(['example.jp', 20089, '192.0.2.1', 'pass', 9], 4)).toBe(key);
  });

  it('knows its statements from others', () => {
    expect(isCopy('copy records (report_id,record_index) from stdin')).toBe(true);
    expect(isCopy('insert into records (report_id) values ($1)')).toBe(false);
    expect(isCopy("select 'copy x (a) from stdin'")).toBe(false);
  });
});

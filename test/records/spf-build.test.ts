import { describe, expect, it } from 'vitest';
import { buildSpfRecord, lintSpfRecord, splitTxtStrings } from '../../src/records/spf/index.ts';

describe('buildSpfRecord', () => {
  it('writes a record from options, cheapest terms first, validated by the linter', () => {
    const built = buildSpfRecord({
      domain: 'Example.COM.',
      ip4: ['192.0.2.0/24'],
      ip6: ['2001:db8::/32'],
      a: true,
      mx: ['example.net'],
      include: ['_spf.google.com'],
      all: '-',
    });
    expect(built).toMatchObject({
      name: 'example.com',
      type: 'TXT',
      value: 'v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx:example.net include:_spf.google.com -all',
      valid: true,
    });
    expect(built.strings).toEqual([built.value]);
    expect(built.findings.map((f) => f.code)).toEqual(['spf-fail-all']);
  });

  it('ends in ~all by default', () => {
    expect(buildSpfRecord({ mx: true }).value).toBe('v=spf1 mx ~all');
  });

  it('uses redirect= in place of all, and exp=', () => {
    const built = buildSpfRecord({ redirect: '_spf.example.com', all: '~', exp: 'why.example.com' });
    expect(built.value).toBe('v=spf1 redirect=_spf.example.com exp=why.example.com');
    expect(built.findings).toEqual([]);
  });

  it('writes v=spf1 -all for a parked domain', () => {
    const built = buildSpfRecord({ parked: true, include: ['_spf.example.net'] });
    expect(built.value).toBe('v=spf1 -all');
    expect(built.valid).toBe(true);
  });

  it('refuses bad input through the linter', () => {
    const built = buildSpfRecord({ ip4: ['192.0.2.300'], include: ['192.0.2.1'] });
    expect(built.valid).toBe(false);
    expect(built.findings.map((f) => f.code)).toEqual(
      expect.arrayContaining(['spf-invalid-ip4', 'spf-syntax-error']),
    );
  });

  it('says when the record alone already needs more than 10 lookups', () => {
    const include = Array.from({ length: 11 }, (_, i) => `s${i}.example.net`);
    const built = buildSpfRecord({ include });
    expect(built.valid).toBe(false);
    expect(built.findings.find((f) => f.code === 'spf-too-many-lookups')?.args).toMatchObject({
      count: 11,
      atLeast: true,
    });
  });

  it('cuts long records into strings of at most 255 bytes at spaces', () => {
    const ip4 = Array.from({ length: 20 }, (_, i) => `198.51.100.${i}`);
    const built = buildSpfRecord({ ip4 });
    expect(built.value.length).toBeGreaterThan(255);
    expect(built.strings.length).toBe(2);
    expect(built.strings.join('')).toBe(built.value);
    for (const s of built.strings) expect(Buffer.byteLength(s)).toBeLessThanOrEqual(255);
    expect(built.strings[0]!.endsWith(' ')).toBe(true);
    // The strings lint clean: no term is broken across them.
    const lint = lintSpfRecord({ record: built.value, strings: built.strings });
    expect(lint.findings.map((f) => f.code)).toEqual(['spf-softfail-all']);
  });

  it('cuts inside a term only when one term is longer than a string', () => {
    const long = `v=spf1 exists:${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.example.com -all`;
    const strings = splitTxtStrings(long);
    expect(strings.join('')).toBe(long);
    expect(strings.every((s) => Buffer.byteLength(s) <= 255)).toBe(true);
  });
});

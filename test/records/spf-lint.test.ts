import { describe, expect, it } from 'vitest';
import {
  findRunTogether,
  fixSpfRecord,
  lintSpfRecord,
  mergeSpfRecords,
  parseSpfRecord,
  SPF_BROAD_IP4_PREFIX,
  SPF_BROAD_IP6_PREFIX,
  SPF_MAX_STRING_BYTES,
  SPF_MAX_UDP_BYTES,
  SPF_RECOMMENDED_BYTES,
  SPF_RUN_TOGETHER_BUDGET,
} from '../../src/records/spf/index.ts';

const codes = (
  record: string,
  opts: Parameters<typeof lintSpfRecord>[0] extends infer T ? Partial<T> : never = {},
) => lintSpfRecord({ record, ...opts }).findings.map((f) => f.code);

describe('terms run together', () => {
  it('finds a space forgotten between two strings', () => {
    const record = 'v=spf1 include:a.example' + 'include:b.example -all';
    const strings = ['v=spf1 include:a.example', 'include:b.example -all'];
    const [found] = findRunTogether(parseSpfRecord(record), strings);
    expect(found).toMatchObject({
      at: 24,
      stringBoundary: true,
      fixed: 'include:a.example include:b.example',
    });
    // The joined term is valid syntax (":" may appear in a domain-spec), yet it is an error.
    expect(parseSpfRecord(record).errors).toEqual([]);
    const lint = lintSpfRecord({ record, strings });
    expect(lint.findings.find((f) => f.code === 'spf-terms-run-together')).toMatchObject({
      severity: 'error',
      args: { stringBoundary: true, position: 24 },
    });
    expect(lint.permerror).toBe(false);
  });

  it('finds all glued to the previous term, and reports it instead of a bare syntax error', () => {
    const lint = lintSpfRecord({ record: 'v=spf1 ip4:192.0.2.1~all' });
    expect(lint.findings.map((f) => f.code)).toEqual(['spf-terms-run-together', 'spf-softfail-all']);
    expect(lint.findings[0]!.args).toMatchObject({ fixed: 'ip4:192.0.2.1 ~all', stringBoundary: false });
    expect(lint.permerror).toBe(true);
  });

  it('splits three terms run together', () => {
    const [found] = findRunTogether(parseSpfRecord('v=spf1 a:x.example.commx:y.example.com-all'));
    expect(found?.fixed).toBe('a:x.example.com mx:y.example.com -all');
  });

  it('leaves a term split on purpose across strings alone', () => {
    const strings = ['v=spf1 ip4:', '192.0.2.5 include:_spf.exa', 'mple.com -all'];
    expect(findRunTogether(parseSpfRecord(strings.join('')), strings)).toEqual([]);
  });

  it(`spends at most ${SPF_RUN_TOGETHER_BUDGET} term parses on a token built of near-terms`, () => {
    const token = `${'a:x.com'.repeat(1000)}!`;
    const started = performance.now();
    expect(findRunTogether(parseSpfRecord(`v=spf1 ${token}`))).toEqual([]);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('does not take an IPv6 address or a domain for two terms', () => {
    expect(
      findRunTogether(
        parseSpfRecord('v=spf1 ip6:2001:db8::a:1 include:spf.example-all.com a:mx.example.com'),
      ),
    ).toEqual([]);
  });
});

describe('what a record says by its text', () => {
  it('judges strictness only where the record decides the result', () => {
    expect(codes('v=spf1 ?all')).toContain('spf-neutral-all');
    expect(codes('v=spf1 ?all', { role: 'include' })).not.toContain('spf-neutral-all');
    expect(codes('v=spf1 ip4:192.0.2.1', { role: 'include' })).not.toContain('spf-no-all');
    expect(codes('v=spf1 +all', { role: 'include' })).toContain('spf-permissive-all');
    expect(codes('v=spf1 all')).toContain('spf-permissive-all');
  });

  it('accepts redirect= in place of all', () => {
    expect(codes('v=spf1 ip4:192.0.2.1 redirect=_spf.example.com')).not.toContain('spf-no-all');
  });

  it('reports terms after all, and a second all on its own', () => {
    const lint = lintSpfRecord({ record: 'v=spf1 -all ip4:192.0.2.1 a ~all' });
    expect(lint.findings.find((f) => f.code === 'spf-terms-after-all')?.args).toEqual({
      all: '-all',
      terms: 'ip4:192.0.2.1 a',
    });
    expect(lint.findings.find((f) => f.code === 'spf-multiple-all')?.args).toEqual({ count: 2 });
  });

  it('does not take modifiers after all for ignored terms', () => {
    expect(codes('v=spf1 -all exp=why.example.com')).not.toContain('spf-terms-after-all');
  });

  it('knows the RFC 6652 reporting modifiers', () => {
    expect(codes('v=spf1 -all ra=postmaster rp=100 rr=all')).not.toContain('spf-unknown-modifier');
    expect(codes('v=spf1 -all default=deny')).toContain('spf-unknown-modifier');
  });

  it('asks a parked domain for exactly v=spf1 -all', () => {
    expect(codes('v=spf1 -all', { parked: true })).not.toContain('spf-parked-not-deny-all');
    expect(codes('V=SPF1  -ALL', { parked: true })).not.toContain('spf-parked-not-deny-all');
    expect(codes('v=spf1 ~all', { parked: true })).toContain('spf-parked-not-deny-all');
    expect(codes('v=spf1 -all exp=why.example.com', { parked: true })).toContain('spf-parked-not-deny-all');
  });

  it('measures strings and the whole record in bytes', () => {
    const long = `v=spf1 ${'ip4:198.51.100.1 '.repeat(16)}-all`;
    expect(long.length).toBeGreaterThan(SPF_MAX_STRING_BYTES);
    expect(
      lintSpfRecord({ record: long }).findings.find((f) => f.code === 'spf-string-too-long')?.args,
    ).toMatchObject({
      string: 1,
      bytes: long.length,
    });
    const fits = `v=spf1 ${'ip4:198.51.100.1 '.repeat(27)}-all`;
    expect(fits.length).toBeGreaterThan(SPF_RECOMMENDED_BYTES);
    expect(fits.length).toBeLessThanOrEqual(SPF_MAX_UDP_BYTES);
    const half = fits.length / 2;
    const strings = [fits.slice(0, half), fits.slice(half)];
    expect(codes(fits, { strings })).toEqual(expect.arrayContaining(['spf-record-large']));
    expect(codes(fits, { strings })).not.toContain('spf-string-too-long');
    expect(codes(fits, { lengths: [200, 200, 200] })).toContain('spf-record-too-large');
  });

  it('flags an invalid target name but not a macro one', () => {
    expect(codes('v=spf1 include:_spf..example.com -all')).toContain('spf-invalid-target-name');
    expect(codes('v=spf1 include:%{d}._spf.example.com -all')).not.toContain('spf-invalid-target-name');
  });

  it(`flags prefixes shorter than /${SPF_BROAD_IP4_PREFIX} (IPv4) and /${SPF_BROAD_IP6_PREFIX} (IPv6)`, () => {
    expect(codes(`v=spf1 ip4:8.0.0.0/${SPF_BROAD_IP4_PREFIX - 1} -all`)).toContain('spf-broad-ip-range');
    expect(codes(`v=spf1 ip4:8.0.0.0/${SPF_BROAD_IP4_PREFIX} -all`)).not.toContain('spf-broad-ip-range');
    expect(codes(`v=spf1 ip6:2a00::/${SPF_BROAD_IP6_PREFIX - 1} -all`)).toContain('spf-broad-ip-range');
    expect(codes(`v=spf1 ip6:2a00::/${SPF_BROAD_IP6_PREFIX} -all`)).not.toContain('spf-broad-ip-range');
  });

  it('flags very wide and unroutable ranges', () => {
    expect(codes('v=spf1 ip6:2001::/16 -all')).toContain('spf-broad-ip-range');
    expect(codes('v=spf1 ip6:2001:db8::/32 -all')).not.toContain('spf-broad-ip-range');
    expect(codes('v=spf1 ip6:fd00::1 -all')).toContain('spf-private-ip');
    expect(codes('v=spf1 ip4:192.168.0.0/16 -all')).toContain('spf-private-ip');
  });

  it('flags %{p} in modifiers too', () => {
    expect(codes('v=spf1 -all exp=%{p}.why.example.com')).toContain('spf-p-macro');
    expect(codes('v=spf1 -all note=%{p}')).toContain('spf-p-macro');
  });

  it('treats a near-miss version tag as malformed, anything else as a syntax error', () => {
    expect(codes(' v=spf1 -all')).toEqual(['spf-malformed-version']);
    expect(codes('v=spf2 -all')).toEqual(['spf-syntax-error']);
  });

  it('puts the record and where on every finding', () => {
    const [f] = lintSpfRecord({ record: 'v=spf1 moo', where: 'example.com' }).findings;
    expect(f).toMatchObject({ record: 'v=spf1 moo', where: 'example.com', args: { marked: 'v=spf1 ➞moo' } });
  });
});

describe('records Sumi can write', () => {
  it.each([
    ['v=spf1 ip4:192.0.2.1 +all', 'v=spf1 ip4:192.0.2.1 ~all', ['tighten-all']],
    ['v=spf1 ip4:192.0.2.1 ?all', 'v=spf1 ip4:192.0.2.1 ~all', ['tighten-all']],
    ['v=spf1 ip4:192.0.2.1', 'v=spf1 ip4:192.0.2.1 ~all', ['add-all']],
    ['v=spf1 ptr a -all', 'v=spf1 a -all', ['drop-ptr']],
    [
      'v=spf1 include:_spf.example.com include:_SPF.example.com. -all',
      'v=spf1 include:_spf.example.com -all',
      ['drop-duplicate-include'],
    ],
    ['v=spf1 ip4:192.0.2.1~all', 'v=spf1 ip4:192.0.2.1 ~all', ['split-run-together']],
  ])('%j becomes %j', (record, value, changes) => {
    expect(fixSpfRecord(record)).toEqual({ value, changes });
  });

  it('writes nothing for a record that needs nothing or cannot be fixed mechanically', () => {
    expect(fixSpfRecord('v=spf1 ip4:192.0.2.1 -all')).toBeUndefined();
    expect(fixSpfRecord('v=spf1 redirect=_spf.example.com')).toBeUndefined();
    expect(fixSpfRecord('v=spf1 moo -all')).toBeUndefined();
    expect(fixSpfRecord('v=spf10')).toBeUndefined();
  });

  it('writes v=spf1 -all for a parked domain', () => {
    expect(fixSpfRecord('v=spf1 mx ~all', { parked: true })).toEqual({
      value: 'v=spf1 -all',
      changes: ['parked-deny-all'],
    });
    expect(fixSpfRecord('v=spf1 -all', { parked: true })).toBeUndefined();
  });

  it('merges several records into one', () => {
    expect(
      mergeSpfRecords([
        'v=spf1 include:_spf.google.com ~all',
        'v=spf1 ip4:192.0.2.1 include:_spf.google.com -all',
      ]),
    ).toBe('v=spf1 include:_spf.google.com ip4:192.0.2.1 ~all');
    expect(mergeSpfRecords(['v=spf1 a -all', 'v=spf1 mx -all exp=why.example.com'])).toBe(
      'v=spf1 a mx -all exp=why.example.com',
    );
    expect(mergeSpfRecords(['v=spf1 a ptr ?all', 'v=spf1 mx'])).toBe('v=spf1 a mx ~all');
    expect(mergeSpfRecords(['v=spf1 redirect=a.example.com', 'v=spf1 -all'])).toBeUndefined();
    expect(mergeSpfRecords(['v=spf1 moo', 'v=spf1 -all'])).toBeUndefined();
  });
});

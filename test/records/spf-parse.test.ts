import { describe, expect, it } from 'vitest';
import {
  checkDomainSpec,
  checkExplainString,
  domainNameProblem,
  isIp4Network,
  isIp6Network,
  markRecord,
  parseSpfRecord,
  scanMacroString,
  spfVersionKind,
  unroutableRange,
} from '../../src/records/spf/index.ts';

function firstError(record: string) {
  const parse = parseSpfRecord(record);
  expect(parse.errors.length, record).toBeGreaterThan(0);
  return parse.errors[0]!;
}

describe('version tag (RFC 7208 s4.5)', () => {
  it.each([
    ['v=spf1', 'spf1'],
    ['v=spf1 -all', 'spf1'],
    ['V=SpF1 ~all', 'spf1'],
    ['v=spf10', 'malformed'],
    ['v=spf1x -all', 'malformed'],
    ['v=spf1\t-all', 'malformed'],
    [' v=spf1 -all', 'malformed'],
    ['"v=spf1 -all"', 'malformed'],
    ['spf2.0/mfrom,pra -all', 'sender-id'],
    ['google-site-verification=abc', 'other'],
    ['v=DMARC1; p=none', 'other'],
    ['', 'other'],
  ])('%j is %s', (text, kind) => {
    expect(spfVersionKind(text)).toBe(kind);
  });

  it('reports where a malformed version breaks', () => {
    const parse = parseSpfRecord('v=spf10 -all');
    expect(parse.isSpf).toBe(false);
    expect(parse.errors[0]).toMatchObject({ position: 6, expected: 'version', found: '0' });
  });

  it('accepts an empty record and trailing or repeated spaces', () => {
    expect(parseSpfRecord('v=spf1').errors).toEqual([]);
    expect(parseSpfRecord('v=spf1 a  -all ').errors).toEqual([]);
    expect(parseSpfRecord('v=spf1 a  -all ').terms.map((t) => t.text)).toEqual(['a', '-all']);
  });
});

describe('terms and their positions', () => {
  it('parses every mechanism with qualifiers, targets and prefix lengths', () => {
    const record =
      'v=spf1 +a -a:mail.example.com/24 ~mx:example.org//64 ?mx/24//48 ptr ptr:example.net ip4:192.0.2.0/24 ip6:2001:db8::/32 exists:%{i}.x.example.com include:_spf.example.com all';
    const parse = parseSpfRecord(record);
    expect(parse.errors).toEqual([]);
    const [a, a2, mx, mx2, ptr, ptr2, ip4, ip6, exists, include, all] = parse.terms;
    expect(a).toMatchObject({ name: 'a', qualifier: '+', qualifierExplicit: true, start: 7, end: 9 });
    expect(a2).toMatchObject({ qualifier: '-', domainSpec: 'mail.example.com', cidr4: 24 });
    expect(mx).toMatchObject({ qualifier: '~', domainSpec: 'example.org', cidr6: 64 });
    expect(mx).not.toHaveProperty('cidr4');
    expect(mx2).toMatchObject({ qualifier: '?', cidr4: 24, cidr6: 48 });
    expect(ptr).toMatchObject({ name: 'ptr' });
    expect(ptr).not.toHaveProperty('domainSpec');
    expect(ptr2).toMatchObject({ domainSpec: 'example.net' });
    expect(ip4).toMatchObject({ network: '192.0.2.0', cidr4: 24 });
    expect(ip6).toMatchObject({ network: '2001:db8::', cidr6: 32 });
    expect(exists).toMatchObject({ hasMacros: true, domainSpec: '%{i}.x.example.com' });
    expect(include).toMatchObject({ hasMacros: false, domainSpec: '_spf.example.com' });
    expect(all).toMatchObject({ name: 'all', qualifier: '+', qualifierExplicit: false });
    for (const term of parse.terms) expect(record.slice(term.start, term.end)).toBe(term.text);
  });

  it('takes mechanism and modifier names in any case', () => {
    const parse = parseSpfRecord('v=spf1 A MX:Example.COM Include:x.example.org REDIRECT=y.example.org');
    expect(parse.errors).toEqual([]);
    expect(parse.terms.map((t) => t.name)).toEqual(['a', 'mx', 'include', 'redirect']);
  });

  it('parses modifiers: redirect, exp and unknown ones', () => {
    const parse = parseSpfRecord(
      'v=spf1 redirect=_spf.example.com exp=why.%{d} moo.cow-far_out=man:dog/cat x=',
    );
    expect(parse.errors).toEqual([]);
    expect(parse.terms).toMatchObject([
      { kind: 'modifier', name: 'redirect', value: '_spf.example.com', hasMacros: false },
      { kind: 'modifier', name: 'exp', value: 'why.%{d}', hasMacros: true },
      { kind: 'modifier', name: 'moo.cow-far_out', value: 'man:dog/cat' },
      { kind: 'modifier', name: 'x', value: '' },
    ]);
  });

  it('keeps a domain-spec that holds ":" and "/" whole (it is a macro-string)', () => {
    const [term] = parseSpfRecord('v=spf1 a:foo:bar/baz.example.com').terms;
    expect(term).toMatchObject({ domainSpec: 'foo:bar/baz.example.com' });
    expect(term).not.toHaveProperty('cidr4');
  });

  it('reports several errors, each at its position', () => {
    const parse = parseSpfRecord('v=spf1 moo ip4:1.2.3.4 -all.');
    expect(parse.errors.map((e) => [e.position, e.expected])).toEqual([
      [7, 'term'],
      [27, 'end-of-term'],
    ]);
    expect(parse.terms.map((t) => t.text)).toEqual(['ip4:1.2.3.4']);
    expect(parse.tokens.map((t) => t.text)).toEqual(['moo', 'ip4:1.2.3.4', '-all.']);
  });

  it('marks the position in the record', () => {
    expect(markRecord('v=spf1 moo', 7)).toBe('v=spf1 ➞moo');
  });
});

describe('syntax errors: what was expected, and hints', () => {
  it.each([
    ['v=spf1 ip4:1.2.3.4 -all moo', 'spf-syntax-error', 24, 'term', 'moo', undefined],
    [
      'v=spf1 moo.cow/far_out=man:dog/cat',
      'spf-syntax-error',
      7,
      'term',
      'moo.cow/far_out=man:dog/cat',
      undefined,
    ],
    ['v=spf1 =all', 'spf-syntax-error', 7, 'modifier-name', '=', undefined],
    ['v=spf1 1up=foo', 'spf-syntax-error', 7, 'modifier-name', '1up', undefined],
    [
      'v=spf1 redirect:t2.example.com',
      'spf-syntax-error',
      7,
      'term',
      'redirect:t2.example.com',
      'modifier-not-mechanism',
    ],
    [
      'v=spf1 -redirect=x.example.com',
      'spf-syntax-error',
      7,
      'term',
      '-redirect=x.example.com',
      'qualified-modifier',
    ],
    ['v=spf1 -all.', 'spf-syntax-error', 11, 'end-of-term', '.', undefined],
    ['v=spf1 -all:foobar', 'spf-syntax-error', 11, 'end-of-term', ':foobar', 'no-value'],
    ['v=spf1 -all/8', 'spf-syntax-error', 11, 'end-of-term', '/8', 'no-value'],
    ['v=spf1 include', 'spf-syntax-error', 14, 'colon-domain', '', undefined],
    ['v=spf1 exists', 'spf-syntax-error', 13, 'colon-domain', '', undefined],
    ['v=spf1 ptr/0', 'spf-syntax-error', 10, 'colon-or-end', '/0', undefined],
    ['v=spf1 mx-foo', 'spf-syntax-error', 9, 'colon-or-cidr', '-foo', undefined],
    ['v=spf1 ip4', 'spf-syntax-error', 10, 'colon-network', '', undefined],
    ['v=spf1 include:', 'spf-empty-target', 15, 'domain-spec', '', undefined],
    ['v=spf1 exists:', 'spf-empty-target', 14, 'domain-spec', '', undefined],
    ['v=spf1 a:', 'spf-empty-target', 9, 'domain-spec', '', undefined],
    ['v=spf1 ptr:', 'spf-empty-target', 11, 'domain-spec', '', undefined],
    ['v=spf1 exp= -all', 'spf-empty-target', 11, 'domain-spec', '', undefined],
    ['v=spf1 ?all redirect=', 'spf-empty-target', 21, 'domain-spec', '', undefined],
    ['v=spf1 a:museum', 'spf-syntax-error', 9, 'toplabel', 'museum', undefined],
    ['v=spf1 a:museum.', 'spf-syntax-error', 9, 'toplabel', 'museum', undefined],
    ['v=spf1 a:abc.123', 'spf-syntax-error', 13, 'toplabel', '123', undefined],
    ['v=spf1 a:example.-com', 'spf-syntax-error', 17, 'toplabel', '-com', undefined],
    ['v=spf1 a:111.222.33.44', 'spf-syntax-error', 20, 'toplabel', '44', 'use-ip4'],
    ['v=spf1 include:192.0.2.1', 'spf-syntax-error', 23, 'toplabel', '1', 'use-ip4'],
    ['v=spf1 a:2001:db8::1', 'spf-syntax-error', 9, 'toplabel', '2001:db8::1', 'use-ip6'],
    ['v=spf1 include:ip5.example.com/24', 'spf-syntax-error', 27, 'toplabel', 'com/24', undefined],
    ['v=spf1 redirect=-all ?all', 'spf-syntax-error', 16, 'toplabel', '-all', undefined],
    ['v=spf1 a:foo.example.com\0', 'spf-syntax-error', 24, 'printable-ascii', 'U+0000', 'whitespace'],
    [
      'v=spf1 a:ctrl.example.com\rptr -all',
      'spf-syntax-error',
      25,
      'printable-ascii',
      'U+000D',
      'whitespace',
    ],
    [
      'v=spf1 ip4:192.0.2.5\n include:x.example.com',
      'spf-syntax-error',
      20,
      'printable-ascii',
      'U+000A',
      'whitespace',
    ],
    [
      'v=spf1 a:\uFEFFgarbage.example.net -all',
      'spf-syntax-error',
      9,
      'printable-ascii',
      'U+FEFF',
      'non-ascii',
    ],
    ['v=spf1 a:example.net \u0096all', 'spf-syntax-error', 21, 'printable-ascii', 'U+0096', 'non-ascii'],
  ])('%j: %s at %i, expected %s', (record, code, position, expected, found, hint) => {
    const e = firstError(record);
    expect(e).toMatchObject({ code, position, expected, found });
    expect(e.hint).toBe(hint);
  });

  it('hints that words after exp= were meant as its text', () => {
    const parse = parseSpfRecord('v=spf1 -all exp=why.example.com not allowed');
    expect(parse.errors.map((e) => [e.found, e.hint])).toEqual([
      ['not', 'exp-text'],
      ['allowed', 'exp-text'],
    ]);
  });

  it('reports a repeated redirect= or exp= as a permerror at the repetition', () => {
    const parse = parseSpfRecord(
      'v=spf1 redirect=a.example.com -all redirect=a.example.com exp=x.example exp=y.example',
    );
    expect(parse.errors.map((e) => [e.code, e.name, e.position])).toEqual([
      ['spf-duplicate-modifier', 'redirect', 35],
      ['spf-duplicate-modifier', 'exp', 72],
    ]);
  });
});

describe('ip4, ip6 and prefix lengths (RFC 7208 s5.6)', () => {
  it.each([
    ['ip4:1.1.1.1/0'],
    ['ip4:1.2.3.4/32'],
    ['ip4:255.255.255.255'],
    ['ip6:::1.1.1.1/0'],
    ['ip6:Cafe:Babe:8000::/33'],
    ['ip6:::FFFF:1.2.3.4'],
    ['ip6:1:2:3:4:5:6:7::'],
    ['ip6:2001:db8::/128'],
    ['a/0'],
    ['a//0'],
    ['a//33'],
    ['a/24//64'],
    ['mx:example.com/32//128'],
  ])('accepts %s', (term) => {
    expect(parseSpfRecord(`v=spf1 ${term}`).errors).toEqual([]);
  });

  it.each([
    ['ip4:1.2.3.4/33', 'spf-invalid-cidr', 'ip4-cidr', '33', undefined],
    ['ip4:1.2.3.4/032', 'spf-invalid-cidr', 'ip4-cidr', '032', 'leading-zero'],
    ['ip4:1.2.3.4//32', 'spf-invalid-cidr', 'ip4-cidr', '//32', 'no-dual-cidr'],
    ['ip4:1.2.3.4:8080', 'spf-invalid-ip4', 'ip4-network', '1.2.3.4:8080', 'port'],
    ['ip4:1.2.3', 'spf-invalid-ip4', 'ip4-network', '1.2.3', 'ip4-short'],
    ['ip4:01.2.3.4', 'spf-invalid-ip4', 'ip4-network', '01.2.3.4', 'leading-zero'],
    ['ip4:256.1.1.1', 'spf-invalid-ip4', 'ip4-network', '256.1.1.1', undefined],
    ['ip4:2001:db8::1', 'spf-invalid-ip4', 'ip4-network', '2001:db8::1', 'looks-like-ipv6'],
    ['ip4:', 'spf-invalid-ip4', 'ip4-network', '', undefined],
    ['ip4:%{i}', 'spf-macro-in-ip', 'ip4-network', '%{i}', undefined],
    ['ip6:%{i}::', 'spf-macro-in-ip', 'ip6-network', '%{i}::', undefined],
    ['ip6:::1.1.1.1/129', 'spf-invalid-cidr', 'ip6-cidr', '129', undefined],
    ['ip6:::1.1.1.1//33', 'spf-invalid-cidr', 'ip6-cidr', '//33', 'no-dual-cidr'],
    ['ip6::CAFE::BABE', 'spf-invalid-ip6', 'ip6-network', ':CAFE::BABE', undefined],
    ['ip6:192.0.2.1', 'spf-invalid-ip6', 'ip6-network', '192.0.2.1', 'looks-like-ipv4'],
    ['ip6:fe80::1%eth0', 'spf-macro-in-ip', 'ip6-network', 'fe80::1%eth0', undefined],
    ['a/33', 'spf-invalid-cidr', 'ip4-cidr', '33', undefined],
    ['a//129', 'spf-invalid-cidr', 'ip6-cidr', '129', undefined],
    ['mx//33/', 'spf-invalid-cidr', 'dual-cidr', '//33/', undefined],
    ['a/24/64', 'spf-invalid-cidr', 'dual-cidr', '/24/64', 'double-slash'],
    ['a:example.com/24/64', 'spf-invalid-cidr', 'dual-cidr', '/24/64', 'double-slash'],
  ])('rejects %s (%s)', (term, code, expected, found, hint) => {
    const e = firstError(`v=spf1 ${term}`);
    expect(e).toMatchObject({ code, expected, found });
    expect(e.hint).toBe(hint);
  });

  it('validates networks strictly', () => {
    expect(isIp4Network('192.0.2.1')).toBe(true);
    expect(isIp4Network('192.0.2.01')).toBe(false);
    expect(isIp6Network('::ffff:192.0.2.1')).toBe(true);
    expect(isIp6Network('::ffff:192.0.2.01')).toBe(false);
    expect(isIp6Network('fe80::1%eth0')).toBe(false);
  });

  it('knows which ranges never send on the internet', () => {
    expect(unroutableRange('10.1.2.3')).toBe('private');
    expect(unroutableRange('127.0.0.1')).toBe('loopback');
    expect(unroutableRange('fe80::1')).toBe('linkLocal');
    expect(unroutableRange('::ffff:192.168.1.1')).toBe('private');
    expect(unroutableRange('8.8.8.8')).toBeUndefined();
    expect(unroutableRange('192.0.2.1')).toBeUndefined();
  });
});

describe('macros (RFC 7208 s7)', () => {
  it('reads letters, digits, reversal and delimiters', () => {
    const scan = scanMacroString('%{l2r+-}.%{D2}.%{ir}.%{v}._spf.%{d}%%%_%-');
    expect(scan.issue).toBeUndefined();
    expect(scan.macros.map((m) => [m.letter, m.digits, m.reverse, m.delimiters, m.escaped])).toEqual([
      ['l', 2, true, '+-', false],
      ['d', 2, false, '', true],
      ['i', undefined, true, '', false],
      ['v', undefined, false, '', false],
      ['d', undefined, false, '', false],
    ]);
  });

  it.each([
    ['%(ir).sbl.example.com', 0, 'macro', '%('],
    ['foo%.sbl.example.com', 3, 'macro', '%.'],
    ['foo%', 3, 'macro', '%'],
    ['%{a}.example.com', 2, 'macro-letter', 'a'],
    ['%{d0}.example.com', 3, 'nonzero-digits', '0'],
    ['%{d2x}.example.com', 4, 'macro-close', 'x'],
    ['%{d', 3, 'macro-close', ''],
    ['%{r}.example.com', 2, 'macro-letter', 'r'],
    ['%{C}.example.com', 2, 'macro-letter', 'C'],
  ])('rejects %j at %i (expected %s)', (text, offset, expected, found) => {
    expect(scanMacroString(text).issue).toMatchObject({
      offset,
      expected,
      found,
      code: 'spf-macro-syntax-error',
    });
  });

  it('allows c, r, t and spaces only in explanation text', () => {
    expect(scanMacroString('%{c}').issue?.hint).toBe('exp-only-letter');
    expect(checkExplainString('Mail from %{c} refused by %{r} at %{t}; see %{d}')).toBeUndefined();
    expect(checkExplainString('The %{x}-files.')).toMatchObject({ expected: 'macro-letter', found: 'x' });
    expect(checkExplainString('\uFEFFExplanation')).toMatchObject({
      expected: 'printable-ascii',
      hint: 'non-ascii',
    });
  });

  it('rejects exp-only letters in exp= itself', () => {
    expect(firstError('v=spf1 -all exp=%{r}.example.com')).toMatchObject({
      code: 'spf-macro-syntax-error',
      hint: 'exp-only-letter',
    });
  });

  it('checks a domain-spec ends in a macro or a top-level label', () => {
    expect(checkDomainSpec('%{d}').issue).toBeUndefined();
    expect(checkDomainSpec('foo.%{d}').issue).toBeUndefined();
    expect(checkDomainSpec('%{H}.bar').issue).toBeUndefined();
    expect(checkDomainSpec('macro%%percent%_%_space%-url-space.example.com').issue).toBeUndefined();
    expect(checkDomainSpec('foo.example.xn--zckzah').issue).toBeUndefined();
    expect(checkDomainSpec('foo-bar').issue).toMatchObject({ expected: 'toplabel' });
    expect(checkDomainSpec('').issue).toMatchObject({ code: 'spf-empty-target' });
  });

  it('tells names that cannot be looked up', () => {
    expect(domainNameProblem('mail.example...com')).toBe('empty-label');
    expect(domainNameProblem(`${'a'.repeat(64)}.example.com`)).toBe('label-too-long');
    expect(domainNameProblem(`${'abcdefghi.'.repeat(26)}com`)).toBe('name-too-long');
    expect(domainNameProblem('example.com.')).toBeUndefined();
  });
});

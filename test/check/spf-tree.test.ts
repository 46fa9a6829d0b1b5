import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SPF_LIMITS,
  SPF_LOOKUP_LIMIT,
  SPF_MAX_DEPTH,
  SPF_MAX_NODES,
  SPF_MAX_QUERIES,
  SPF_MAX_RECORD_CHARS,
  SPF_MX_LIMIT,
  SPF_PTR_NAMES_LIMIT,
  SPF_TIME_BUDGET_MS,
  SPF_VOID_LOOKUP_LIMIT,
  type SpfTreeNode,
} from '../../src/check/spf.ts';
import { Zone } from '../../src/dns/zone.ts';
import { fixtureZone, runSpf } from './spf-helpers.ts';

/** Lookup counts below are computed by hand from the fixtures in test/fixtures/spf/. */

function child(node: SpfTreeNode, domain: string): SpfTreeNode {
  const found = node.children.find((c) => c.domain === domain);
  if (!found) throw new Error(`${node.domain} has no child ${domain}`);
  return found;
}

function term(node: SpfTreeNode, text: string) {
  const found = node.terms.find((t) => t.text === text);
  if (!found) throw new Error(`${node.domain} has no term ${text}`);
  return found;
}

function noRepeatedQuestions(asked: string[]): void {
  expect(asked.length).toBe(new Set(asked).size);
}

describe('include tree and lookup counts', () => {
  it('counts a shared include each time it is evaluated, asking DNS once', async () => {
    const { report, codes, resolver } = await runSpf(fixtureZone('tree-shared'));
    const tree = report.parsed!.tree;
    // include:a (1) + [include:c (1) + c: a:web (1) mx (1)] + a:mail (1) = 5
    // include:b (1) + [include:c (1) + c: 2] = 4; total 9.
    expect(report.parsed!.lookups).toEqual({ count: 9, limit: 10, atLeast: false });
    expect(report.parsed!.voidLookups).toEqual({ count: 0, limit: 2, atLeast: false });
    const a = child(tree, 'a.example.net');
    const b = child(tree, 'b.example.net');
    expect([tree.lookups, tree.branchLookups]).toEqual([2, 9]);
    expect([a.lookups, a.branchLookups, a.cumulativeLookups]).toEqual([2, 4, 5]);
    expect([b.lookups, b.branchLookups, b.cumulativeLookups]).toEqual([1, 3, 9]);
    expect(child(a, 'c.example.net')).toMatchObject({ branchLookups: 2, cumulativeLookups: 4 });
    expect(child(b, 'c.example.net')).toMatchObject({ branchLookups: 2, cumulativeLookups: 9 });
    expect(term(tree, 'ip4:192.0.2.0/24')).toMatchObject({ lookups: 0, cumulativeLookups: 0 });
    expect(term(tree, 'include:a.example.net')).toMatchObject({ lookups: 1, cumulativeLookups: 5 });
    expect(term(tree, 'include:b.example.net')).toMatchObject({ lookups: 1, cumulativeLookups: 9 });
    // Addresses and MX hosts (by preference) are resolved.
    const c = child(a, 'c.example.net');
    expect(term(c, 'a:web.example.net').addresses).toEqual(['198.51.100.20', '2001:db8::20']);
    expect(term(c, 'mx:example.net').mxHosts).toEqual([
      { host: 'mx1.example.net', preference: 10, addresses: ['198.51.100.31'] },
      { host: 'mx2.example.net', preference: 20, addresses: ['198.51.100.32'] },
    ]);
    noRepeatedQuestions(resolver.asked);
    expect(resolver.asked.filter((q) => q === 'TXT c.example.net')).toHaveLength(1);
    expect(codes).toContain('spf-lookups-near-limit');
    const dup = report.findings.find((f) => f.code === 'spf-duplicate-include');
    expect(dup?.args).toMatchObject({ target: 'c.example.net', count: 2, sameRecord: false });
    expect(report.status).toBe('ok');
  });

  it('follows a redirect chain to the record that decides', async () => {
    const { report, resolver } = await runSpf(fixtureZone('tree-redirect'));
    const parsed = report.parsed!;
    // redirect (1) + _spf: a:mail (1) + redirect (1) + _spf2: mx (1) = 4; exp= is not counted.
    expect(parsed.lookups.count).toBe(4);
    expect(parsed.redirect).toBe('_spf.example.com');
    expect(parsed.defaultResult).toEqual({
      qualifier: '-',
      result: 'fail',
      source: 'redirect',
      isDefault: false,
      decidedBy: '_spf2.example.com',
    });
    const spf1 = child(parsed.tree, '_spf.example.com');
    const spf2 = child(spf1, '_spf2.example.com');
    expect(spf1).toMatchObject({ via: 'redirect', branchLookups: 3 });
    expect(spf2).toMatchObject({
      via: 'redirect',
      where: 'example.com → redirect=_spf.example.com → redirect=_spf2.example.com',
    });
    // The exp= of the record that decides is checked, but costs no lookup.
    expect(resolver.asked).toContain('TXT why.example.com');
    expect(term(spf2, 'exp=why.example.com')).toMatchObject({ lookups: 0, dns: 'ok' });
    expect(report.findings.map((f) => f.code)).not.toContain('spf-exp-unusable');
    noRepeatedQuestions(resolver.asked);
  });

  it('does not follow a redirect when the record has an all', async () => {
    const { report, resolver } = await runSpf(
      '@ TXT "v=spf1 ~all redirect=_spf.example.com"\n_spf TXT "v=spf1 -all"',
    );
    expect(report.parsed!.lookups.count).toBe(0);
    expect(term(report.parsed!.tree, 'redirect=_spf.example.com').evaluated).toBe(false);
    expect(resolver.asked).not.toContain('TXT _spf.example.com');
  });

  it('stops at an include loop and names it', async () => {
    const { report, codes } = await runSpf(fixtureZone('tree-loop'));
    const loop = report.findings.find((f) => f.code === 'spf-include-loop');
    expect(loop?.args).toMatchObject({ chain: 'a.example.net → b.example.net → a.example.net' });
    expect(loop?.where).toBe(
      'example.com → include:a.example.net → include:b.example.net → include:a.example.net',
    );
    const b = child(child(report.parsed!.tree, 'a.example.net'), 'b.example.net');
    expect(child(b, 'a.example.net').status).toBe('loop');
    expect(report.parsed!.lookups.count).toBe(3);
    expect(report.status).toBe('invalid');
    expect(codes).not.toContain('spf-too-many-lookups');
  });

  it('counts void lookups per branch and overall', async () => {
    const { report, codes } = await runSpf(fixtureZone('tree-void'));
    const tree = report.parsed!.tree;
    // gone1 (1), [_spf: gone2 (2), exists gone3 (3)], nomx (4).
    expect(report.parsed!.voidLookups).toEqual({ count: 4, limit: 2, atLeast: false });
    expect([tree.voidLookups, tree.branchVoidLookups]).toEqual([2, 4]);
    expect(child(tree, '_spf.example.net')).toMatchObject({ voidLookups: 2, branchVoidLookups: 2 });
    expect(term(tree, 'a:gone1.example.com')).toMatchObject({ voidLookups: 1, dns: 'nxdomain' });
    expect(term(tree, 'include:_spf.example.net').voidLookups).toBe(0);
    expect(term(tree, 'mx:nomx.example.com')).toMatchObject({ voidLookups: 1, dns: 'nodata' });
    const over = report.findings.find((f) => f.code === 'spf-too-many-void-lookups');
    expect(over?.where).toBe('example.com → include:_spf.example.net → exists:gone3.example.net');
    expect(codes).toEqual(expect.arrayContaining(['spf-a-no-address', 'spf-mx-no-records']));
    expect(report.status).toBe('invalid');
  });

  it(`resolves at most ${SPF_MX_LIMIT} MX hosts and reports more as permerror`, async () => {
    const { report, resolver } = await runSpf(fixtureZone('tree-mx'));
    const mx = term(report.parsed!.tree, 'mx');
    expect(mx.mxHosts).toHaveLength(SPF_MX_LIMIT);
    expect(resolver.asked).not.toContain('A m10.example.com');
    expect(report.findings.find((f) => f.code === 'spf-too-many-mx')?.args).toMatchObject({
      count: 11,
      limit: 10,
    });
    expect(report.status).toBe('invalid');
  });

  it('reports a CNAME loop on an include target as a DNS error there, never as missing', async () => {
    const { report, codes } = await runSpf(fixtureZone('tree-cname-loop'));
    const error = report.findings.find((f) => f.code === 'spf-dns-error');
    expect(error).toMatchObject({ where: 'example.com → include:_spf.example.net' });
    expect(error?.args).toMatchObject({ name: '_spf.example.net', type: 'TXT', status: 'servfail' });
    expect(codes).not.toContain('spf-include-no-spf');
    expect(codes).not.toContain('spf-missing');
    expect(report.parsed!.lookups).toEqual({ count: 1, limit: 10, atLeast: true });
    expect(child(report.parsed!.tree, '_spf.example.net')).toMatchObject({
      status: 'dns-error',
      incomplete: true,
    });
  });

  it('reports a timeout on an include where it happened and makes counts lower bounds', async () => {
    const { report, codes } = await runSpf(fixtureZone('tree-timeout'));
    const error = report.findings.find((f) => f.code === 'spf-dns-error');
    expect(error).toMatchObject({ where: 'example.com → include:_spf.example.org' });
    expect(error?.args).toMatchObject({ status: 'timeout' });
    expect(codes).not.toContain('spf-include-no-spf');
    expect(report.parsed!.lookups).toEqual({ count: 3, limit: 10, atLeast: true });
    expect(report.parsed!.tree.incomplete).toBe(true);
    expect(child(report.parsed!.tree, '_spf.example.net').incomplete).toBe(false);
  });

  it('says "at least" when a temporary failure hides part of an over-limit tree', async () => {
    const zone = Zone.parse(
      `@ TXT "v=spf1 ${Array.from({ length: 11 }, (_, i) => `a:h${i}.example.com`).join(' ')} include:_spf.example.net -all"
${Array.from({ length: 11 }, (_, i) => `h${i} A 192.0.2.${i + 1}`).join('\n')}
_spf.example.net. SERVFAIL`,
      'example.com',
    );
    const { report } = await runSpf(zone);
    const over = report.findings.find((f) => f.code === 'spf-too-many-lookups');
    expect(over?.args).toMatchObject({ count: 12, atLeast: true });
  });

  it('counts a macro include as one lookup and marks the total as a lower bound', async () => {
    const { report, resolver } = await runSpf(
      '@ TXT "v=spf1 include:%{d}.spf.example.net a:%{i}.x.example.net -all"',
    );
    expect(report.parsed!.lookups).toEqual({ count: 2, limit: 10, atLeast: true });
    expect(term(report.parsed!.tree, 'include:%{d}.spf.example.net').macro).toBe(true);
    expect(resolver.asked).toEqual(['TXT example.com', 'SPF example.com']);
  });

  it('does not count or follow terms after all', async () => {
    const { report, resolver } = await runSpf(
      '@ TXT "v=spf1 -all include:_spf.example.net"\n_spf.example.net. TXT "v=spf1 -all"',
    );
    expect(report.parsed!.lookups.count).toBe(0);
    expect(term(report.parsed!.tree, 'include:_spf.example.net').evaluated).toBe(false);
    expect(resolver.asked).not.toContain('TXT _spf.example.net');
  });

  it('reports an include target with two SPF records where it is', async () => {
    const { report } = await runSpf(
      '@ TXT "v=spf1 include:_spf.example.net -all"\n_spf.example.net. TXT "v=spf1 -all"\n_spf.example.net. TXT "v=spf1 ~all"',
    );
    const multiple = report.findings.find((f) => f.code === 'spf-multiple-records');
    expect(multiple).toMatchObject({ where: 'example.com → include:_spf.example.net' });
    expect(report.status).toBe('invalid');
  });

  it('fills in defaults and says which they are', async () => {
    const { report } = await runSpf(
      '@ TXT "v=spf1 a mx:example.net/24 ip6:2001:db8::/32 ip4:192.0.2.1"\n@ A 192.0.2.1',
    );
    const [a, mx, ip6, ip4] = report.parsed!.terms;
    expect(a).toMatchObject({ qualifier: '+', target: 'example.com', cidr4: 32, cidr6: 128 });
    expect(a!.defaults).toEqual(['qualifier', 'target', 'cidr4', 'cidr6']);
    expect(mx).toMatchObject({
      target: 'example.net',
      cidr4: 24,
      cidr6: 128,
      defaults: ['qualifier', 'cidr6'],
    });
    expect(ip6).toMatchObject({ cidr6: 32, defaults: ['qualifier'] });
    expect(ip4).toMatchObject({ cidr4: 32, defaults: ['qualifier', 'cidr4'] });
    expect(report.parsed!.defaultResult).toEqual({
      qualifier: '?',
      result: 'neutral',
      source: 'default',
      isDefault: true,
    });
    expect(report.parsed!.ptrNamesLimit).toBe(SPF_PTR_NAMES_LIMIT);
  });
});

describe('caps on what one check may cost', () => {
  const chain = (n: number) =>
    Zone.parse(
      [
        '@ TXT "v=spf1 include:l1.example.net -all"',
        ...Array.from(
          { length: n },
          (_, i) => `l${i + 1}.example.net. TXT "v=spf1 include:l${i + 2}.example.net"`,
        ),
      ].join('\n'),
      'example.com',
    );

  it('has the documented defaults', () => {
    expect(DEFAULT_SPF_LIMITS).toMatchObject({
      maxDepth: SPF_MAX_DEPTH,
      maxNodes: SPF_MAX_NODES,
      maxQueries: SPF_MAX_QUERIES,
      timeBudgetMs: SPF_TIME_BUDGET_MS,
      maxRecordChars: SPF_MAX_RECORD_CHARS,
    });
    expect([SPF_LOOKUP_LIMIT, SPF_VOID_LOOKUP_LIMIT, SPF_MX_LIMIT, SPF_PTR_NAMES_LIMIT]).toEqual([
      10, 2, 10, 10,
    ]);
  });

  it(`follows includes at most ${SPF_MAX_DEPTH} deep`, async () => {
    const { report, resolver } = await runSpf(chain(20));
    const limit = report.findings.find((f) => f.code === 'spf-walk-limit-reached');
    expect(limit?.args).toMatchObject({ reason: 'depth', limit: SPF_MAX_DEPTH });
    expect(resolver.asked).toContain(`TXT l${SPF_MAX_DEPTH}.example.net`);
    expect(resolver.asked).not.toContain(`TXT l${SPF_MAX_DEPTH + 1}.example.net`);
    expect(report.parsed!.lookups).toMatchObject({ count: SPF_MAX_DEPTH + 1, atLeast: true });
    expect(report.findings.map((f) => f.code)).toContain('spf-too-many-lookups');
  });

  it(`evaluates at most ${SPF_MAX_NODES} records (a tree that doubles at each level)`, async () => {
    const levels = 8;
    const zone = Zone.parse(
      [
        '@ TXT "v=spf1 include:d1.example.net include:d1.example.net -all"',
        ...Array.from(
          { length: levels },
          (_, i) =>
            `d${i + 1}.example.net. TXT "v=spf1 include:d${i + 2}.example.net include:d${i + 2}.example.net"`,
        ),
        `d${levels + 1}.example.net. TXT "v=spf1 -all"`,
      ].join('\n'),
      'example.com',
    );
    const { report, resolver } = await runSpf(zone);
    expect(report.findings.find((f) => f.code === 'spf-walk-limit-reached')?.args).toMatchObject({
      reason: 'nodes',
      limit: SPF_MAX_NODES,
    });
    const count = (n: SpfTreeNode): number =>
      (n.status === 'not-followed' ? 0 : 1) + n.children.reduce((s, c) => s + count(c), 0);
    expect(count(report.parsed!.tree)).toBeLessThanOrEqual(SPF_MAX_NODES);
    noRepeatedQuestions(resolver.asked);
  });

  it(`asks at most ${SPF_MAX_QUERIES} DNS questions`, async () => {
    const includes = 20;
    const include = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) => `include:i${from + i}.example.net `).join('');
    const lines = [`@ TXT "v=spf1 ${include(0, 10)}" "${include(10, includes)}-all"`];
    for (let i = 0; i < includes; i++) {
      lines.push(
        `i${i}.example.net. TXT "v=spf1 ${Array.from({ length: 10 }, (_, j) => `a:h${j}.i${i}.example.net`).join(' ')}"`,
      );
    }
    const { report, resolver } = await runSpf(Zone.parse(lines.join('\n'), 'example.com'));
    expect(resolver.asked.length).toBeLessThanOrEqual(SPF_MAX_QUERIES);
    expect(report.findings.find((f) => f.code === 'spf-walk-limit-reached')?.args).toMatchObject({
      reason: 'queries',
    });
    expect(report.parsed!.lookups.atLeast).toBe(true);
  });

  it(`stops after ${SPF_TIME_BUDGET_MS} ms`, async () => {
    let now = 0;
    const clock = () => {
      now += 1000;
      return now;
    };
    const { report, resolver } = await runSpf(chain(40), {}, { clock, maxDepth: 100 });
    expect(report.findings.find((f) => f.code === 'spf-walk-limit-reached')?.args).toMatchObject({
      reason: 'time',
      limit: SPF_TIME_BUDGET_MS,
    });
    expect(resolver.asked.length).toBeLessThan(30);
  });

  it(`does not parse records over ${SPF_MAX_RECORD_CHARS} characters`, async () => {
    const strings = Array.from({ length: 40 }, (_, i) =>
      Buffer.from(`${i === 0 ? 'v=spf1' : ''} ${'ip4:198.51.100.1 '.repeat(14)}`),
    );
    const zone = new Zone().add('example.com', 'TXT', strings);
    const { report } = await runSpf(zone);
    const big = report.findings.find((f) => f.code === 'spf-record-too-large');
    expect(big?.args).toMatchObject({ notParsed: true, limit: SPF_MAX_RECORD_CHARS });
    expect(report.parsed!.tree.terms).toEqual([]);
    expect(report.status).toBe('invalid');
  });
});

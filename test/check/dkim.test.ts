import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMON_DKIM_SELECTORS, checkDkim } from '../../src/check/dkim.ts';
import { MAX_TXT_CANDIDATES } from '../../src/check/txt-discovery.ts';
import type { CheckOptions } from '../../src/check/types.ts';
import { Zone } from '../../src/dns/zone.ts';
import { ZoneResolver } from '../../src/dns/zone-resolver.ts';
import { dkimFindings } from '../../src/i18n/findings/dkim.ts';
import { chunks, generatedKeys, type Keys } from '../fixtures/dkim/keys.ts';
import { noFetcher } from '../fixtures/mta-sts/fake-fetcher.ts';

let keys: Keys;
beforeAll(() => {
  keys = generatedKeys();
});

const D = 'example.jp';
const sel = (s: string) => `${s}._domainkey.${D}`;

/** A zone with the domain itself plus the given TXT records (long ones split into strings). */
function zone(records: Record<string, string | string[]> = {}): Zone {
  const z = Zone.parse(`$ORIGIN ${D}.\n@ A 192.0.2.1\n`);
  for (const [name, texts] of Object.entries(records)) {
    for (const text of Array.isArray(texts) ? texts : [texts]) z.txt(name, ...chunks(text));
  }
  return z;
}

async function run(z: Zone, options: CheckOptions = {}) {
  const resolver = new ZoneResolver(z);
  const report = await checkDkim(D, { resolver, fetcher: noFetcher, options });
  // Never the same question twice within one check.
  expect(new Set(resolver.asked).size).toBe(resolver.asked.length);
  return { report, asked: resolver.asked, codes: report.findings.map((f) => f.code) };
}

const triggered = new Set<string>();
async function expectCode(code: string, z: Zone, options: CheckOptions = {}) {
  const result = await run(z, options);
  expect(result.codes, `${code} expected`).toContain(code);
  triggered.add(code);
  return result;
}

describe('checkDkim', () => {
  it('finds keys at common selectors, with defaults explicit, and nothing else to say about good keys', async () => {
    const { report, codes } = await run(
      zone({
        [sel('google')]: `v=DKIM1; k=rsa; p=${keys.rsa2048}`,
        [sel('s2')]: `v=DKIM1; k=ed25519; p=${keys.ed25519}`,
      }),
    );
    expect(codes).toEqual(['dkim-selectors-found']);
    expect(report.findings[0]!.args?.selectors).toBe('google, s2');
    expect(report.status).toBe('ok');
    expect(report.dns).toBe('nodata');
    expect(report.parsed?.selectorSource).toBe('common');
    expect(report.parsed?.selectorsAsked).toEqual(COMMON_DKIM_SELECTORS);
    expect(report.parsed?.selectors.map((s) => [s.selector, s.status])).toEqual([
      ['google', 'found'],
      ['s2', 'found'],
    ]);
    expect(report.parsed?.selectors[0]?.keys[0]).toMatchObject({
      keyType: { value: 'rsa', explicit: true },
      hashAlgorithms: { value: ['*'], explicit: false },
      key: { algorithm: 'rsa', bits: 2048 },
      usable: true,
    });
    expect(report.records[0]).toMatchObject({ name: sel('google'), type: 'TXT' });
    expect(report.records[0]!.strings?.length).toBeGreaterThan(1);
  });

  it('asks only _domainkey when it is NXDOMAIN (RFC 8020), and says selectors cannot be listed', async () => {
    const { report, asked } = await expectCode('dkim-selectors-not-found', zone());
    expect(asked).toEqual([`TXT _domainkey.${D}`]);
    expect(report.parsed?.domainkeyNxdomain).toBe(true);
    expect(report.status).toBe('missing');
    expect(report.findings[0]!.severity).toBe('info');
  });

  it('asks every selector when _domainkey exists (NODATA), failing, or reached through a CNAME', async () => {
    const other = await run(zone({ [sel('unguessable2024')]: `v=DKIM1; p=${keys.rsa2048}` }));
    expect(other.asked).toHaveLength(COMMON_DKIM_SELECTORS.length + 1);
    expect(other.codes).toEqual(['dkim-selectors-not-found']);
    const failing = zone({ [sel('google')]: `v=DKIM1; p=${keys.rsa2048}` }).misbehave(
      `_domainkey.${D}`,
      'servfail',
    );
    const f = await run(failing);
    expect(f.codes).toEqual(['dkim-selectors-found']);
    const aliased = zone();
    aliased.add(`_domainkey.${D}`, 'CNAME', 'nowhere.example.net');
    expect((await run(aliased)).asked).toHaveLength(COMMON_DKIM_SELECTORS.length + 1);
  });

  it('ignores TXT records that are not keys at guessed selectors (wildcards)', async () => {
    const z = zone();
    z.txt(`*.${D}`, 'v=spf1 -all');
    const { codes, report } = await run(z);
    expect(codes).toEqual(['dkim-selectors-not-found']);
    expect(report.records).toEqual([]);
  });

  it('uses only the given selectors and reports each one missing', async () => {
    const { report, asked } = await expectCode('dkim-selector-missing', zone(), { selectors: ['s2024'] });
    expect(asked).toEqual([`TXT ${sel('s2024')}`]);
    expect(report.status).toBe('missing');
    expect(report.findings.map((f) => f.where)).toEqual([sel('s2024')]);
    const two = await run(zone(), { selectors: ['a', 'B', 'a'] });
    expect(two.codes).toEqual(['dkim-selector-missing', 'dkim-selector-missing']);
    expect(two.asked).toEqual([`TXT _domainkey.${D}`]);
    expect(two.report.parsed?.selectors.map((s) => s.selector)).toEqual(['a', 'b']);
  });

  it('follows CNAMEs (Microsoft 365) and reports those pointing nowhere', async () => {
    const z = zone({
      'selector1-example-jp._domainkey.example.onmicrosoft.com': `v=DKIM1; k=rsa; p=${keys.rsa2048}`,
    });
    z.add(sel('selector1'), 'CNAME', 'selector1-example-jp._domainkey.example.onmicrosoft.com');
    z.add(sel('selector2'), 'CNAME', 'selector2-example-jp._domainkey.example.onmicrosoft.com');
    const { report } = await expectCode('dkim-cname-dangling', z);
    expect(report.records[0]!.cnames).toEqual(['selector1-example-jp._domainkey.example.onmicrosoft.com']);
    expect(report.parsed?.selectors.map((s) => [s.selector, s.status])).toEqual([
      ['selector1', 'found'],
      ['selector2', 'missing'],
    ]);
    const dangling = report.findings.find((f) => f.code === 'dkim-cname-dangling')!;
    expect(dangling.args).toMatchObject({
      selector: 'selector2',
      target: 'selector2-example-jp._domainkey.example.onmicrosoft.com',
    });
    expect(report.status).toBe('ok');
  });

  it('reports a DNS failure once for all failing selectors, never as missing', async () => {
    const z = zone({ [sel('google')]: `v=DKIM1; p=${keys.rsa2048}` });
    z.misbehave(sel('s1'), 'servfail').misbehave(sel('s2'), 'timeout');
    const { report } = await expectCode('dkim-dns-error', z);
    const failure = report.findings.filter((f) => f.code === 'dkim-dns-error');
    expect(failure).toHaveLength(1);
    expect(failure[0]!.args).toMatchObject({ selectors: 's1, s2', count: 2 });
    const only = zone().misbehave(sel('s1'), 'servfail');
    const r = await run(only, { selectors: ['s1'] });
    expect(r.codes).toEqual(['dkim-dns-error']);
    expect(r.report.status).toBe('dns-error');
    expect(r.report.dns).toBe('servfail');
  });

  it('softens a revoked key to info when it is intended', async () => {
    const revoked = `v=DKIM1; p=`;
    const alone = await expectCode('dkim-key-revoked', zone({ [sel('s1')]: revoked }));
    expect(alone.report.findings.find((f) => f.code === 'dkim-key-revoked')!.severity).toBe('warning');
    expect(alone.report.status).toBe('invalid');
    const rotated = await run(zone({ [sel('s1')]: revoked, [sel('s2')]: `v=DKIM1; p=${keys.rsa2048}` }));
    expect(rotated.report.findings.find((f) => f.code === 'dkim-key-revoked')!.severity).toBe('info');
    const parked = await run(zone({ [sel('default')]: revoked }), { parked: true });
    expect(parked.report.findings.find((f) => f.code === 'dkim-key-revoked')!.severity).toBe('info');
    expect(parked.report.status).toBe('ok');
  });

  it('suggests the corrected record when only the key encoding is wrong', async () => {
    const { report } = await expectCode(
      'dkim-key-pkcs1',
      zone({ [sel('s1')]: `v=DKIM1; k=rsa; p=${keys.rsa2048Pkcs1}` }),
    );
    expect(report.suggested).toEqual([
      { name: sel('s1'), type: 'TXT', value: `v=DKIM1; k=rsa; p=${keys.rsa2048}` },
    ]);
    const ed = await expectCode(
      'dkim-ed25519-key-format',
      zone({ [sel('s1')]: `v=DKIM1; k=ed25519; p=${keys.ed25519Spki}` }),
    );
    expect(ed.report.suggested).toEqual([
      { name: sel('s1'), type: 'TXT', value: `v=DKIM1; k=ed25519; p=${keys.ed25519}` },
    ]);
  });

  it(`parses at most MAX_TXT_CANDIDATES (${MAX_TXT_CANDIDATES}) key records at one selector`, async () => {
    const many = Array.from({ length: 40 }, (_, i) => `v=DKIM1; n=${i}; p=`);
    const { report } = await run(zone({ [sel('s1')]: many }), { selectors: ['s1'] });
    expect(report.findings.find((f) => f.code === 'dkim-multiple-records')?.args?.count).toBe(40);
    expect(report.parsed?.selectors[0]?.keys).toHaveLength(MAX_TXT_CANDIDATES);
    expect(report.records).toHaveLength(MAX_TXT_CANDIDATES);
  });

  it('a CNAME loop at a selector is a DNS error, not a crash', async () => {
    const z = zone();
    z.add(sel('s1'), 'CNAME', sel('s2'));
    z.add(sel('s2'), 'CNAME', sel('s1'));
    const { report } = await run(z, { selectors: ['s1'] });
    expect(report.findings.map((f) => f.code)).toEqual(['dkim-dns-error']);
    expect(report.status).toBe('dns-error');
  });

  it('reports records with bytes that are not UTF-8', async () => {
    const z = zone();
    z.add(sel('s1'), 'TXT', [Buffer.from('v=DKIM1; n=\xff; p=', 'latin1')]);
    const { report } = await expectCode('dkim-syntax-error', z);
    expect(report.findings.find((f) => f.code === 'dkim-syntax-error')!.args?.problem).toBe('invalid-utf8');
  });

  // One zone per remaining code: the record at a common selector triggers it.
  const cases: [string, (k: Keys) => string | string[], CheckOptions?][] = [
    ['dkim-selectors-found', (k) => `v=DKIM1; p=${k.rsa2048}`],
    ['dkim-multiple-records', (k) => [`v=DKIM1; p=${k.rsa2048}`, `v=DKIM1; p=${k.rsa1024}`]],
    ['dkim-record-too-large', (k) => `v=DKIM1; n=${'x'.repeat(5000)}; p=${k.rsa2048}`],
    ['dkim-syntax-error', (k) => `v=DKIM1; k rsa; p=${k.rsa2048}`],
    ['dkim-duplicate-tag', (k) => `v=DKIM1; p=${k.rsa2048}; p=${k.rsa2048}`],
    ['dkim-version-invalid', (k) => `v=DKIM2; p=${k.rsa2048}`],
    ['dkim-version-not-first', (k) => `k=rsa; v=DKIM1; p=${k.rsa2048}`],
    ['dkim-key-tag-missing', () => 'v=DKIM1; k=rsa'],
    ['dkim-key-invalid-base64', () => 'v=DKIM1; p=MIIB!!'],
    ['dkim-key-invalid', (k) => `v=DKIM1; p=${k.rsa2048.slice(0, 100)}`],
    ['dkim-key-type-unknown', (k) => `v=DKIM1; k=dsa; p=${k.rsa2048}`],
    ['dkim-key-type-mismatch', (k) => `v=DKIM1; k=rsa; p=${k.ed25519}`],
    ['dkim-key-weak', (k) => `v=DKIM1; p=${k.rsa512}`],
    ['dkim-key-short', (k) => `v=DKIM1; p=${k.rsa1024}`],
    ['dkim-key-oversized', (k) => `v=DKIM1; p=${k.rsaHuge}`],
    ['dkim-ed25519-without-rsa', (k) => `v=DKIM1; k=ed25519; p=${k.ed25519}`],
    ['dkim-hash-sha1-only', (k) => `v=DKIM1; h=sha1; p=${k.rsa2048}`],
    ['dkim-hash-unknown', (k) => `v=DKIM1; h=sha512; p=${k.rsa2048}`],
    ['dkim-not-for-email', (k) => `v=DKIM1; s=tlsrpt; p=${k.rsa2048}`],
    ['dkim-testing-mode', (k) => `v=DKIM1; t=y; p=${k.rsa2048}`],
    ['dkim-unknown-tag', (k) => `v=DKIM1; g=*; p=${k.rsa2048}`],
  ];
  it.each(cases)('%s: triggered by its fixture, absent from the clean one', async (code, record, options) => {
    const { report } = await expectCode(code, zone({ [sel('k1')]: record(keys) }), options);
    const hit = report.findings.find((f) => f.code === code)!;
    if (hit.code !== 'dkim-selectors-found' && hit.code !== 'dkim-ed25519-without-rsa') {
      expect(hit.where).toBe(sel('k1'));
      expect(hit.args?.selector).toBe('k1');
    }
    const clean = await run(zone({ [sel('k1')]: `v=DKIM1; k=rsa; p=${keys.rsa2048}` }));
    if (code !== 'dkim-selectors-found') expect(clean.codes).not.toContain(code);
  });

  it('leaves an RSA-and-Ed25519 domain without the Ed25519-only note', async () => {
    const { codes } = await run(
      zone({
        [sel('s1')]: `v=DKIM1; k=ed25519; p=${keys.ed25519}`,
        [sel('s2')]: `v=DKIM1; p=${keys.rsa2048}`,
      }),
    );
    expect(codes).not.toContain('dkim-ed25519-without-rsa');
  });

  afterAll(() => {
    // Every DKIM finding code has a fixture that triggers it.
    expect([...triggered].sort()).toEqual(Object.keys(dkimFindings).sort());
  });
});

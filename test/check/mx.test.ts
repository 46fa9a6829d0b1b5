import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { checkMx, MAX_MX_HOSTS, mxHostsOf } from '../../src/check/mx.ts';
import type { CheckOptions } from '../../src/check/types.ts';
import type { Resolver } from '../../src/dns/types.ts';
import { Zone } from '../../src/dns/zone.ts';
import { ZoneResolver } from '../../src/dns/zone-resolver.ts';
import { mxFindings } from '../../src/i18n/findings/mx.ts';
import { noFetcher } from '../fixtures/mta-sts/fake-fetcher.ts';

const zoneText = readFileSync(new URL('../fixtures/mx/domains.zone', import.meta.url), 'utf8');

async function run(
  domain: string,
  options: CheckOptions = {},
  zone = Zone.parse(zoneText),
  resolver?: Resolver,
) {
  const zr = new ZoneResolver(zone);
  const report = await checkMx(`${domain}.example.jp`, {
    resolver: resolver ?? zr,
    fetcher: noFetcher,
    options,
  });
  expect(new Set(zr.asked).size).toBe(zr.asked.length);
  return { report, asked: zr.asked, codes: report.findings.map((f) => f.code) };
}

const triggered = new Set<string>();
async function expectCode(
  code: string,
  domain: string,
  options: CheckOptions = {},
  zone?: Zone,
  resolver?: Resolver,
) {
  const result = await run(domain, options, zone, resolver);
  expect(result.codes, `${code} expected`).toContain(code);
  triggered.add(code);
  // The clean domain never shows it.
  expect((await run('good')).codes).not.toContain(code);
  return result;
}

describe('checkMx', () => {
  it('resolves every host of a good domain and says nothing', async () => {
    const { report, codes, asked } = await run('good');
    expect(codes).toEqual([]);
    expect(report.status).toBe('ok');
    expect(report.parsed).toEqual({
      nullMx: false,
      hosts: [
        {
          exchange: 'mx1.good.example.jp',
          preference: 10,
          ipv4: ['192.0.2.10'],
          ipv6: [],
          cnames: [],
          status: 'ok',
        },
        {
          exchange: 'mx2.good.example.jp',
          preference: 20,
          ipv4: [],
          ipv6: ['2001:db8::10'],
          cnames: [],
          status: 'ok',
        },
      ],
    });
    expect(report.records.map((r) => r.text)).toEqual(['10 mx1.good.example.jp.', '20 mx2.good.example.jp.']);
    expect(asked).toHaveLength(5);
    expect(mxHostsOf(report)).toEqual(['mx1.good.example.jp', 'mx2.good.example.jp']);
  });

  it('mx-missing: no MX is info; parked, a null MX is suggested instead', async () => {
    const { report } = await expectCode('mx-missing', 'none');
    expect(report.status).toBe('missing');
    expect(report.findings[0]!.args?.nxdomain).toBeUndefined();
    expect((await run('nonexistent')).report.findings[0]!.args?.nxdomain).toBe(true);
    expect(mxHostsOf(report)).toEqual([]);
    const parked = await expectCode('mx-null-recommended', 'none', { parked: true });
    expect(parked.codes).toEqual(['mx-null-recommended']);
    expect(parked.report.suggested).toEqual([{ name: 'none.example.jp', type: 'MX', value: '0 .' }]);
  });

  it('mx-null / mx-null-with-others / mx-null-preference', async () => {
    const nul = await expectCode('mx-null', 'nullmx');
    expect(nul.report).toMatchObject({ status: 'ok', parsed: { nullMx: true, hosts: [] } });
    expect(nul.asked).toEqual(['MX nullmx.example.jp']);
    expect(mxHostsOf(nul.report)).toEqual([]);
    expect((await run('nullmx', { parked: true })).codes).toEqual(['mx-null']);
    const mixed = await expectCode('mx-null-with-others', 'mixed');
    expect(mixed.report.status).toBe('invalid');
    expect(mixed.report.findings[0]!.args?.hosts).toBe('mx1.good.example.jp');
    await expectCode('mx-null-preference', 'nullmx-ten');
  });

  it('mx-parked-has-mx', async () => {
    await expectCode('mx-parked-has-mx', 'good', { parked: true });
  });

  it('mx-duplicate-host: reported once, resolved once', async () => {
    const { report, asked } = await expectCode('mx-duplicate-host', 'dup');
    expect(report.findings[0]!.args).toMatchObject({ host: 'mx1.good.example.jp', count: 2 });
    expect(report.parsed?.hosts).toHaveLength(1);
    expect(asked).toHaveLength(3);
  });

  it('mx-host-ip-literal and mx-host-invalid are not looked up', async () => {
    const lit = await expectCode('mx-host-ip-literal', 'literal');
    expect(lit.asked).not.toContain('A 192.0.2.25');
    expect(lit.report.status).toBe('invalid');
    const bad = await expectCode('mx-host-invalid', 'badname');
    expect(bad.asked.some((q) => q.includes('bad_host'))).toBe(false);
  });

  it('mx-host-cname (RFC 2181 s10.3)', async () => {
    const { report } = await expectCode('mx-host-cname', 'alias');
    expect(report.findings[0]!.args).toMatchObject({
      host: 'mail.alias.example.jp',
      target: 'mx1.good.example.jp',
    });
    expect(report.parsed?.hosts[0]).toMatchObject({
      cnames: ['mx1.good.example.jp'],
      ipv4: ['192.0.2.10'],
      status: 'ok',
    });
  });

  it('mx-host-no-address and mx-no-reachable-host', async () => {
    const one = await expectCode('mx-host-no-address', 'noaddr');
    expect(one.codes).toEqual(['mx-host-no-address']);
    expect(one.report.findings[0]!.args?.status).toBe('nxdomain');
    const dead = await expectCode('mx-no-reachable-host', 'dead');
    expect(dead.codes).toEqual(['mx-host-no-address', 'mx-host-no-address', 'mx-no-reachable-host']);
    expect(dead.report.status).toBe('invalid');
  });

  it('mx-host-dns-error: a failing host lookup is not "no address", and makes unreachability unknown', async () => {
    const { codes, report } = await expectCode('mx-host-dns-error', 'flaky');
    expect(codes).toEqual(['mx-host-dns-error', 'mx-host-no-address']);
    expect(report.parsed?.hosts.map((h) => h.status)).toEqual(['dns-error', 'no-address']);
  });

  it('a CNAME loop at an MX host is a host lookup failure, not a crash', async () => {
    const z = Zone.parse(zoneText);
    z.add('loop.example.jp', 'MX', { preference: 10, exchange: 'a.loop.example.jp' });
    z.add('a.loop.example.jp', 'CNAME', 'b.loop.example.jp');
    z.add('b.loop.example.jp', 'CNAME', 'a.loop.example.jp');
    const { codes, report } = await run('loop', {}, z);
    expect(codes).toEqual(['mx-host-dns-error']);
    expect(report.parsed?.hosts[0]?.status).toBe('dns-error');
  });

  it('mx-dns-error: never reported as missing, and no host list for MTA-STS', async () => {
    const { report, codes } = await expectCode('mx-dns-error', 'broken');
    expect(codes).toEqual(['mx-dns-error']);
    expect(report).toMatchObject({ status: 'dns-error', dns: 'servfail' });
    expect(mxHostsOf(report)).toBeUndefined();
  });

  it(`mx-too-many-hosts: only the first MAX_MX_HOSTS (${MAX_MX_HOSTS}) by preference are resolved`, async () => {
    const many = Zone.parse(zoneText);
    for (let i = MAX_MX_HOSTS + 2; i >= 1; i--) {
      many.add('many.example.jp', 'MX', { preference: i, exchange: `mx${i}.good.example.jp` });
    }
    const { report, asked } = await expectCode('mx-too-many-hosts', 'many', {}, many);
    expect(report.findings.find((f) => f.code === 'mx-too-many-hosts')!.args).toMatchObject({
      count: 12,
      max: 10,
    });
    expect(asked).toHaveLength(1 + 2 * MAX_MX_HOSTS);
    expect(report.parsed?.hosts.slice(-2).map((h) => [h.exchange, h.status])).toEqual([
      ['mx11.good.example.jp', 'not-resolved'],
      ['mx12.good.example.jp', 'not-resolved'],
    ]);
    expect(mxHostsOf(report)).toHaveLength(12);
  });

  it('dnssec-validated / dnssec-not-validated only when the resolver reports AD', async () => {
    const signed = Zone.parse(`$AUTHENTICATED\n${zoneText}`);
    const ok = await expectCode('dnssec-validated', 'good', {}, signed);
    expect(ok.report.parsed?.dnssecValidated).toBe(true);
    expect(ok.report.findings[0]!.severity).toBe('info');
    const zr = new ZoneResolver(Zone.parse(zoneText));
    const unvalidated: Resolver = {
      lookup: async (name, type) => ({ ...(await zr.lookup(name, type)), authenticated: false }),
    };
    const no = await expectCode('dnssec-not-validated', 'good', {}, undefined, unvalidated);
    expect(no.report.parsed?.dnssecValidated).toBe(false);
    // Without an AD report, nothing is said.
    expect((await run('good')).report.parsed?.dnssecValidated).toBeUndefined();
  });

  afterAll(() => {
    expect([...triggered].sort()).toEqual(Object.keys(mxFindings).sort());
  });
});

import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { checkTlsRpt, type TlsRptRelated } from '../../src/check/tls-rpt.ts';
import { Zone } from '../../src/dns/zone.ts';
import { ZoneResolver } from '../../src/dns/zone-resolver.ts';
import { tlsRptFindings } from '../../src/i18n/findings/tls-rpt.ts';
import { noFetcher } from '../fixtures/mta-sts/fake-fetcher.ts';

const zoneText = readFileSync(new URL('../fixtures/tls-rpt/domains.zone', import.meta.url), 'utf8');

async function run(label: string, related?: TlsRptRelated, zone = Zone.parse(zoneText)) {
  const resolver = new ZoneResolver(zone);
  const report = await checkTlsRpt(
    `${label}.example.jp`,
    { resolver, fetcher: noFetcher, options: {} },
    related,
  );
  expect(new Set(resolver.asked).size).toBe(resolver.asked.length);
  return { report, asked: resolver.asked, codes: report.findings.map((f) => f.code) };
}

const triggered = new Set<string>();
async function expectCode(code: string, label: string, related?: TlsRptRelated, zone?: Zone) {
  const result = await run(label, related, zone);
  expect(result.codes, `${code} expected`).toContain(code);
  triggered.add(code);
  expect((await run('good')).codes).not.toContain(code);
  return result;
}

describe('checkTlsRpt', () => {
  it('parses a good record, asking one question', async () => {
    const { report, codes, asked } = await run('good');
    expect(codes).toEqual([]);
    expect(asked).toEqual(['TXT _smtp._tls.good.example.jp']);
    expect(report).toMatchObject({
      protocol: 'tls-rpt',
      status: 'ok',
      dns: 'ok',
      parsed: {
        name: '_smtp._tls.good.example.jp',
        valid: true,
        record: { rua: ['mailto:tlsrpt@example.jp', 'https://reports.example.jp/tlsrpt'] },
      },
    });
    const split = await run('split');
    expect(split.codes).toEqual([]);
    expect(split.report.records[0]!.strings).toEqual(['v=TLSRPTv1; ', 'rua=mailto:tlsrpt@example.jp']);
  });

  it('tls-rpt-missing: info, saying why it matters when MTA-STS or DANE is used', async () => {
    const plain = await expectCode('tls-rpt-missing', 'none');
    expect(plain.report.status).toBe('missing');
    expect(plain.report.findings[0]!.severity).toBe('info');
    expect(plain.report.findings[0]!.args?.usedBy).toBeUndefined();
    expect(plain.asked).toEqual(['TXT _smtp._tls.none.example.jp', 'TXT none.example.jp']);
    const withSts = await run('none', { mtaSts: true, dane: true });
    expect(withSts.report.findings[0]!.args?.usedBy).toBe('mta-sts+dane');
  });

  it('tls-rpt-dns-error: never reported as missing', async () => {
    const { report, codes } = await expectCode('tls-rpt-dns-error', 'failing');
    expect(codes).toEqual(['tls-rpt-dns-error']);
    expect(report).toMatchObject({ status: 'dns-error', dns: 'servfail' });
  });

  it('tls-rpt-at-apex: the record moved to _smtp._tls', async () => {
    const { report, codes } = await expectCode('tls-rpt-at-apex', 'apex');
    expect(codes).toEqual(['tls-rpt-at-apex']);
    expect(report.status).toBe('invalid');
    expect(report.suggested).toEqual([
      { name: '_smtp._tls.apex.example.jp', type: 'TXT', value: 'v=TLSRPTv1; rua=mailto:tlsrpt@example.jp' },
    ]);
  });

  it('tls-rpt-multiple-records, tls-rpt-unrelated-record, tls-rpt-spf-record', async () => {
    const two = await expectCode('tls-rpt-multiple-records', 'two');
    expect(two.report.status).toBe('invalid');
    expect(two.report.suggested).toBeUndefined();
    const other = await expectCode('tls-rpt-unrelated-record', 'other');
    expect(other.report.status).toBe('ok');
    await expectCode('tls-rpt-spf-record', 'spf');
  });

  it('record problems, each located at the record', async () => {
    const syntax = await expectCode('tls-rpt-syntax-error', 'syntax');
    expect(syntax.report.findings[0]).toMatchObject({
      where: '_smtp._tls.syntax.example.jp',
      record: 'v=TLSRPTv1 rua=mailto:a@example.jp',
      args: { problem: 'missing-semicolon' },
    });
    await expectCode('tls-rpt-unknown-tag', 'ext');
    await expectCode('tls-rpt-duplicate-tag', 'dup');
    await expectCode('tls-rpt-rua-missing', 'norua');
    const bad = await expectCode('tls-rpt-rua-invalid', 'badrua');
    expect(bad.report.findings[0]!.args).toMatchObject({
      uri: 'http://reports.example.jp/tlsrpt',
      reason: 'http',
    });
    // The record rewritten with its usable destinations only.
    expect(bad.report.suggested).toEqual([
      {
        name: '_smtp._tls.badrua.example.jp',
        type: 'TXT',
        value: 'v=TLSRPTv1; rua=mailto:tlsrpt@example.jp',
      },
    ]);
    const z = Zone.parse(zoneText);
    z.add('_smtp._tls.raw.example.jp', 'TXT', [
      Buffer.from('v=TLSRPTv1; rua=mailto:a\xff@example.jp', 'latin1'),
    ]);
    const raw = await run('raw', {}, z);
    expect(raw.report.findings[0]!.args?.problem).toBe('invalid-utf8');
  });

  afterAll(() => {
    expect([...triggered].sort()).toEqual(Object.keys(tlsRptFindings).sort());
  });
});

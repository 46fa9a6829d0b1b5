import { describe, expect, it } from 'vitest';
import { runSpf } from './spf-helpers.ts';

describe('checkSpf report', () => {
  it('reports a valid record with where it was found', async () => {
    const { report } = await runSpf(
      '@ CNAME spf.example.net.\nspf.example.net. TXT "v=spf1 ip4:192.0.2.0/24 " "-all"\nspf.example.net. TXT "other"',
    );
    expect(report).toMatchObject({ protocol: 'spf', status: 'ok', dns: 'ok' });
    expect(report.records).toEqual([
      {
        name: 'example.com',
        type: 'TXT',
        text: 'v=spf1 ip4:192.0.2.0/24 -all',
        strings: ['v=spf1 ip4:192.0.2.0/24 ', '-all'],
        cnames: ['spf.example.net'],
      },
    ]);
    expect(report.parsed).toMatchObject({
      domain: 'example.com',
      record: 'v=spf1 ip4:192.0.2.0/24 -all',
      permerror: false,
    });
    expect(report.parsed!.tree.cnames).toEqual(['spf.example.net']);
    expect(report.suggested).toBeUndefined();
  });

  it('lists type-99, Sender ID and near-miss records among the records found', async () => {
    const { report } = await runSpf('@ TXT "v=spf1 -all"\n@ TXT "spf2.0/pra -all"\n@ SPF "v=spf1 +all"');
    expect(report.records.map((r) => [r.type, r.text])).toEqual([
      ['TXT', 'v=spf1 -all'],
      ['TXT', 'spf2.0/pra -all'],
      ['SPF', 'v=spf1 +all'],
    ]);
    expect(report.findings.find((f) => f.code === 'spf-type99-record')?.args).toMatchObject({ same: false });
  });

  it('is missing when there is no record, with v=spf1 -all suggested for a parked domain', async () => {
    const plain = await runSpf('@ A 192.0.2.1');
    expect(plain.report).toMatchObject({ status: 'missing', dns: 'nodata' });
    expect(plain.report.suggested).toBeUndefined();
    const parked = await runSpf('@ A 192.0.2.1', { parked: true });
    expect(parked.report.suggested).toEqual([{ name: 'example.com', type: 'TXT', value: 'v=spf1 -all' }]);
  });

  it('is a DNS error, never missing, when the TXT lookup fails', async () => {
    for (const what of ['SERVFAIL', 'TIMEOUT', 'REFUSED']) {
      const { report, codes } = await runSpf(`@ ${what} TXT`);
      expect(report.status).toBe('dns-error');
      expect(codes).toEqual(['spf-dns-error']);
    }
  });

  it('says the domain does not exist instead of missing', async () => {
    const { report, codes } = await runSpf('other.example.net. A 192.0.2.1');
    expect(report).toMatchObject({ status: 'missing', dns: 'nxdomain' });
    expect(codes).toEqual(['spf-domain-not-found']);
  });

  it('is invalid with a malformed version and no real record', async () => {
    const { report, codes } = await runSpf('@ TXT "v=spf1-all"');
    expect(report.status).toBe('invalid');
    expect(codes).toEqual(['spf-malformed-version']);
  });

  it('warns about a near-miss record next to a valid one', async () => {
    const { report } = await runSpf('@ TXT "v=spf1 -all"\n@ TXT " v=spf1 include:_spf.example.net -all"');
    expect(report.status).toBe('ok');
    expect(report.findings.find((f) => f.code === 'spf-malformed-version')?.severity).toBe('warning');
  });

  it('is not checked when the query cap allows no question at all', async () => {
    const { report } = await runSpf('@ TXT "v=spf1 -all"', {}, { maxQueries: 0 });
    expect(report.status).toBe('not-checked');
  });

  it('merges several records into the suggested one', async () => {
    const { report } = await runSpf(
      '@ TXT "v=spf1 include:_spf.example.net ~all"\n@ TXT "v=spf1 ip4:192.0.2.1 ~all"\n_spf.example.net. TXT "v=spf1 -all"',
    );
    expect(report.status).toBe('invalid');
    expect(report.suggested).toEqual([
      { name: 'example.com', type: 'TXT', value: 'v=spf1 include:_spf.example.net ip4:192.0.2.1 ~all' },
    ]);
    expect(report.findings.find((f) => f.code === 'spf-multiple-records')?.args).toMatchObject({
      count: 2,
      suggested: 'v=spf1 include:_spf.example.net ip4:192.0.2.1 ~all',
    });
  });

  it('suggests a corrected record for +all, ptr and a forgotten space', async () => {
    const { report } = await runSpf(
      '@ TXT "v=spf1 ptr include:_spf.example.net" "ip4:192.0.2.1 +all"\n_spf.example.net. TXT "v=spf1 -all"',
    );
    expect(report.suggested).toEqual([
      { name: 'example.com', type: 'TXT', value: 'v=spf1 include:_spf.example.net ip4:192.0.2.1 ~all' },
    ]);
  });

  it('reports an SPF record with invalid UTF-8 and ignores other such TXT records', async () => {
    const bad = await runSpf('@ TXT "v=spf1 a:\\239\\187\\191garbage.example.net -all"');
    expect(bad.codes).toEqual(expect.arrayContaining(['spf-syntax-error']));
    const other = await runSpf('@ TXT "v=spf1 -all"\n@ TXT "\\150"');
    const utf8 = other.report.findings.find((f) => f.code === 'spf-invalid-utf8');
    expect(utf8).toMatchObject({ severity: 'info', args: { notSpf: true } });
    expect(other.report.status).toBe('ok');
  });

  it('checks the record of a domain other than example.com', async () => {
    const { report } = await runSpf('mail.example.org. TXT "v=spf1 -all"', {}, {}, 'MAIL.Example.ORG.');
    expect(report.parsed?.domain).toBe('mail.example.org');
  });
});

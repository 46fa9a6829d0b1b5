import { describe, expect, it } from 'vitest';
import { MAX_DNS_NAME_LENGTH } from '../../src/check/dmarc/discovery.ts';
import { checkDmarc, discoverOrgDomain, MAX_REPORT_HOSTS_CHECKED } from '../../src/check/dmarc.ts';
import { Zone } from '../../src/dns/zone.ts';
import { ZoneResolver } from '../../src/dns/zone-resolver.ts';
import { MAX_TREE_WALK_QUERIES } from '../../src/records/dmarc/index.ts';
import { HEALTHY, noFetch, run, withRecord } from './dmarc-helpers.ts';

const RUA = 'rua=mailto:dmarc@example.jp';
const dmarcQuestions = (asked: string[]) => asked.filter((q) => q.startsWith('TXT _dmarc.'));

describe('discovery: own record', () => {
  it('reads the record and makes every tag explicit', async () => {
    const { report, asked } = await run(HEALTHY);
    expect(report.status).toBe('ok');
    expect(report.dns).toBe('ok');
    expect(report.records).toEqual([
      {
        name: '_dmarc.example.jp',
        type: 'TXT',
        text: 'v=DMARC1; p=reject; np=reject; rua=mailto:dmarc@example.jp',
      },
    ]);
    const p = report.parsed!;
    expect(p).toMatchObject({
      domain: 'example.jp',
      discovery: 'tree walk',
      source: 'own record',
      policyDomain: 'example.jp',
      policyRecordName: '_dmarc.example.jp',
      orgDomain: 'example.jp',
      orgDomainCertain: true,
      domainExists: true,
      effect: 'apply',
      policyTag: 'p',
      policy: 'reject',
      subdomainPolicy: 'reject',
      nonexistentSubdomainPolicy: 'reject',
      testing: false,
    });
    expect(p.tags!.adkim).toEqual({ value: 'r', explicit: false });
    expect(p.tags!.sp).toEqual({ value: 'reject', explicit: false });
    expect(p.tags!.np).toEqual({ value: 'reject', explicit: true });
    // The walk goes on to the TLD: the organisational domain depends on what is above.
    expect(p.queried).toEqual(['_dmarc.example.jp', '_dmarc.jp']);
    expect(report.suggested).toBeUndefined();
    expect(new Set(asked).size).toBe(asked.length);
  });

  it('never asks the same question twice', async () => {
    const zone = `${withRecord('v=DMARC1; p=none; rua=mailto:a@example.jp,mailto:b@example.jp; ruf=mailto:a@example.jp')}`;
    const { asked } = await run(zone);
    expect(asked.filter((q) => q === 'MX example.jp')).toHaveLength(1);
    expect(new Set(asked).size).toBe(asked.length);
  });

  it('applies t=y one level below', async () => {
    const { report } = await run(withRecord(`v=DMARC1; p=reject; np=reject; t=y; ${RUA}`));
    expect(report.parsed).toMatchObject({
      policy: 'quarantine',
      testing: true,
      subdomainPolicy: 'quarantine',
    });
  });
});

describe('discovery: tree walk (RFC 9989 s4.10)', () => {
  it('finds the policy at a parent and uses its sp', async () => {
    const zone = `${withRecord(`v=DMARC1; p=reject; sp=quarantine; np=reject; ${RUA}`)}\nmail.dept A 192.0.2.1`;
    const { report, asked } = await run(zone, 'mail.dept.example.jp');
    expect(dmarcQuestions(asked)).toEqual([
      'TXT _dmarc.mail.dept.example.jp',
      'TXT _dmarc.dept.example.jp',
      'TXT _dmarc.example.jp',
      'TXT _dmarc.jp',
    ]);
    expect(report.status).toBe('ok');
    expect(report.parsed).toMatchObject({
      source: 'tree walk',
      policyDomain: 'example.jp',
      orgDomain: 'example.jp',
      policyTag: 'sp',
      policy: 'quarantine',
    });
    const inherited = report.findings.find((f) => f.code === 'dmarc-inherited-policy')!;
    expect(inherited.args).toMatchObject({ policyDomain: 'example.jp', tag: 'sp', policy: 'quarantine' });
    expect(inherited.where).toBe('_dmarc.example.jp');
  });

  it('uses np for a domain that does not exist', async () => {
    const { report } = await run(withRecord(`v=DMARC1; p=quarantine; np=reject; ${RUA}`), 'ghost.example.jp');
    expect(report.parsed).toMatchObject({ domainExists: false, policyTag: 'np', policy: 'reject' });
  });

  it('takes the record with the fewest labels as the organisational domain', async () => {
    const zone = `${HEALTHY}\n_dmarc.dept TXT "v=DMARC1; p=none; ${RUA}"\nmail.dept A 192.0.2.1`;
    const { report } = await run(zone, 'mail.dept.example.jp');
    expect(report.parsed).toMatchObject({
      orgDomain: 'example.jp',
      policyDomain: 'example.jp',
      policy: 'reject',
    });
  });

  it('stops at psd=n, which marks the organisational domain', async () => {
    const zone = `${HEALTHY}\n_dmarc.dept TXT "v=DMARC1; p=none; psd=n; ${RUA}"\nmail.dept A 192.0.2.1`;
    const { report, asked } = await run(zone, 'mail.dept.example.jp');
    expect(dmarcQuestions(asked)).toEqual(['TXT _dmarc.mail.dept.example.jp', 'TXT _dmarc.dept.example.jp']);
    expect(report.parsed).toMatchObject({
      orgDomain: 'dept.example.jp',
      policyDomain: 'dept.example.jp',
      policy: 'none',
    });
  });

  it('handles psd=y at a TLD: the organisational domain is one label below', async () => {
    const zone = `
$ORIGIN test.
_dmarc          TXT "v=DMARC1; p=reject; psd=y; rua=mailto:psd@registry.example"
@               SOA ns.test. hostmaster.test. 1 3600 600 86400 300
shop.brand      A 192.0.2.1
_dmarc.brand    TXT "v=DMARC1; p=quarantine; rua=mailto:d@brand.test"
nothing.other   A 192.0.2.2
`;
    const withOrg = await run(zone, 'shop.brand.test');
    expect(dmarcQuestions(withOrg.asked)).toEqual([
      'TXT _dmarc.shop.brand.test',
      'TXT _dmarc.brand.test',
      'TXT _dmarc.test',
    ]);
    expect(withOrg.report.parsed).toMatchObject({
      orgDomain: 'brand.test',
      policyDomain: 'brand.test',
      policy: 'quarantine',
      fromPublicSuffix: false,
    });
    const psdOnly = await run(zone, 'nothing.other.test');
    expect(psdOnly.report.parsed).toMatchObject({
      orgDomain: 'other.test',
      policyDomain: 'test',
      fromPublicSuffix: true,
      policyTag: 'sp',
      policy: 'reject',
    });
    expect(psdOnly.codes).toContain('dmarc-psd-policy');
    const theTld = await run(zone, 'test');
    expect(theTld.report.parsed).toMatchObject({ orgDomain: 'test', source: 'own record', policy: 'reject' });
    expect(theTld.codes).not.toContain('dmarc-psd-not-public-suffix');
  });

  it('never asks more than eight _dmarc names, however long the domain', async () => {
    const domain = 'a.b.c.d.e.f.g.h.i.j.mail.example.jp';
    const { report, asked } = await run(`${HEALTHY}\na.b.c.d.e.f.g.h.i.j.mail A 192.0.2.1`, domain);
    expect(dmarcQuestions(asked)).toEqual([
      `TXT _dmarc.${domain}`,
      'TXT _dmarc.g.h.i.j.mail.example.jp',
      'TXT _dmarc.h.i.j.mail.example.jp',
      'TXT _dmarc.i.j.mail.example.jp',
      'TXT _dmarc.j.mail.example.jp',
      'TXT _dmarc.mail.example.jp',
      'TXT _dmarc.example.jp',
      'TXT _dmarc.jp',
    ]);
    expect(dmarcQuestions(asked)).toHaveLength(MAX_TREE_WALK_QUERIES);
    expect(report.parsed).toMatchObject({ policyDomain: 'example.jp', policy: 'reject' });
  });

  it('skips a record published between the long name and its last seven labels (RFC 9989 appendix)', async () => {
    const zone = `${HEALTHY}\n_dmarc.c.d.e.f.g.h TXT "v=DMARC1; p=none; psd=n; ${RUA}"\nm.a.b.c.d.e.f.g.h A 192.0.2.1`;
    const { report, asked } = await run(zone, 'm.a.b.c.d.e.f.g.h.example.jp');
    expect(asked).not.toContain('TXT _dmarc.c.d.e.f.g.h.example.jp');
    expect(report.parsed!.policyDomain).toBe('example.jp');
  });

  it('goes on after NODATA and after NXDOMAIN alike', async () => {
    // dept.example.jp exists (it has an A record) so _dmarc.dept is NXDOMAIN; x.dept exists
    // as an empty non-terminal, so its _dmarc... is NXDOMAIN too; _dmarc.y answers NODATA.
    const zone = `${HEALTHY}
dept A 192.0.2.1
host.x.dept A 192.0.2.2
_dmarc.y.dept A 192.0.2.3
z.y.dept A 192.0.2.4`;
    const nx = await run(zone, 'host.x.dept.example.jp');
    expect(nx.report.parsed!.policyDomain).toBe('example.jp');
    const nodata = await run(zone, 'z.y.dept.example.jp');
    expect(nodata.report.status).toBe('ok');
    expect(nodata.report.parsed!.policyDomain).toBe('example.jp');
    expect(nodata.codes).not.toContain('dmarc-dns-error');
  });

  it('treats Cloudflare-style NOERROR/NODATA ("black lies") as no record', async () => {
    const zone = `${HEALTHY.replace(/^_dmarc.*$/m, '')}\n_dmarc A 192.0.2.1`;
    const { report } = await run(zone);
    expect(report.dns).toBe('nodata');
    expect(report.status).toBe('missing');
  });

  it('reports a SERVFAIL mid-walk as a DNS error, never as missing', async () => {
    const zone = `${HEALTHY.replace(/^_dmarc.*$/m, '')}\nmail A 192.0.2.1\n_dmarc SERVFAIL TXT`;
    const { report, codes } = await run(zone, 'mail.example.jp');
    expect(report.status).toBe('dns-error');
    expect(codes).toContain('dmarc-dns-error');
    expect(codes).not.toContain('dmarc-missing');
    const error = report.findings.find((f) => f.code === 'dmarc-dns-error')!;
    expect(error.args).toMatchObject({ name: '_dmarc.example.jp', status: 'servfail', during: 'policy' });
  });

  it('keeps the own record but doubts the organisational domain when a parent fails', async () => {
    const { report, codes } = await run(`${HEALTHY}\n_dmarc.jp. TIMEOUT TXT`);
    expect(report.status).toBe('ok');
    expect(report.parsed).toMatchObject({ policy: 'reject', orgDomainCertain: false });
    expect(report.findings.find((f) => f.code === 'dmarc-dns-error')!.args).toMatchObject({
      during: 'org-domain',
    });
    expect(codes).not.toContain('dmarc-missing');
  });

  it('reports the own name failing', async () => {
    const { report, codes } = await run(`${HEALTHY}\n_dmarc REFUSED`);
    expect(report.status).toBe('dns-error');
    expect(report.dns).toBe('refused');
    expect(codes).not.toContain('dmarc-missing');
    expect(report.suggested).toBeUndefined();
  });

  it('reports a CNAME loop at _dmarc as a DNS error', async () => {
    const zone = `${HEALTHY.replace(/^_dmarc.*$/m, '_dmarc CNAME loop')}\nloop CNAME _dmarc`;
    const { report, codes } = await run(zone);
    expect(report.status).toBe('dns-error');
    expect(codes).toContain('dmarc-dns-error');
  });

  it('treats several records at one name as none, and goes on up', async () => {
    const zone = `${withRecord('v=DMARC1; p=reject', 'v=DMARC1; p=none')}
_dmarc.dept TXT "v=DMARC1; p=quarantine; ${RUA}"
_dmarc.dept TXT "v=DMARC1; p=none; ${RUA}"`;
    const { report } = await run(zone, 'dept.example.jp');
    expect(report.status).toBe('invalid');
    // example.jp's records are discarded too: nothing applies, and no record marks an organisational domain.
    expect(report.parsed).toMatchObject({ orgDomain: 'dept.example.jp' });
    expect(report.parsed!.policyDomain).toBeUndefined();
    expect(report.parsed!.policy).toBeUndefined();
    const own = await run(withRecord('v=DMARC1; p=reject', 'v=DMARC1; p=none'));
    expect(own.report.parsed!.policyDomain).toBeUndefined();
    expect(own.codes).toEqual(expect.arrayContaining(['dmarc-multiple-records', 'dmarc-missing']));
    expect(own.report.suggested).toEqual([
      { name: '_dmarc.example.jp', type: 'TXT', value: 'v=DMARC1; p=reject' },
    ]);
  });

  it('skips records receivers discard and walks on', async () => {
    const zone = `${HEALTHY}\n_dmarc.dept TXT "v=dmarc1; p=none"\nmail.dept A 192.0.2.1`;
    const { report, codes } = await run(zone, 'dept.example.jp');
    expect(codes).toContain('dmarc-version-case');
    expect(report.parsed).toMatchObject({ policyDomain: 'example.jp', policy: 'reject' });
    expect(report.status).toBe('invalid');
    expect(report.suggested).toEqual([
      { name: '_dmarc.dept.example.jp', type: 'TXT', value: 'v=DMARC1; p=none' },
    ]);
  });
});

describe('discovery: RFC 7489 public suffix list', () => {
  it('asks the own name and the PSL organisational domain only', async () => {
    const zone = `${HEALTHY}\nmail.dept A 192.0.2.1\n_dmarc.dept TXT "v=DMARC1; p=none; ${RUA}"`;
    const { report, asked } = await run(zone, 'mail.dept.example.jp', { discovery: 'psl' });
    expect(dmarcQuestions(asked)).toEqual(['TXT _dmarc.mail.dept.example.jp', 'TXT _dmarc.example.jp']);
    expect(report.parsed).toMatchObject({
      discovery: 'psl',
      source: 'psl',
      orgDomain: 'example.jp',
      policy: 'reject',
    });
    expect(report.findings.find((f) => f.code === 'dmarc-inherited-policy')!.args).toMatchObject({
      source: 'psl',
    });
  });

  it('uses the own record without asking further', async () => {
    const { asked, report } = await run(HEALTHY, 'example.jp', { discovery: 'psl' });
    expect(dmarcQuestions(asked)).toEqual(['TXT _dmarc.example.jp']);
    expect(report.parsed).toMatchObject({ source: 'own record', orgDomain: 'example.jp' });
  });
});

describe('discoverOrgDomain', () => {
  const zone = Zone.parse(
    `${HEALTHY}\n_dmarc.dept TXT "v=DMARC1; p=none; psd=n"\n_dmarc.mail TXT "v=DMARC1; p=none"`,
  );

  it('follows the tree walk', async () => {
    const resolver = new ZoneResolver(zone);
    expect(await discoverOrgDomain('a.mail.example.jp', resolver)).toEqual({
      domain: 'a.mail.example.jp',
      orgDomain: 'example.jp',
      method: 'tree walk',
      status: 'ok',
      queried: ['_dmarc.a.mail.example.jp', '_dmarc.mail.example.jp', '_dmarc.example.jp', '_dmarc.jp'],
    });
    expect((await discoverOrgDomain('x.dept.example.jp', resolver)).orgDomain).toBe('dept.example.jp');
    expect((await discoverOrgDomain('Unknown.Example.', resolver)).orgDomain).toBe('unknown.example');
  });

  it('uses the public suffix list on request, without DNS', async () => {
    const resolver = new ZoneResolver(zone);
    expect((await discoverOrgDomain('x.dept.example.jp', resolver, { discovery: 'psl' })).orgDomain).toBe(
      'example.jp',
    );
    expect(resolver.asked).toEqual([]);
  });

  it('says when a failure makes the answer uncertain', async () => {
    const failing = new ZoneResolver(Zone.parse(`${HEALTHY}\n_dmarc.jp. SERVFAIL`));
    expect(await discoverOrgDomain('example.jp', failing)).toMatchObject({
      orgDomain: 'example.jp',
      status: 'dns-error',
    });
  });
});

describe('published records', () => {
  it('reports a CNAME at _dmarc, follows it and says where the record really is', async () => {
    const zone = `${HEALTHY.replace(/^_dmarc.*$/m, '_dmarc CNAME example.jp.dmarc.provider.example.')}
example.jp.dmarc.provider.example. TXT "v=DMARC1; p=none; rua=mailto:r@provider.example"
provider.example. MX 10 mx.provider.example.`;
    const { report } = await run(zone);
    expect(report.records[0]).toMatchObject({
      name: '_dmarc.example.jp',
      cnames: ['example.jp.dmarc.provider.example'],
    });
    expect(report.parsed).toMatchObject({
      policyRecordName: 'example.jp.dmarc.provider.example',
      policy: 'none',
    });
    const cname = report.findings.find((f) => f.code === 'dmarc-cname')!;
    expect(cname.severity).toBe('info');
    // provider.example is another organisation that has not authorised the reports.
    expect(report.findings.map((f) => f.code)).toContain('dmarc-external-rua-unauthorized');
  });

  it('warns about a CNAME that leads nowhere', async () => {
    const zone = `${HEALTHY.replace(/^_dmarc.*$/m, '_dmarc CNAME www')}\nwww A 192.0.2.80`;
    const { report } = await run(zone);
    expect(report.findings.find((f) => f.code === 'dmarc-cname')).toMatchObject({ severity: 'warning' });
    expect(report.status).toBe('missing');
  });

  it('recognises the wildcard artefact: the apex SPF record answering at _dmarc', async () => {
    const zone = `${HEALTHY.replace(/^_dmarc.*$/m, '')}\n* TXT "v=spf1 -all"`;
    const { report } = await run(zone);
    expect(report.findings.find((f) => f.code === 'dmarc-spf-at-dmarc')!.args).toMatchObject({
      sameAsApex: true,
    });
  });

  it('flags a record at the apex as an error without one at _dmarc, a warning with', async () => {
    const only = await run(`${HEALTHY.replace(/^_dmarc.*$/m, '')}\n@ TXT "v=DMARC1; p=reject"`);
    expect(only.report.findings.find((f) => f.code === 'dmarc-at-apex')).toMatchObject({
      severity: 'error',
      where: 'example.jp',
    });
    const both = await run(`${HEALTHY}\n@ TXT "v=DMARC1; p=reject"`);
    expect(both.report.findings.find((f) => f.code === 'dmarc-at-apex')!.severity).toBe('warning');
  });

  it('places record findings where the record is', async () => {
    const { report } = await run(withRecord(`v=DMARC1; p=none; np=reject; ${RUA}`));
    const none = report.findings.find((f) => f.code === 'dmarc-policy-none')!;
    expect(none).toMatchObject({ where: '_dmarc.example.jp', record: `v=DMARC1; p=none; np=reject; ${RUA}` });
  });

  it('explains that sp=non turns the policy into monitoring', async () => {
    const { report } = await run(withRecord(`v=DMARC1; p=reject; sp=non; ${RUA}`));
    expect(report.status).toBe('invalid');
    expect(report.parsed).toMatchObject({ effect: 'monitor', policy: 'none' });
    expect(report.suggested).toEqual([
      { name: '_dmarc.example.jp', type: 'TXT', value: `v=DMARC1; p=reject; sp=none; ${RUA}` },
    ]);
  });

  it('says DMARC does not apply when p is invalid and no rua is usable', async () => {
    const { report } = await run(withRecord('v=DMARC1; p=rejectt'));
    expect(report.parsed).toMatchObject({ effect: 'ignore' });
    expect(report.parsed!.policy).toBeUndefined();
  });
});

describe('report destinations', () => {
  it('accepts an authorisation record, and the wildcard asked explicitly', async () => {
    const base = `${withRecord('v=DMARC1; p=reject; np=reject; rua=mailto:r@reports.example.net')}
reports.example.net. MX 10 mx.reports.example.net.`;
    const explicit = await run(`${base}\nexample.jp._report._dmarc.reports.example.net. TXT "v=DMARC1"`);
    expect(explicit.codes).toEqual([]);
    expect(explicit.report.records.map((r) => r.name)).toContain(
      'example.jp._report._dmarc.reports.example.net',
    );
    // A name below the wildcard exists, so the DNS does not synthesise it for example.jp.
    const wildcard = await run(`${base}
*._report._dmarc.reports.example.net. TXT "v=DMARC1"
other.jp._report._dmarc.reports.example.net. TXT "v=DMARC1"
example.jp.x._report._dmarc.reports.example.net. TXT "v=DMARC1"`);
    expect(wildcard.asked).toContain('TXT *._report._dmarc.reports.example.net');
    expect(wildcard.codes).toEqual([]);
  });

  it('does not ask for authorisation inside the organisation', async () => {
    const zone = `${withRecord('v=DMARC1; p=reject; np=reject; rua=mailto:r@reports.example.jp')}\nreports MX 10 mx`;
    const { asked, codes } = await run(zone);
    expect(asked.some((q) => q.includes('_report._dmarc'))).toBe(false);
    expect(codes).toEqual([]);
  });

  it('uses the domain the policy came from in the authorisation name', async () => {
    const zone = `${withRecord('v=DMARC1; p=reject; np=reject; rua=mailto:r@reports.example.net')}
mail A 192.0.2.1
reports.example.net. MX 10 mx.reports.example.net.`;
    const { asked } = await run(zone, 'mail.example.jp');
    expect(asked).toContain('TXT example.jp._report._dmarc.reports.example.net');
  });

  it('says when the authorisation name would be too long to exist', async () => {
    const long = `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(50)}.example.net`;
    const zone = `${withRecord(`v=DMARC1; p=reject; np=reject; rua=mailto:r@${long}`)}\n${long}. MX 10 mx.example.net.`;
    const { report } = await run(zone);
    expect(report.findings.find((f) => f.code === 'dmarc-external-rua-unauthorized')!.args).toMatchObject({
      reason: 'name-too-long',
    });
  });

  it('distinguishes a report domain without MX, with a null MX, and that does not exist', async () => {
    const reasons = async (extra: string) => {
      const zone = `${withRecord('v=DMARC1; p=reject; np=reject; rua=mailto:r@reports.example.jp')}\n${extra}`;
      const { report } = await run(zone);
      return report.findings.filter((f) => f.code === 'dmarc-report-domain-no-mx').map((f) => f.args!.reason);
    };
    expect(await reasons('reports A 192.0.2.1')).toEqual(['no-mx']);
    expect(await reasons('reports MX 0 .')).toEqual(['null-mx']);
    expect(await reasons('')).toEqual(['nxdomain']);
    expect(await reasons('reports MX 10 mx')).toEqual([]);
  });

  it('reports a failed MX lookup as a DNS error, not as "no MX"', async () => {
    const zone = `${withRecord('v=DMARC1; p=reject; np=reject; rua=mailto:r@reports.example.jp')}\nreports SERVFAIL MX`;
    const { report } = await run(zone);
    expect(report.findings.map((f) => f.code)).toEqual(['dmarc-dns-error']);
    expect(report.findings[0]!.args).toMatchObject({ during: 'report-mx', type: 'MX' });
    expect(report.status).toBe('ok');
  });

  it(`checks at most MAX_REPORT_HOSTS_CHECKED (${MAX_REPORT_HOSTS_CHECKED}) destinations`, async () => {
    const uris = Array.from(
      { length: MAX_REPORT_HOSTS_CHECKED + 4 },
      (_, i) => `mailto:r@h${i}.example.jp`,
    ).join(',');
    const { asked } = await run(withRecord(`v=DMARC1; p=reject; np=reject; rua=${uris}`));
    expect(asked.filter((q) => q.startsWith('MX '))).toHaveLength(MAX_REPORT_HOSTS_CHECKED);
  });
});

describe('suggested records', () => {
  it('writes nothing when there is nothing to correct, even if spacing differs', async () => {
    const { report } = await run(withRecord(`v=DMARC1;p=reject;np=reject;${RUA}`));
    expect(report.suggested).toBeUndefined();
  });

  it('cannot add a missing rua, and says so instead', async () => {
    const { report } = await run(withRecord('v=DMARC1; p=reject; np=reject'));
    expect(report.suggested).toBeUndefined();
    const missing = await run(HEALTHY.replace(/^_dmarc.*$/m, ''));
    expect(missing.report.suggested).toBeUndefined();
    expect(missing.report.status).toBe('missing');
  });

  it('writes a reject record for a parked domain without one', async () => {
    const { report, codes } = await run(HEALTHY.replace(/^_dmarc.*$/m, ''), 'example.jp', { parked: true });
    expect(report.suggested).toEqual([
      { name: '_dmarc.example.jp', type: 'TXT', value: 'v=DMARC1; p=reject' },
    ]);
    expect(codes).toContain('dmarc-missing');
  });

  it('leaves a parked domain that already rejects alone', async () => {
    const { report } = await run(HEALTHY, 'example.jp', { parked: true });
    expect(report.suggested).toBeUndefined();
    expect(report.findings).toEqual([]);
  });

  it('flags a parked subdomain that inherits a weaker policy', async () => {
    const zone = `${withRecord(`v=DMARC1; p=reject; sp=none; ${RUA}`)}\nold A 192.0.2.1`;
    const { report, codes } = await run(zone, 'old.example.jp', { parked: true });
    expect(codes).toContain('dmarc-parked-not-reject');
    expect(report.suggested).toEqual([
      { name: '_dmarc.old.example.jp', type: 'TXT', value: 'v=DMARC1; p=reject' },
    ]);
  });

  it('corrects the inherited record where it lives', async () => {
    const zone = `${withRecord(`v=DMARC1; p=reject; np=reject; pct=100; ${RUA}`)}\nmail A 192.0.2.1`;
    const { report } = await run(zone, 'mail.example.jp');
    expect(report.suggested).toEqual([
      { name: '_dmarc.example.jp', type: 'TXT', value: `v=DMARC1; p=reject; np=reject; ${RUA}` },
    ]);
  });

  it('writes the record at the end of a CNAME chain', async () => {
    const zone = `${HEALTHY.replace(/^_dmarc.*$/m, '_dmarc CNAME d.example.jp.')}\nd TXT "v=DMARC1; p=reject; pct=100; ${RUA}"`;
    const { report } = await run(zone);
    expect(report.suggested![0]!.name).toBe('d.example.jp');
  });
});

describe('input', () => {
  it('normalises the domain (case, trailing dot, IDN)', async () => {
    const zone = Zone.parse(HEALTHY.replace('$ORIGIN example.jp.', '$ORIGIN xn--r8jz45g.jp.'));
    const resolver = new ZoneResolver(zone);
    const report = await checkDmarc('例え.JP.', { resolver, fetcher: noFetch, options: {} });
    expect(report.parsed!.domain).toBe('xn--r8jz45g.jp');
    expect(report.parsed!.policy).toBe('reject');
  });

  it(`does not ask for a _dmarc name longer than MAX_DNS_NAME_LENGTH (${MAX_DNS_NAME_LENGTH})`, async () => {
    const domain = `${'a'.repeat(58)}.${'b'.repeat(58)}.${'c'.repeat(58)}.${'d'.repeat(59)}.example.jp`;
    expect(domain.length).toBe(247);
    const { report, asked } = await run(HEALTHY, domain);
    expect(asked).not.toContain(`TXT _dmarc.${domain}`);
    expect(report.parsed).toMatchObject({ policyDomain: 'example.jp', policyTag: 'np' });
  });

  it('refuses an empty name', async () => {
    const resolver = new ZoneResolver(Zone.parse(HEALTHY));
    await expect(checkDmarc(' ', { resolver, fetcher: noFetch, options: {} })).rejects.toThrow(RangeError);
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { checkMtaSts, MTA_STS_FETCH_TIMEOUT_MS } from '../../src/check/mta-sts.ts';
import { MAX_TXT_CANDIDATES } from '../../src/check/txt-discovery.ts';
import { Zone } from '../../src/dns/zone.ts';
import { ZoneResolver } from '../../src/dns/zone-resolver.ts';
import type { Fetcher } from '../../src/http/types.ts';
import { mtaStsFindings } from '../../src/i18n/findings/mta-sts.ts';
import { MAX_MTA_STS_POLICY_BYTES } from '../../src/records/mta-sts/index.ts';
import { fakeFetcher, type Route } from '../fixtures/mta-sts/fake-fetcher.ts';

const D = 'example.jp';
const NAME = `_mta-sts.${D}`;
const URL_ = `https://mta-sts.${D}/.well-known/mta-sts.txt`;
const MX = ['mx1.example.jp', 'mx2.example.jp'];
const POLICY =
  'version: STSv1\r\nmode: enforce\r\nmx: mx1.example.jp\r\nmx: mx2.example.jp\r\nmax_age: 1209600\r\n';
const served = (body: string | Buffer, contentType = 'text/plain; charset=utf-8'): Route => ({
  body,
  contentType,
});

interface Setup {
  /** TXT records at _mta-sts (each a list of strings or one string). */
  record?: string[] | null;
  apex?: string[];
  zone?: (z: Zone) => void;
  policy?: Route | null;
  mx?: string[] | undefined;
}

async function run(setup: Setup = {}) {
  const z = Zone.parse(`$ORIGIN ${D}.\n@ A 192.0.2.1\n`);
  const record = setup.record === undefined ? ['v=STSv1; id=20240601'] : setup.record;
  for (const text of record ?? []) z.txt(NAME, text);
  for (const text of setup.apex ?? []) z.txt(D, text);
  setup.zone?.(z);
  const resolver = new ZoneResolver(z);
  const policy = setup.policy === undefined ? served(POLICY) : setup.policy;
  const fetcher = fakeFetcher(policy ? { [URL_]: policy } : {});
  const mx = 'mx' in setup ? setup.mx : MX;
  const report = await checkMtaSts(
    D,
    { resolver, fetcher, options: { now: new Date('2024-06-01T00:00:00Z') } },
    mx,
  );
  expect(new Set(resolver.asked).size).toBe(resolver.asked.length);
  return { report, fetcher, asked: resolver.asked, codes: report.findings.map((f) => f.code) };
}

const triggered = new Set<string>();
async function expectCode(code: string, setup: Setup) {
  const result = await run(setup);
  expect(result.codes, `${code} expected`).toContain(code);
  triggered.add(code);
  return result;
}

describe('checkMtaSts', () => {
  it('a good record and policy covering every MX: nothing to say', async () => {
    const { report, codes, fetcher, asked } = await run();
    expect(codes).toEqual([]);
    expect(report.status).toBe('ok');
    expect(asked).toEqual([`TXT ${NAME}`]);
    expect(fetcher.calls).toEqual([
      { url: URL_, limits: { maxBytes: MAX_MTA_STS_POLICY_BYTES, timeoutMs: MTA_STS_FETCH_TIMEOUT_MS } },
    ]);
    expect(MAX_MTA_STS_POLICY_BYTES).toBe(64 * 1024);
    expect(report.parsed).toMatchObject({
      name: NAME,
      recordValid: true,
      policyValid: true,
      record: { version: 'STSv1', id: '20240601', extensions: {} },
      policy: { mode: 'enforce', maxAge: 1209600, mx: MX },
      fetch: { ok: true, status: 200, contentType: 'text/plain; charset=utf-8' },
      mxCoverage: [
        { host: 'mx1.example.jp', pattern: 'mx1.example.jp' },
        { host: 'mx2.example.jp', pattern: 'mx2.example.jp' },
      ],
    });
    expect(report.records.map((r) => [r.name, r.type])).toEqual([
      [NAME, 'TXT'],
      [URL_, 'policy'],
    ]);
  });

  it('mta-sts-dns-error: no policy fetch, never "missing"', async () => {
    const { report, fetcher, codes } = await expectCode('mta-sts-dns-error', {
      zone: (z) => z.misbehave(NAME, 'timeout'),
    });
    expect(codes).toEqual(['mta-sts-dns-error']);
    expect(report).toMatchObject({ status: 'dns-error', dns: 'timeout' });
    expect(fetcher.calls).toEqual([]);
  });

  it('mta-sts-missing: looks at the apex and the policy URL once', async () => {
    const { report, codes, asked, fetcher } = await expectCode('mta-sts-missing', {
      record: null,
      policy: null,
    });
    expect(codes).toEqual(['mta-sts-missing']);
    expect(report.status).toBe('missing');
    expect(asked).toEqual([`TXT ${NAME}`, `TXT ${D}`]);
    expect(fetcher.calls).toHaveLength(1);
    expect(report.findings[0]!.severity).toBe('info');
  });

  it('mta-sts-policy-without-record: a policy served with no record, and the record to add', async () => {
    const { report } = await expectCode('mta-sts-policy-without-record', { record: null });
    expect(report.status).toBe('missing');
    expect(report.suggested).toEqual([{ name: NAME, type: 'TXT', value: 'v=STSv1; id=20240601000000' }]);
  });

  it('mta-sts-at-apex: the record moved to _mta-sts', async () => {
    const { report, codes } = await expectCode('mta-sts-at-apex', {
      record: null,
      apex: ['v=STSv1; id=1', 'v=spf1 -all'],
    });
    expect(codes).toEqual(['mta-sts-at-apex']);
    expect(report.status).toBe('invalid');
    expect(report.suggested?.[0]?.name).toBe(NAME);
    expect(report.records[0]).toMatchObject({ name: D, text: 'v=STSv1; id=1' });
  });

  it('mta-sts-multiple-records, mta-sts-unrelated-record, mta-sts-spf-record', async () => {
    const multi = await expectCode('mta-sts-multiple-records', {
      record: ['v=STSv1; id=1', 'v=STSv1; id=2'],
    });
    expect(multi.report.status).toBe('invalid');
    expect(multi.report.parsed?.recordValid).toBe(false);
    const other = await expectCode('mta-sts-unrelated-record', { record: ['v=STSv1; id=1', 'hello'] });
    expect(other.codes).toEqual(['mta-sts-unrelated-record']);
    expect(other.report.status).toBe('ok');
    const spf = await expectCode('mta-sts-spf-record', { record: ['v=STSv1; id=1', 'v=spf1 -all'] });
    expect(spf.codes).toEqual(['mta-sts-spf-record']);
  });

  it('record problems come with the record and a fresh record to publish', async () => {
    const { report } = await expectCode('mta-sts-id-invalid', { record: ['v=STSv1; id=2024-06-01'] });
    const f = report.findings[0]!;
    expect(f).toMatchObject({
      where: NAME,
      record: 'v=STSv1; id=2024-06-01',
      args: { name: NAME, id: '2024-06-01' },
    });
    expect(report.suggested).toEqual([{ name: NAME, type: 'TXT', value: 'v=STSv1; id=20240601000000' }]);
    expect(report.status).toBe('invalid');
    await expectCode('mta-sts-id-missing', { record: ['v=STSv1; ext=1'] });
    await expectCode('mta-sts-syntax-error', { record: ['v=STSv1 id=1'] });
    await expectCode('mta-sts-unknown-tag', { record: ['v=STSv1; id=1; ext=1'] });
    await expectCode('mta-sts-duplicate-tag', { record: ['v=STSv1; id=1; id=2'] });
    const raw = await run({
      record: null,
      zone: (z) => z.add(NAME, 'TXT', [Buffer.from('v=STSv1; id=1\xff', 'latin1')]),
    });
    expect(raw.report.findings.find((x) => x.code === 'mta-sts-syntax-error')?.args?.problem).toBe(
      'invalid-utf8',
    );
  });

  it('fetch failures: unreachable, HTTP status, redirect (never followed), too large', async () => {
    const down = await expectCode('mta-sts-policy-fetch-failed', {
      policy: { ok: false, url: URL_, failure: 'tls', error: 'certificate has expired' },
    });
    expect(down.codes).toEqual(['mta-sts-policy-fetch-failed']);
    expect(down.report.status).toBe('invalid');
    expect(down.report.parsed?.fetch).toEqual({
      ok: false,
      failure: 'tls',
      error: 'certificate has expired',
    });
    const notFound = await run({ policy: { body: 'not found', status: 404, contentType: 'text/html' } });
    expect(notFound.codes).toEqual(['mta-sts-policy-fetch-failed']);
    expect(notFound.report.findings[0]!.args).toMatchObject({ failure: 'http-status', status: 404 });
    const moved = await expectCode('mta-sts-policy-redirect', {
      policy: {
        ok: false,
        url: URL_,
        failure: 'redirect',
        error: '301',
        status: 301,
        location: 'https://www.example.jp/',
      },
    });
    expect(moved.report.findings[0]!.args?.location).toBe('https://www.example.jp/');
    expect(moved.report.parsed?.fetch?.location).toBe('https://www.example.jp/');
    await expectCode('mta-sts-policy-too-large', {
      policy: { ok: false, url: URL_, failure: 'too-large', error: 'more than 65536 bytes' },
    });
    // A fetcher that ignored the cap is still caught by the parser.
    await expectCode('mta-sts-policy-too-large', {
      policy: served(POLICY + '#'.repeat(MAX_MTA_STS_POLICY_BYTES)),
    });
  });

  it('Content-Type checks', async () => {
    await expectCode('mta-sts-policy-content-type', { policy: served(POLICY, 'text/html') });
    await expectCode('mta-sts-policy-content-type-missing', { policy: { body: POLICY } });
    await expectCode('mta-sts-policy-charset', { policy: served(POLICY, 'text/plain; charset=iso-2022-jp') });
  });

  const policyCases: [string, string][] = [
    ['mta-sts-policy-invalid', POLICY.replace('mode: enforce', 'mode enforce')],
    ['mta-sts-policy-unknown-key', `${POLICY}foo: bar\r\n`],
    ['mta-sts-policy-duplicate-key', `${POLICY}max_age: 60\r\n`],
    ['mta-sts-policy-version-invalid', POLICY.replace('STSv1', 'STSv2')],
    ['mta-sts-policy-mode-invalid', POLICY.replace('enforce', 'reject')],
    ['mta-sts-policy-max-age-invalid', POLICY.replace('1209600', '1e6')],
    ['mta-sts-policy-max-age-short', POLICY.replace('1209600', '3600')],
    ['mta-sts-policy-mx-invalid', POLICY.replace('mx: mx2.example.jp', 'mx: mx2.example.jp.')],
    ['mta-sts-policy-field-missing', POLICY.replace('max_age: 1209600\r\n', '')],
    ['mta-sts-policy-mx-missing', 'version: STSv1\r\nmode: enforce\r\nmax_age: 1209600\r\n'],
    ['mta-sts-mode-testing', POLICY.replace('enforce', 'testing')],
    ['mta-sts-mode-none', POLICY.replace('enforce', 'none')],
  ];
  it.each(policyCases)('%s: triggered by its policy, absent from the good one', async (code, body) => {
    const { report } = await expectCode(code, { policy: served(body) });
    const hit = report.findings.find((f) => f.code === code)!;
    expect(hit.where).toBe(URL_);
    expect(hit.args).toMatchObject({ url: URL_, name: NAME });
    expect((await run()).codes).not.toContain(code);
  });

  it('mta-sts-mx-not-covered: anchored matching, error in enforce, warning in testing, nothing in none', async () => {
    const policy = 'version: STSv1\nmode: enforce\nmx: example.com\nmx: *.example.jp\nmax_age: 1209600\n';
    const { report } = await expectCode('mta-sts-mx-not-covered', {
      policy: served(policy),
      mx: ['mx1.example.jp', 'mail.example.com.evil', 'a.b.example.jp', 'example.com'],
    });
    const misses = report.findings.filter((f) => f.code === 'mta-sts-mx-not-covered');
    expect(misses.map((f) => [f.args?.host, f.severity])).toEqual([
      ['mail.example.com.evil', 'error'],
      ['a.b.example.jp', 'error'],
    ]);
    expect(report.parsed?.mxCoverage).toEqual([
      { host: 'mx1.example.jp', pattern: '*.example.jp' },
      { host: 'mail.example.com.evil' },
      { host: 'a.b.example.jp' },
      { host: 'example.com', pattern: 'example.com' },
    ]);
    const testing = await run({
      policy: served(policy.replace('enforce', 'testing')),
      mx: ['other.example.net'],
    });
    expect(testing.report.findings.find((f) => f.code === 'mta-sts-mx-not-covered')?.severity).toBe(
      'warning',
    );
    const none = await run({ policy: served(policy.replace('enforce', 'none')), mx: ['other.example.net'] });
    expect(none.codes).not.toContain('mta-sts-mx-not-covered');
    // Unknown MX hosts (the MX lookup failed): coverage is not judged.
    const unknown = await run({ mx: undefined });
    expect(unknown.report.parsed?.mxCoverage).toBeUndefined();
    // Null MX: nothing to cover.
    expect((await run({ mx: [] })).codes).toEqual([]);
  });

  it(`parses at most MAX_TXT_CANDIDATES (${MAX_TXT_CANDIDATES}) records of a hostile answer`, async () => {
    const many = Array.from({ length: 50 }, (_, i) => `v=STSv1; id=bad-${i}`);
    const { report } = await run({ record: many });
    expect(report.findings.find((f) => f.code === 'mta-sts-multiple-records')?.args?.count).toBe(50);
    expect(report.records.filter((r) => r.type === 'TXT')).toHaveLength(MAX_TXT_CANDIDATES);
    expect(report.findings.filter((f) => f.code === 'mta-sts-id-invalid')).toHaveLength(MAX_TXT_CANDIDATES);
  });

  it('a CNAME loop at _mta-sts is a DNS error, not a crash', async () => {
    const { report } = await run({
      record: null,
      zone: (z) => {
        z.add(NAME, 'CNAME', `loop.${D}`);
        z.add(`loop.${D}`, 'CNAME', NAME);
      },
    });
    expect(report.status).toBe('dns-error');
    expect(report.findings.map((f) => f.code)).toEqual(['mta-sts-dns-error']);
  });

  it('uses only the fetcher it is given', async () => {
    const fetcher: Fetcher = fakeFetcher();
    const z = Zone.parse(`$ORIGIN ${D}.\n_mta-sts TXT "v=STSv1; id=1"\n`);
    const report = await checkMtaSts(D, { resolver: new ZoneResolver(z), fetcher, options: {} }, MX);
    expect(report.findings.map((f) => [f.code, f.args?.failure])).toEqual([
      ['mta-sts-policy-fetch-failed', 'dns'],
    ]);
  });

  afterAll(() => {
    expect([...triggered].sort()).toEqual(Object.keys(mtaStsFindings).sort());
  });
});

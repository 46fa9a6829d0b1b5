import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BIMI_FETCH_TIMEOUT_MS,
  type BimiDmarcInput,
  type BimiTrust,
  checkBimi,
} from '../../src/check/bimi.ts';
import type { CheckContext, CheckOptions } from '../../src/check/types.ts';
import { Zone } from '../../src/dns/zone.ts';
import { ZoneResolver } from '../../src/dns/zone-resolver.ts';
import type { Fetcher, FetchLimits, FetchOutcome } from '../../src/http/types.ts';
import { MAX_CERTIFICATE_BYTES } from '../../src/records/bimi/certificate.ts';
import { MAX_SVG_BYTES } from '../../src/records/bimi/svg.ts';
import { pslOrgDomain } from '../../src/records/org-domain.ts';
import { createMarkPki } from '../records/bimi-pki.ts';

const LOGO = 'https://example.com/bimi/logo.svg';
const VMC = 'https://example.com/bimi/vmc.pem';
const SVG = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" viewBox="0 0 10 10"><title>Example K.K.</title><rect width="10" height="10"/></svg>',
);
const pki = createMarkPki(SVG);
const TRUST: BimiTrust = { roots: [pki.root.pem], intermediates: [] };
const NOW = new Date('2026-01-01T00:00:00Z');
const ENFORCING: BimiDmarcInput = {
  status: 'ok',
  p: 'reject',
  record: 'v=DMARC1; p=reject',
  name: '_dmarc.example.com',
};

type Served = { body: Buffer | string; type?: string } | FetchOutcome;

/** A fake Fetcher: serves fixed bodies by URL and remembers what it was asked. */
class FakeFetcher implements Fetcher {
  readonly calls: { url: string; limits: FetchLimits }[] = [];
  constructor(private readonly files: Record<string, Served>) {}
  async fetch(url: string, limits: FetchLimits): Promise<FetchOutcome> {
    this.calls.push({ url, limits });
    const file = this.files[url];
    if (!file) return { ok: false, url, failure: 'http-status', status: 404, error: 'HTTP 404' };
    if ('ok' in file) return file;
    const body = Buffer.from(file.body);
    if (body.length > limits.maxBytes)
      return { ok: false, url, failure: 'too-large', error: `over ${limits.maxBytes} bytes` };
    return { ok: true, url, status: 200, headers: file.type ? { 'content-type': file.type } : {}, body };
  }
}

const goodFiles = (): Record<string, Served> => ({
  [LOGO]: { body: SVG, type: 'image/svg+xml' },
  [VMC]: { body: pki.vmc().pem + pki.intermediate.pem, type: 'application/x-pem-file' },
});

function setup(zoneText: string, files: Record<string, Served> = goodFiles(), options: CheckOptions = {}) {
  const resolver = new ZoneResolver(Zone.parse(zoneText));
  const fetcher = new FakeFetcher(files);
  const ctx: CheckContext = { resolver, fetcher, options: { now: NOW, ...options } };
  return { resolver, fetcher, ctx };
}

async function run(
  zoneText: string,
  {
    domain = 'example.com',
    dmarc = ENFORCING,
    files,
    options,
  }: { domain?: string; dmarc?: BimiDmarcInput; files?: Record<string, Served>; options?: CheckOptions } = {},
) {
  const s = setup(zoneText, files, options);
  const report = await checkBimi(domain, s.ctx, dmarc, pslOrgDomain(domain), TRUST);
  return { ...s, report, codes: report.findings.map((f) => f.code) };
}

const ZONE = `
example.com.                TXT "v=spf1 -all"
default._bimi.example.com.  TXT "v=BIMI1; l=${LOGO}; a=${VMC}"
`;

describe('checkBimi', () => {
  it('a complete BIMI setup: record, logo and VMC, asking each name once', async () => {
    const { report, codes, resolver, fetcher } = await run(ZONE);
    expect(codes).toEqual(['bimi-certificate-valid']);
    expect(report.status).toBe('ok');
    expect(report.dns).toBe('ok');
    expect(report.records).toEqual([
      { name: 'default._bimi.example.com', type: 'TXT', text: `v=BIMI1; l=${LOGO}; a=${VMC}` },
    ]);
    expect(report.parsed).toMatchObject({
      selector: 'default',
      name: 'default._bimi.example.com',
      fallback: false,
      dmarc: { status: 'ok', enforcing: true, blockers: [] },
      logo: { url: LOGO, fetched: true, valid: true, info: { title: 'Example K.K.' } },
      certificate: {
        url: VMC,
        fetched: true,
        valid: true,
        info: { kind: 'VMC', logoMatches: true, trusted: true },
      },
    });
    expect(report.parsed?.record?.tags.avp).toEqual({ value: 'brand', explicit: false });
    expect(report.suggested).toBeUndefined();
    expect(resolver.asked).toEqual(['TXT default._bimi.example.com', 'TXT example.com']);
    expect(fetcher.calls).toEqual([
      { url: LOGO, limits: { maxBytes: MAX_SVG_BYTES + 1, timeoutMs: BIMI_FETCH_TIMEOUT_MS } },
      { url: VMC, limits: { maxBytes: MAX_CERTIFICATE_BYTES + 1, timeoutMs: BIMI_FETCH_TIMEOUT_MS } },
    ]);
  });

  it('trusts the bundled Mark Verifying Authority roots by default (a test root is not one)', async () => {
    const s = setup(ZONE);
    const report = await checkBimi('example.com', s.ctx, ENFORCING, 'example.com');
    expect(report.findings.map((f) => [f.code, f.args?.reason, f.args?.issuer])).toEqual([
      ['bimi-certificate-untrusted', 'no-issuer', 'Sumi Test MVA Root'],
    ]);
  });

  describe('discovery', () => {
    it('bimi-missing (info), after trying the organisational domain', async () => {
      const { report, codes, resolver, fetcher } = await run('mail.example.com. TXT "v=spf1 -all"', {
        domain: 'mail.example.com',
      });
      expect(codes).toEqual(['bimi-missing']);
      expect(report.findings[0]).toMatchObject({
        severity: 'info',
        args: { name: 'default._bimi.mail.example.com', fallbackName: 'default._bimi.example.com' },
      });
      expect(report.status).toBe('missing');
      expect(resolver.asked).toEqual([
        'TXT default._bimi.mail.example.com',
        'TXT mail.example.com',
        'TXT default._bimi.example.com',
      ]);
      expect(fetcher.calls).toEqual([]);
      expect((await run(ZONE)).codes).not.toContain('bimi-missing');
    });

    it('bimi-domain-not-found when the domain itself does not exist', async () => {
      const { report, codes } = await run('other.example. TXT "x"', { domain: 'nowhere.example.com' });
      expect(codes).toEqual(['bimi-domain-not-found']);
      expect(report.status).toBe('missing');
    });

    it('bimi-dns-error, never bimi-missing, when the lookup fails (SERVFAIL, timeout, at the fallback too)', async () => {
      for (const misbehaviour of ['SERVFAIL', 'TIMEOUT', 'REFUSED']) {
        const { report, codes } = await run(`${ZONE}\ndefault._bimi.example.com. ${misbehaviour}`);
        expect(codes, misbehaviour).toEqual(['bimi-dns-error']);
        expect(report.status).toBe('dns-error');
      }
      const fallback = await run('mail.example.com. A 192.0.2.1\ndefault._bimi.example.com. SERVFAIL', {
        domain: 'mail.example.com',
      });
      expect(fallback.codes).toEqual(['bimi-dns-error']);
      expect(fallback.report.findings[0]?.args?.name).toBe('default._bimi.example.com');
      const loop = await run(
        'example.com. A 192.0.2.1\ndefault._bimi.example.com. CNAME x.example.com.\nx.example.com. CNAME default._bimi.example.com.',
      );
      expect(loop.codes).toEqual(['bimi-dns-error']);
    });

    it("bimi-fallback: the same selector at the organisational domain (not checkdmarc's 'default')", async () => {
      const zone = `${ZONE}
mail.example.com. A 192.0.2.1
brand._bimi.example.com. TXT "v=BIMI1; l=${LOGO}; a=${VMC}"`;
      const plain = await run(zone, { domain: 'mail.example.com' });
      expect(plain.codes).toEqual(['bimi-fallback', 'bimi-certificate-valid']);
      expect(plain.report.parsed).toMatchObject({ fallback: true, name: 'default._bimi.example.com' });
      const branded = await run(zone, { domain: 'mail.example.com', options: { bimiSelector: 'Brand' } });
      expect(branded.report.parsed).toMatchObject({
        selector: 'brand',
        name: 'brand._bimi.example.com',
        fallback: true,
      });
      expect(branded.resolver.asked).toEqual([
        'TXT brand._bimi.mail.example.com',
        'TXT mail.example.com',
        'TXT brand._bimi.example.com',
      ]);
      expect((await run(ZONE)).codes).not.toContain('bimi-fallback');
    });

    it('follows CNAMEs and says so', async () => {
      const { report, codes } = await run(`example.com. A 192.0.2.1
default._bimi.example.com. CNAME bimi.brand-host.example.
bimi.brand-host.example. TXT "v=BIMI1; l=${LOGO}; a=${VMC}"`);
      expect(codes).toEqual(['bimi-certificate-valid']);
      expect(report.records[0]?.cnames).toEqual(['bimi.brand-host.example']);
    });

    it('bimi-multiple-records: nothing is fetched', async () => {
      const { report, codes, fetcher } = await run(
        `${ZONE}\ndefault._bimi.example.com. TXT "v=BIMI1; l=${LOGO}"`,
      );
      expect(codes).toEqual(['bimi-multiple-records']);
      expect(report.findings[0]?.args).toEqual({ name: 'default._bimi.example.com', count: 2 });
      expect(report.status).toBe('invalid');
      expect(fetcher.calls).toEqual([]);
    });

    it('bimi-unrelated-record and bimi-spf-record at the selector name', async () => {
      const { codes, report } = await run(`example.com. A 192.0.2.1
default._bimi.example.com. TXT "v=spf1 include:_spf.example.net -all"
default._bimi.example.com. TXT "google-site-verification=abc"`);
      expect(codes).toEqual(['bimi-spf-record', 'bimi-unrelated-record', 'bimi-missing']);
      expect(report.records).toHaveLength(2);
      expect((await run(ZONE)).codes).not.toContain('bimi-unrelated-record');
    });

    it('bimi-at-apex: with the record moved where it belongs as the suggestion', async () => {
      const { codes, report } = await run(`example.com. TXT "v=BIMI1; l=${LOGO}; a=${VMC}"`);
      expect(codes).toEqual(['bimi-at-apex', 'bimi-missing']);
      expect(report.suggested).toEqual([
        { name: 'default._bimi.example.com', type: 'TXT', value: `v=BIMI1; l=${LOGO}; a=${VMC}` },
      ]);
      const both = await run(`${ZONE}\nexample.com. TXT "v=BIMI1; l=${LOGO}"`);
      expect(both.codes).toEqual(['bimi-at-apex', 'bimi-certificate-valid']);
    });

    it('bimi-invalid-utf8', async () => {
      const zone = Zone.parse('example.com. A 192.0.2.1');
      zone.add('default._bimi.example.com', 'TXT', [
        Buffer.from([0x76, 0x3d, 0x42, 0x49, 0x4d, 0x49, 0x31, 0x3b, 0xff]),
      ]);
      const ctx: CheckContext = {
        resolver: new ZoneResolver(zone),
        fetcher: new FakeFetcher({}),
        options: { now: NOW },
      };
      const report = await checkBimi('example.com', ctx, ENFORCING, 'example.com', TRUST);
      expect(report.findings.map((f) => f.code)).toContain('bimi-invalid-utf8');
    });

    it('bimi-declined: no DMARC requirement, nothing fetched', async () => {
      const { codes, report, fetcher } = await run('default._bimi.example.com. TXT "v=BIMI1; l=; a=;"', {
        dmarc: { status: 'ok', p: 'none' },
      });
      expect(codes).toEqual(['bimi-declined']);
      expect(report.status).toBe('ok');
      expect(fetcher.calls).toEqual([]);
    });

    it('suggests the corrected record for a fixable one', async () => {
      const { codes, report } = await run(
        `default._bimi.example.com. TXT "v=bimi1; l=${LOGO}; a=${VMC}; avp=brand; x=1"`,
      );
      expect(codes).toEqual(['bimi-unknown-tag', 'bimi-invalid-version', 'bimi-certificate-valid']);
      expect(report.suggested).toEqual([
        { name: 'default._bimi.example.com', type: 'TXT', value: `v=BIMI1; l=${LOGO}; a=${VMC}; avp=brand` },
      ]);
    });
  });

  describe('DMARC precondition', () => {
    it('bimi-dmarc-not-enforcing: one finding per blocking tag, with the corrected DMARC record', async () => {
      const dmarc: BimiDmarcInput = {
        status: 'ok',
        p: 'none',
        sp: 'none',
        pct: 50,
        record: 'v=DMARC1; p=none; sp=none; pct=50; rua=mailto:d@example.com',
        name: '_dmarc.example.com',
      };
      const { report } = await run(ZONE, { dmarc });
      const blocking = report.findings.filter((f) => f.code === 'bimi-dmarc-not-enforcing');
      expect(blocking.map((f) => [f.args?.tag, f.args?.value])).toEqual([
        ['p', 'none'],
        ['sp', 'none'],
        ['pct', '50'],
      ]);
      expect(blocking[0]).toMatchObject({
        severity: 'error',
        where: '_dmarc.example.com',
        record: dmarc.record,
        args: { fixedRecord: 'v=DMARC1; p=quarantine; sp=quarantine; rua=mailto:d@example.com' },
      });
      expect(report.parsed?.dmarc).toMatchObject({ enforcing: false });
      expect(report.status).toBe('invalid');
      const testing = await run(ZONE, { dmarc: { status: 'ok', p: 'quarantine', testing: true } });
      expect(
        testing.report.findings.filter((f) => f.code === 'bimi-dmarc-not-enforcing').map((f) => f.args?.tag),
      ).toEqual(['t']);
      expect((await run(ZONE)).codes).not.toContain('bimi-dmarc-not-enforcing');
    });

    it('bimi-dmarc-missing for a missing or invalid DMARC record, bimi-dmarc-unverified when DMARC could not be asked', async () => {
      expect((await run(ZONE, { dmarc: { status: 'missing' } })).codes).toContain('bimi-dmarc-missing');
      expect((await run(ZONE, { dmarc: { status: 'invalid' } })).codes).toContain('bimi-dmarc-missing');
      const unknown = await run(ZONE, { dmarc: { status: 'dns-error' } });
      expect(unknown.codes).toEqual(['bimi-dmarc-unverified', 'bimi-certificate-valid']);
      expect(unknown.report.status).toBe('ok');
    });
  });

  describe('logo', () => {
    it('bimi-no-certificate: a logo without a=, which Gmail and others will not show', async () => {
      const { codes, fetcher, report } = await run(`default._bimi.example.com. TXT "v=BIMI1; l=${LOGO}"`);
      expect(codes).toEqual(['bimi-no-certificate']);
      expect(report.findings[0]?.severity).toBe('warning');
      expect(fetcher.calls.map((c) => c.url)).toEqual([LOGO]);
    });

    it('bimi-svg-fetch-failed and bimi-svg-too-large', async () => {
      const failed = await run(ZONE, {
        files: {
          ...goodFiles(),
          [LOGO]: { ok: false, url: LOGO, failure: 'tls', error: 'certificate has expired' },
        },
      });
      expect(failed.report.findings[0]).toMatchObject({
        code: 'bimi-svg-fetch-failed',
        args: { url: LOGO, failure: 'tls', error: 'certificate has expired' },
      });
      expect(failed.report.parsed?.logo).toEqual({ url: LOGO, fetched: false });
      const big = await run(ZONE, {
        files: { ...goodFiles(), [LOGO]: { body: 'x'.repeat(MAX_SVG_BYTES + 10) } },
      });
      expect(big.codes[0]).toBe('bimi-svg-too-large');
    });

    it('a fetcher that throws is a failed download, not a crash', async () => {
      const s = setup(ZONE);
      s.ctx.fetcher = {
        fetch: async () => {
          throw new Error('socket hang up');
        },
      };
      const report = await checkBimi('example.com', s.ctx, ENFORCING, 'example.com', TRUST);
      expect(report.findings.map((f) => [f.code, f.args?.error])).toEqual([
        ['bimi-svg-fetch-failed', 'socket hang up'],
        ['bimi-certificate-fetch-failed', 'socket hang up'],
      ]);
    });

    it('bimi-svg-content-type', async () => {
      const { codes } = await run(ZONE, {
        files: { ...goodFiles(), [LOGO]: { body: SVG, type: 'text/html' } },
      });
      expect(codes).toEqual(['bimi-svg-content-type', 'bimi-certificate-valid']);
      const untyped = await run(ZONE, { files: { ...goodFiles(), [LOGO]: { body: SVG } } });
      expect(untyped.report.findings[0]?.args?.contentType).toBe('(none)');
      expect(
        (
          await run(ZONE, {
            files: { ...goodFiles(), [LOGO]: { body: SVG, type: 'image/svg+xml; charset=utf-8' } },
          })
        ).codes,
      ).toEqual(['bimi-certificate-valid']);
    });

    it('reports SVG profile problems and a logo that differs from the certified one', async () => {
      const scripted = Buffer.from(SVG.toString().replace('</svg>', '<script>alert(1)</script></svg>'));
      const { codes, report } = await run(ZONE, {
        files: { ...goodFiles(), [LOGO]: { body: scripted, type: 'image/svg+xml' } },
      });
      expect(codes).toEqual(['bimi-svg-invalid', 'bimi-certificate-logo-mismatch']);
      expect(report.parsed?.logo?.valid).toBe(false);
    });
  });

  describe('mark certificate', () => {
    it('bimi-certificate-fetch-failed', async () => {
      const { codes } = await run(ZONE, { files: { [LOGO]: { body: SVG, type: 'image/svg+xml' } } });
      expect(codes).toEqual(['bimi-certificate-fetch-failed']);
      const big = await run(ZONE, {
        files: { ...goodFiles(), [VMC]: { body: 'x'.repeat(MAX_CERTIFICATE_BYTES + 1) } },
      });
      expect(big.report.findings[0]).toMatchObject({
        code: 'bimi-certificate-fetch-failed',
        args: { failure: 'too-large' },
      });
    });

    it('judges validity at ctx.options.now', async () => {
      const files = {
        ...goodFiles(),
        [VMC]: { body: pki.vmc({ notAfter: new Date('2026-06-01T00:00:00Z') }).pem + pki.intermediate.pem },
      };
      const later = await run(ZONE, { files, options: { now: new Date('2026-07-01T00:00:00Z') } });
      expect(later.codes).toEqual(['bimi-certificate-expired']);
      expect((await run(ZONE, { files })).codes).toEqual(['bimi-certificate-valid']);
    });

    it('accepts a certificate naming the organisational domain for a subdomain', async () => {
      const { codes } = await run(
        `${ZONE}\ndefault._bimi.mail.example.com. TXT "v=BIMI1; l=${LOGO}; a=${VMC}"`,
        {
          domain: 'mail.example.com',
        },
      );
      expect(codes).toEqual(['bimi-certificate-valid']);
    });
  });
});

const corpus = path.resolve(import.meta.dirname, '../../../shared/corpus/suites/bimi/mail-bimi');

describe.skipIf(!existsSync(corpus))('Mail::BIMI zone fixtures (skipped: ../shared/corpus absent)', () => {
  const FM = 'https://fastmaildmarc.com/FM_BIMI.svg';
  const files = () => ({
    [FM]: { body: readFileSync(path.join(corpus, 'FM-good.svg')), type: 'image/svg+xml' },
  });
  const zoneText = () => readFileSync(path.join(corpus, 'zonefile'), 'utf8');
  const check = async (domain: string, selector = 'default') => {
    const resolver = new ZoneResolver(Zone.parse(zoneText()));
    const ctx: CheckContext = {
      resolver,
      fetcher: new FakeFetcher(files()),
      options: { now: NOW, bimiSelector: selector },
    };
    const report = await checkBimi(
      domain,
      ctx,
      { status: 'ok', p: 'reject', sp: 'reject' },
      pslOrgDomain(domain),
      TRUST,
    );
    return { report, codes: report.findings.map((f) => f.code) };
  };

  it('domain.com: found, logo valid; "v=bimi1" is only a case warning (Mail::BIMI accepts it, the draft does not)', async () => {
    const { report, codes } = await check('domain.com');
    expect(codes).toEqual(['bimi-invalid-version', 'bimi-no-certificate']);
    expect(report.findings.every((f) => f.severity !== 'error')).toBe(true);
    expect(report.parsed?.logo?.valid).toBe(true);
  });

  it('dnslookupmulti.com: two records', async () => {
    expect((await check('dnslookupmulti.com')).codes).toEqual(['bimi-multiple-records']);
  });

  it('dnslookupnorecord.com and resultsnobimi.com: no record', async () => {
    expect((await check('dnslookupnorecord.com')).codes).toEqual(['bimi-missing']);
    expect((await check('resultsnobimi.com')).codes).toEqual(['bimi-missing']);
  });

  it('dnslookupcname.com: the selector record through a CNAME', async () => {
    const { report } = await check('dnslookupcname.com', 'selector');
    expect(report.records[0]).toMatchObject({
      name: 'selector._bimi.dnslookupcname.com',
      cnames: ['cnametarget.dnslookupcname.com'],
    });
    expect(report.parsed?.logo?.valid).toBe(true);
  });

  it('dnslookupfallbackfail.com: a selector-only record is not used for the default selector', async () => {
    expect((await check('dnslookupfallbackfail.com')).codes).toEqual(['bimi-missing']);
    expect((await check('dnslookupfallbackfail.com', 'selector')).report.status).toBe('ok');
  });

  it('fastmaildmarc.com: "a=" empty with a logo', async () => {
    expect((await check('fastmaildmarc.com')).codes).toEqual(['bimi-no-certificate']);
  });
});

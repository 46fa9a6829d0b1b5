import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Zone } from '../../src/dns/zone.ts';
import { ZoneServer } from '../../src/dns/zone-server.ts';
import { sumi } from '../helpers/cli.ts';

let server: ZoneServer;
beforeAll(async () => {
  server = await ZoneServer.start(
    Zone.parse(`
$ORIGIN good.example.
@        TXT "v=spf1 ip4:192.0.2.0/24 -all"
@        MX 10 mx
mx       A 192.0.2.1
_dmarc   TXT "v=DMARC1; p=reject; rua=mailto:dmarc@good.example"
$ORIGIN broken.example.
@        TXT "v=spf1 +all"
@        TXT "v=spf1 -all"
_dmarc   SERVFAIL TXT
$ORIGIN flaky.example.
@        SERVFAIL TXT
`),
  );
});
afterAll(() => server.close());

const check = (...args: string[]) =>
  sumi(['check', '--resolver', server.address, '--timeout', '500', ...args]);

describe('sumi check', () => {
  it('--json prints one object for one domain with records, parsed tags and a flat findings list', async () => {
    const { code, stdout } = await check('--json', 'good.example');
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.domain).toBe('good.example');
    expect(result.protocols.dmarc.records[0]).toMatchObject({ name: '_dmarc.good.example' });
    expect(result.protocols.dmarc.parsed.tags.adkim).toMatchObject({ value: 'r', explicit: false });
    expect(result.findings.every((f: { code: string; message: string }) => f.code && f.message)).toBe(true);
    expect(result.findings.some((f: { severity: string }) => f.severity === 'error')).toBe(false);
  });

  it('--json prints an array for several domains, in input order', async () => {
    const { stdout } = await check('--json', 'good.example', 'broken.example');
    const results = JSON.parse(stdout);
    expect(results.map((r: { domain: string }) => r.domain)).toEqual(['good.example', 'broken.example']);
    const codes = results[1].findings.map((f: { code: string }) => f.code);
    expect(codes).toContain('spf-multiple-records');
    // SERVFAIL at _dmarc is "could not ask", never "missing".
    expect(codes).toContain('dmarc-dns-error');
    expect(codes).not.toContain('dmarc-missing');
  });

  it('reports a temporary failure at the apex as an SPF DNS error', async () => {
    const { stdout } = await check('--json', 'flaky.example');
    const codes = JSON.parse(stdout).findings.map((f: { code: string }) => f.code);
    expect(codes).toContain('spf-dns-error');
    expect(codes).not.toContain('spf-missing');
  });

  it('prints findings grouped by protocol with fixes, and the corrected record', async () => {
    const { stdout } = await check('broken.example');
    expect(stdout).toMatch(/SPF\s+/);
    expect(stdout).toContain('[spf-multiple-records]');
    expect(stdout).toMatch(/fix: /);
    expect(stdout).toMatch(/publish instead: broken\.example TXT/);
  });

  it('speaks Japanese with --lang ja or LANG', async () => {
    const flag = await check('--lang', 'ja', 'broken.example');
    expect(flag.stdout).toMatch(/対処/);
    const env = await sumi(['check', '--resolver', server.address, 'broken.example'], {
      LANG: 'ja_JP.UTF-8',
    });
    expect(env.stdout).toMatch(/対処/);
  });

  it('--csv prints a header and one row per domain', async () => {
    const { stdout } = await check('--csv', 'good.example', 'broken.example');
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^domain,errors,warnings,info,dmarc_status/);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^good\.example,0,/);
  });

  it('exits 2 for bad usage: no domain, a name that is not a domain, a bad resolver', async () => {
    expect((await check()).code).toBe(2);
    const bad = await check('not a domain!');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/is not a domain name/);
    expect((await sumi(['check', '--resolver', 'dns.google', 'good.example'])).code).toBe(2);
  });
});

describe('sumi record', () => {
  it('writes a DMARC record with the name to publish at', async () => {
    const { code, stdout } = await sumi([
      'record',
      'dmarc',
      '--domain',
      'example.jp',
      '--policy',
      'quarantine',
      '--rua',
      'mailto:d@example.jp',
      '--json',
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).records[0]).toEqual({
      name: '_dmarc.example.jp',
      type: 'TXT',
      value: 'v=DMARC1; p=quarantine; rua=mailto:d@example.jp',
      findings: expect.any(Array),
      valid: true,
    });
  });

  it('writes the MTA-STS record and its policy file', async () => {
    const { stdout } = await sumi([
      'record',
      'mta-sts',
      '--domain',
      'example.jp',
      '--mx',
      'mx1.example.jp',
      '--mode',
      'enforce',
      '--id',
      '1',
    ]);
    expect(stdout).toContain('_mta-sts.example.jp TXT "v=STSv1; id=1"');
    expect(stdout).toContain('mode: enforce');
  });

  it('refuses to write an invalid record (exit 2)', async () => {
    const { code, stdout } = await sumi([
      'record',
      'bimi',
      '--domain',
      'example.jp',
      '--logo',
      'http://example.jp/l.svg',
    ]);
    expect(code).toBe(2);
    expect(stdout).toContain('[bimi-invalid-url]');
  });
});

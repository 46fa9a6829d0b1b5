import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectResolver, parseServers } from '../../src/dns/direct-resolver.ts';
import { ZoneServer } from '../../src/dns/zone-server.ts';
import {
  builtInCategoriser,
  type DomainMeasurement,
  FLAGS,
  readDomainList,
  runSurvey,
  type SurveyReport,
} from '../../src/survey/index.ts';
import { buildFixture, expectedFigures, type Fixture, KINDS } from './fixture.ts';

/**
 * The whole survey against the real zone server (UDP, through Sumi's direct resolver):
 * 2,000+ domains of known kinds; every per-category figure must equal the one computed
 * from the hand-written facts of each kind.
 */
let fixture: Fixture;
let server: ZoneServer;
let direct: DirectResolver;
let report: SurveyReport;
const results = new Map<string, DomainMeasurement>();

beforeAll(async () => {
  fixture = buildFixture();
  server = await ZoneServer.start(fixture.zone);
  // Generous: a loaded test machine must not turn a slow answer into a failure three passes running.
  direct = new DirectResolver({ servers: parseServers(server.address), timeoutMs: 1000, attempts: 2 });
  const list = `${fixture.domains.map((d) => d.domain).join('\n')}\n`;
  report = await runSurvey(readDomainList(Readable.from([list])), {
    resolver: direct,
    resolverLabel: server.address,
    categories: 'jp',
    categoriser: builtInCategoriser('jp')!,
    qps: 0,
    // Client and server share one thread here: more at once and the loopback drops answers.
    concurrency: 16,
    retryDelayMs: 1,
    onResult: (m) => void results.set(m.domain, m),
  });
}, 60_000);

afterAll(async () => {
  direct?.close();
  await server?.close();
});

describe('survey over a generated zone served by the zone server', () => {
  it('is big enough to mean something', () => {
    expect(fixture.domains.length).toBeGreaterThan(2000);
    expect(results.size).toBe(fixture.domains.length);
  });

  it('gives exactly the hand-computed figures for co.jp', () => {
    const co = report.categories.find((c) => c.name === 'co.jp')!;
    expect(co).toMatchObject({
      domains: 452,
      measured: 437,
      spfPresent: 367,
      spf: 330,
      spfMultiple: 25,
      spfStrict: 172,
      dmarcRecord: 331,
      dmarc: 341,
      dmarcInherited: 40,
      policy: { none: 150, quarantine: 86, reject: 105 },
      rua: 140,
      sp: 100,
      np: 60,
      bimi: 60,
      mtaSts: 60,
      tlsRpt: 60,
      mx: 314,
      nullMx: 32,
    });
  });

  it('gives exactly the figures computed from each kind, in every category', () => {
    const expected = expectedFigures();
    expect(report.categories.map((c) => c.name)).toEqual([
      'co.jp',
      'ac.jp',
      'go.jp',
      'lg.jp',
      'jp',
      'tokyo.jp',
      'osaka.jp',
      'other',
    ]);
    for (const category of report.categories) {
      const want = expected.get(category.name)!;
      const got: Record<string, number> = { ...category, ...renamePolicy(category.policy) } as never;
      expect({ name: category.name, domains: category.domains, measured: category.measured }).toEqual({
        name: category.name,
        domains: want.domains,
        measured: want.measured,
      });
      // DKIM is not asked here (no selectors): the metric is absent, not 0.
      expect(category.dkim).toBeUndefined();
      for (const flag of FLAGS.filter((f) => f !== 'dkim'))
        expect([category.name, flag, got[flag]]).toEqual([category.name, flag, want.flags[flag] ?? 0]);
    }
    const unmeasured = fixture.domains.filter((d) => KINDS[d.kind]!.unmeasured).length;
    expect(report.unmeasured).toBe(unmeasured);
    expect(report.total.domains - report.total.measured).toBe(unmeasured);
  });

  it("keeps each answer's status, and never counts a failed domain as absent", () => {
    const failed = fixture.domains.find((d) => d.kind === 'servfail')!;
    const m = results.get(failed.domain)!;
    expect(m.measured).toBe(false);
    expect(m.passes).toBe(3);
    expect(m.questions).toContainEqual({ name: failed.domain, type: 'TXT', status: 'servfail' });
    const timedOut = results.get(fixture.domains.find((d) => d.kind === 'timeout')!.domain)!;
    expect(timedOut.questions).toContainEqual({
      name: `_dmarc.${timedOut.domain}`,
      type: 'TXT',
      status: 'timeout',
    });
    const refused = results.get(fixture.domains.find((d) => d.kind === 'refused')!.domain)!;
    expect(refused.questions).toContainEqual({ name: refused.domain, type: 'MX', status: 'refused' });
    const absent = results.get(fixture.domains.find((d) => d.kind === 'nxdomain')!.domain)!;
    expect(absent.measured).toBe(true);
    expect(new Set(absent.questions.map((q) => q.status))).toEqual(new Set(['nxdomain']));
  });

  it('records where an inherited policy came from', () => {
    const sub = results.get(fixture.domains.find((d) => d.kind === 'inherited')!.domain)!;
    expect(sub.dmarc).toMatchObject({ applies: true, source: 'tree walk', p: 'quarantine', sp: true });
    expect(sub.dmarc.policyDomain).toBe(sub.domain.replace(/^sub\./, ''));
    const psd = results.get(fixture.domains.find((d) => d.kind === 'publicSuffix')!.domain)!;
    expect(psd.dmarc).toMatchObject({
      applies: true,
      policyDomain: 'psd-operator',
      fromPublicSuffix: true,
      p: 'reject',
    });
  });

  it("asks the names many domains share once (the shared cache), and each domain's own names once per pass", () => {
    expect(server.questions.get('TXT _dmarc.co.jp')).toBe(1);
    expect(server.questions.get('TXT _dmarc.jp')).toBe(1);
    const measured = fixture.domains.find((d) => d.kind === 'full')!.domain;
    expect(server.questions.get(`TXT ${measured}`)).toBe(1);
    const retried = fixture.domains.find((d) => d.kind === 'servfail')!.domain;
    expect(server.questions.get(`TXT ${retried}`)).toBe(3);
  });

  it('gives each share a Wilson interval and states the method', () => {
    const co = report.categories.find((c) => c.name === 'co.jp')!;
    const spf = co.shares.spf as { share: number; low: number; high: number };
    expect(spf.share).toBeCloseTo(330 / 437, 10);
    expect(spf.low).toBeLessThan(spf.share);
    expect(spf.high).toBeGreaterThan(spf.share);
    expect(report.method).toMatchObject({ unit: 'domain', categories: 'jp', qps: null, concurrency: 16 });
    expect(report.method.measured).toMatch(/definite answer/);
    expect(report.method.interval).toMatch(/Wilson/);
    expect(report.method.input).toEqual({ lines: fixture.domains.length, invalid: 0 });
  });
});

function renamePolicy(policy: { none: number; quarantine: number; reject: number }) {
  return { policyNone: policy.none, policyQuarantine: policy.quarantine, policyReject: policy.reject };
}

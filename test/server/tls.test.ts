import { describe, expect, it } from 'vitest';
import type { TlsPolicyResult, TlsReport } from '../../src/reports/types.ts';
import { DAY, engines, engineTitle } from '../store/helpers.ts';
import { type Harness, useHarness } from './helpers.ts';

function policy(
  domain: string,
  successful: number,
  failures: [string, number, string | null][],
): TlsPolicyResult {
  return {
    policyType: 'sts',
    policyString: ['version: STSv1', 'mode: enforce', `mx: mx.${domain.toLowerCase()}`],
    policyDomain: domain,
    mxHost: [`mx.${domain.toLowerCase()}`],
    totalSuccessfulSessionCount: successful,
    totalFailureSessionCount: failures.reduce((sum, [, n]) => sum + n, 0),
    failureDetails: failures.map(([resultType, failedSessionCount, additionalInformation]) => ({
      resultType,
      sendingMtaIp: '2001:db8::25',
      receivingMxHostname: `mx2.${domain.toLowerCase()}`,
      receivingMxHelo: `helo.mx2.${domain.toLowerCase()}`,
      receivingIp: '192.0.2.25',
      failedSessionCount,
      additionalInformation,
      failureReasonCode: resultType === 'certificate-expired' ? 'X509_V_ERR_CERT_HAS_EXPIRED' : null,
    })),
  };
}

function tlsReport(reportId: string, begin: number, policies: TlsPolicyResult[]): TlsReport {
  return {
    organizationName: 'Mail Giant <b>Inc.</b>',
    contactInfo: 'tlsrpt@giant.example',
    reportId,
    window: {
      begin,
      end: begin + DAY - 1,
      beginIso: new Date(begin * 1000).toISOString(),
      endIso: new Date((begin + DAY - 1) * 1000).toISOString(),
    },
    policies,
    warnings: [],
  };
}

for (const engine of engines) {
  describe.skipIf(engine.skip)(`TLS reports API ${engineTitle(engine)}`, () => {
    let h!: Harness;
    const ids = { both: 0, b: 0, old: 0 };

    const as = useHarness(engine, async (built) => {
      h = built;
      const day = h.clock.now - (h.clock.now % DAY);
      const insert = async (report: TlsReport) =>
        (
          await h.store.insertTlsReport(report, Buffer.from(report.reportId), {
            description: report.reportId,
          })
        ).id;
      // Policy domains as senders write them: in any case.
      ids.both = await insert(
        tlsReport('tls-both', day - 2 * DAY, [
          policy('A.Example', 100, [['certificate-expired', 5, '<script>alert(1)</script>']]),
          policy('b.example', 50, [['starttls-not-supported', 2, null]]),
        ]),
      );
      ids.b = await insert(tlsReport('tls-b', day - DAY, [policy('b.example', 70, [])]));
      ids.old = await insert(
        tlsReport('tls-old', day - 200 * DAY, [policy('a.example', 1, [['validation-failure', 9, null]])]),
      );
    });

    it('lists each policy domain with its sessions and failures by result type', async () => {
      const root = await as('root');
      const response = await root.get('/api/tls-reports');
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().domains).toEqual([
        {
          domain: 'a.example',
          reports: 1,
          successful: 100,
          failed: 5,
          failureRate: 5 / 105,
          lastReport: expect.any(Number),
          resultTypes: [{ resultType: 'certificate-expired', sessions: 5 }],
        },
        {
          domain: 'b.example',
          reports: 2,
          successful: 120,
          failed: 2,
          failureRate: 2 / 122,
          lastReport: expect.any(Number),
          resultTypes: [{ resultType: 'starttls-not-supported', sessions: 2 }],
        },
      ]);
      // A longer period takes in the old report.
      const year = (await root.get('/api/tls-reports?since=365d')).json().domains[0];
      expect(year).toMatchObject({ domain: 'a.example', reports: 2, failed: 14 });
      expect((await root.get('/api/tls-reports?since=forever')).statusCode).toBe(400);
    });

    it("shows one domain's failure details, every field the report gives, and its reports a page at a time", async () => {
      const alice = await as('alice');
      const response = await alice.get('/api/domains/a.example/tls');
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json();
      expect(body).toMatchObject({ domain: 'a.example', reports: 1, successful: 100, failed: 5, total: 1 });
      expect(body.failures).toEqual([
        {
          resultType: 'certificate-expired',
          sendingMtaIp: '2001:db8::25',
          receivingMxHostname: 'mx2.a.example',
          // Every field of RFC 8460's failure details the report carries.
          receivingMxHelo: 'helo.mx2.a.example',
          receivingIp: '192.0.2.25',
          failureReasonCode: 'X509_V_ERR_CERT_HAS_EXPIRED',
          // Text from the report stays text: JSON strings, never markup.
          additionalInformation: '<script>alert(1)</script>',
          sessions: 5,
          reports: 1,
        },
      ]);
      expect(body.policies).toEqual([
        expect.objectContaining({
          id: ids.both,
          organization: 'Mail Giant <b>Inc.</b>',
          reportId: 'tls-both',
          policyType: 'sts',
          mxHost: ['mx.a.example'],
          successful: 100,
          failed: 5,
        }),
      ]);
      const year = (await alice.get('/api/domains/a.example/tls?since=365d&limit=1&offset=1')).json();
      expect(year.total).toBe(2);
      expect(year.policies.map((p: { reportId: string }) => p.reportId)).toEqual(['tls-old']);
      const none = (await alice.get('/api/domains/sub.a.example/tls')).json();
      expect(none).toMatchObject({
        reports: 0,
        successful: 0,
        failed: 0,
        failureRate: null,
        lastReport: null,
      });
      expect((await alice.get('/api/domains/a.example/tls?limit=0')).statusCode).toBe(400);
    });

    it('shows a user of domain A nothing of domain B: 404s, and only A in lists and shared reports', async () => {
      const alice = await as('alice');
      const list = (await alice.get('/api/tls-reports?since=365d')).json();
      expect(list.domains.map((d: { domain: string }) => d.domain)).toEqual(['a.example']);
      for (const url of [
        '/api/domains/b.example/tls',
        '/api/domains/B.EXAMPLE/tls',
        `/api/tls-reports/${ids.b}`,
      ]) {
        const response = await alice.get(url);
        expect(response.statusCode, url).toBe(404);
        expect(response.body).not.toContain('tls-b');
      }
      // The report covering both domains: A's policy only (its domain as lookups keep it).
      const shared = await alice.get(`/api/tls-reports/${ids.both}`);
      expect(shared.statusCode).toBe(200);
      expect(shared.json().policies.map((p: { policyDomain: string }) => p.policyDomain)).toEqual([
        'a.example',
      ]);
      expect(shared.body).not.toContain('b.example');
      expect(shared.body).not.toContain('starttls-not-supported');
      const bob = await as('bob');
      expect((await bob.get('/api/domains/a.example/tls')).statusCode).toBe(404);
      expect((await bob.get(`/api/tls-reports/${ids.b}`)).json().policies).toHaveLength(1);
      const root = await as('root');
      expect((await root.get(`/api/tls-reports/${ids.both}`)).json().policies).toHaveLength(2);
      expect((await root.get('/api/tls-reports/987654')).statusCode).toBe(404);
    });

    it("gives a report's raw bytes as a file to a caller who sees every policy domain it names, a 404 to others", async () => {
      const bob = await as('bob');
      const own = await bob.get(`/api/tls-reports/${ids.b}/raw`);
      expect(own.statusCode).toBe(200);
      expect(own.body).toBe('tls-b');
      expect(own.headers['content-type']).toBe('application/tlsrpt+json');
      expect(own.headers['content-disposition']).toBe(`attachment; filename="tls-report-${ids.b}.json"`);
      expect(own.headers['content-security-policy']).toContain('sandbox');
      // The report covering A and B holds B's policy too: not for alice, who sees A only.
      const alice = await as('alice');
      for (const id of [ids.b, ids.both, 987654])
        expect((await alice.get(`/api/tls-reports/${id}/raw`)).statusCode, String(id)).toBe(404);
      const page = (await alice.get('/api/domains/a.example/tls?since=365d')).json();
      expect(page.policies.map((p: { raw: boolean }) => p.raw)).toEqual([false, true]);
      const root = await as('root');
      expect((await root.get(`/api/tls-reports/${ids.both}/raw`)).body).toBe('tls-both');
    });

    it('documents the TLS routes', async () => {
      const doc = (await h.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
      for (const path of [
        '/api/tls-reports',
        '/api/tls-reports/{id}',
        '/api/tls-reports/{id}/raw',
        '/api/domains/{domain}/tls',
      ]) {
        expect(doc.paths, path).toHaveProperty([path, 'get']);
      }
    });
  });
}

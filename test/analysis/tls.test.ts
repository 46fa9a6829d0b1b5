/** sumi tls: a policy domain's SMTP TLS reports by policy type, result type, reporter and failure details. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePeriod } from '../../src/analysis/period.ts';
import { tlsReports } from '../../src/analysis/tls.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import { sumi } from '../helpers/cli.ts';
import { DAY, engines, engineTitle, freshStore, JAN_1, tlsReport } from '../store/helpers.ts';

const JANUARY = parsePeriod({ since: '2025-01-01', until: '2025-01-31' });

/** Two reporters' days of example.jp (one before the period), and another domain's policy. */
async function seed(store: Store): Promise<void> {
  await store.insertTlsReport(tlsReport(), Buffer.from('tls 1'), { description: 'tls 1' });
  await store.insertTlsReport(
    tlsReport({
      organizationName: 'Other Mail',
      reportId: 'other-2',
      window: { ...tlsReport().window, begin: JAN_1 + DAY, end: JAN_1 + 2 * DAY - 1 },
      policies: [
        {
          ...tlsReport().policies[0]!,
          policyDomain: 'Example.JP.',
          totalFailureSessionCount: 0,
          totalSuccessfulSessionCount: 90,
          failureDetails: [],
        },
      ],
    }),
    Buffer.from('tls 2'),
    { description: 'tls 2' },
  );
  await store.insertTlsReport(
    tlsReport({
      reportId: 'december',
      window: { ...tlsReport().window, begin: JAN_1 - 5 * DAY, end: JAN_1 - 4 * DAY - 1 },
    }),
    Buffer.from('tls december'),
    { description: 'tls december' },
  );
}

for (const engine of engines) {
  describe.skipIf(engine.skip)(`tlsReports ${engineTitle(engine)}`, () => {
    const opened: Store[] = [];
    afterAll(async () => {
      for (const store of opened.splice(0)) await store.close();
    });

    it('counts the sessions of the period by policy type, result type and reporter, with every failure-details field', async () => {
      const store = await freshStore(engine, opened);
      await seed(store);
      const view = await tlsReports(store, 'EXAMPLE.jp', JANUARY);
      expect(view).toMatchObject({
        domain: 'example.jp',
        since: '2025-01-01',
        until: '2025-01-31',
        reports: 2,
        successful: 5326 + 90,
        failed: 303,
        byPolicyType: [{ policyType: 'sts', reports: 2, successful: 5416, failed: 303 }],
        byResultType: [
          { resultType: 'starttls-not-supported', sessions: 203, reports: 1 },
          { resultType: 'certificate-expired', sessions: 100, reports: 1 },
        ],
        byReporter: [
          { organization: 'Reporter Inc.', reports: 1, failed: 303 },
          { organization: 'Other Mail', reports: 1, failed: 0 },
        ],
        failuresTotal: 2,
      });
      expect(view.failures[1]).toEqual({
        resultType: 'certificate-expired',
        sendingMtaIp: '2001:db8:abcd:0012::1',
        receivingMxHostname: 'mx.example.jp',
        receivingMxHelo: 'mx.example.jp',
        receivingIp: '203.0.113.56',
        failureReasonCode: null,
        additionalInformation: 'https://reporter.example/why',
        sessions: 100,
        reports: 1,
      });
      expect((await tlsReports(store, 'sub.example.jp', JANUARY)).byPolicyType).toEqual([
        { policyType: 'no-policy-found', reports: 1, successful: 10, failed: 0, failureRate: 0 },
      ]);
      expect(await tlsReports(store, 'none.example', JANUARY)).toMatchObject({
        reports: 0,
        failureRate: null,
      });
    });
  });
}

describe('sumi tls', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sumi-tls-cli-'));
  const db = path.join(dir, 'sumi.db');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the tables in English and Japanese, --json the view, and refuses a bad --limit', async () => {
    const store = await openStore(db);
    await seed(store);
    await store.close();
    const period = ['--since', '2025-01-01', '--until', '2025-01-31'];
    const run = await sumi(['tls', 'example.jp', '--db', db, ...period]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('2 TLS reports: 5,416 successful sessions, 303 failed (5.3%)');
    expect(run.stdout).toMatch(
      /starttls-not-supported +203 +1 +2001:db8:abcd:0013::1 +mx2\.example\.jp +- +203\.0\.113\.57 +X-no-starttls/,
    );
    const limited = await sumi(['tls', 'example.jp', '--db', db, '--limit', '1', ...period]);
    expect(limited.stdout).toContain('1 more group (--limit, --json)');
    const json = JSON.parse((await sumi(['tls', 'example.jp', '--db', db, '--json', ...period])).stdout);
    expect(json.failures).toHaveLength(2);
    const ja = await sumi(['tls', 'example.jp', '--db', db, '--lang', 'ja', ...period]);
    expect(ja.stdout).toContain('TLS レポート 2 件');
    const none = await sumi(['tls', 'none.example', '--db', db, ...period]);
    expect(none.stdout).toContain('No SMTP TLS report for none.example');
    expect((await sumi(['tls', 'example.jp', '--db', db, '--limit', '-1'])).code).toBe(2);
  });
});

/** `sumi prune`: a retention policy's run, from the command line. */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Accounts } from '../../src/auth/accounts.ts';
import { openStore } from '../../src/store/open.ts';
import { aggregateXml } from '../ingest/helpers/reports.ts';
import { sumi } from '../ingest/helpers/sumi.ts';

const DAY = 86_400;
let dir: string;
let db: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sumi-cli-prune-'));
  db = path.join(dir, 'sumi.db');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Two reports of 2 and 3 records that ended 100 days ago, and one of 2 that ended yesterday. */
async function ingestAged(): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  const files = [
    ['old-1.xml', aggregateXml({ reportId: 'old-1', begin: now - 101 * DAY, records: 2 })],
    ['old-2.xml', aggregateXml({ reportId: 'old-2', begin: now - 101 * DAY, records: 3 })],
    ['new.xml', aggregateXml({ reportId: 'new', begin: now - 2 * DAY, records: 2 })],
  ];
  for (const [name, text] of files) await writeFile(path.join(dir, name!), text!);
  const ingested = await sumi(['ingest', ...files.map(([name]) => path.join(dir, name!)), '--db', db]);
  expect(ingested.code).toBe(0);
}

describe('sumi prune', () => {
  it('counts with --dry-run, deletes what ended before the days kept, and says so (en, ja, --json)', async () => {
    await ingestAged();
    const dry = await sumi(['prune', '--reports', '30', '--dry-run', '--db', db]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toBe(
      'Would delete 2 aggregate reports (5 records, 9 messages), 0 SMTP TLS reports (a dry run: nothing was deleted).\n',
    );
    const ja = await sumi([
      '--lang',
      'ja',
      'prune',
      '--reports',
      '30',
      '--failure-reports',
      '30',
      '--db',
      db,
    ]);
    expect(ja.code).toBe(0);
    expect(ja.stdout).toBe(
      '集約レポート 2 件（5 レコード、9 通）、SMTP TLS レポート 0 件、失敗レポート 0 件を削除しました。\n',
    );
    const store = await openStore(db);
    try {
      expect((await store.listReports()).map((r) => r.reportId)).toEqual(['new']);
      // The dry run left no trace; the prune is in the audit log.
      const audit = await new Accounts(store.db).listAudit({ limit: 10, offset: 0 });
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({
        action: 'prune',
        detail: {
          by: 'sumi prune',
          policy: { reportsDays: 30, failureReportsDays: 30, quarantineDays: null },
          deleted: expect.objectContaining({ aggregateReports: 2, records: 5 }),
        },
      });
    } finally {
      await store.close();
    }
    const again = await sumi(['prune', '--reports', '30', '--quarantine', '7', '--json', '--db', db]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({
      dry_run: false,
      before: {
        reports: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        failure_reports: null,
        quarantine: expect.stringMatching(/Z$/),
      },
      aggregate_reports: 0,
      records: 0,
      messages: 0,
      tls_reports: 0,
      failure_reports: 0,
      quarantined: 0,
    });
  });

  it('one report is said as one', async () => {
    await ingestAged();
    const one = await sumi(['prune', '--reports', '1', '--db', db]);
    expect(one.stdout).toBe('Deleted 3 aggregate reports (7 records, 12 messages), 0 SMTP TLS reports.\n');
    await writeFile(
      path.join(dir, 'x.xml'),
      aggregateXml({ reportId: 'x', begin: 1_700_000_000, records: 1 }),
    );
    await sumi(['ingest', path.join(dir, 'x.xml'), '--db', db]);
    const single = await sumi(['prune', '--reports', '1', '--db', db]);
    expect(single.stdout).toBe('Deleted 1 aggregate report (1 record, 1 message), 0 SMTP TLS reports.\n');
  });

  it('exits 2 when told nothing to delete or a number of days that is not one (en, ja)', async () => {
    const none = await sumi(['prune', '--db', db]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/give what to delete: --reports, --failure-reports or --quarantine/);
    for (const days of ['0', '1.5', 'thirty', '1000000']) {
      const bad = await sumi(['prune', '--reports', days, '--db', db]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain(`--reports ${days}: give a number of days`);
    }
    // A store that is not there is not made (a mistyped path would be pruned of nothing).
    const typo = path.join(dir, 'sumi-typo.db');
    const missing = await sumi(['prune', '--reports', '30', '--db', typo]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`no store at ${typo}: name the store with --db`);
    expect(existsSync(typo)).toBe(false);
    const ja = await sumi(['--lang', 'ja', 'prune', '--quarantine', '0', '--db', db]);
    expect(ja.code).toBe(2);
    expect(ja.stderr).toContain('--quarantine 0: 日数を 1 から 999999 までの整数で指定してください');
  });
});

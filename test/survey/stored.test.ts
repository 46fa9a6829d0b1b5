import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Zone } from '../../src/dns/zone.ts';
import { ZoneServer } from '../../src/dns/zone-server.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import {
  createScan,
  type DomainMeasurement,
  findScan,
  type InputLine,
  RESULT_BATCH,
  ScanResultWriter,
  type StoredScanOptions,
  type SurveyReport,
  type SurveyTrend,
  storedReport,
  surveyTrend,
  unmeasuredLines,
} from '../../src/survey/index.ts';
import { sumi } from '../helpers/cli.ts';
import { engines, engineTitle } from '../store/helpers.ts';
import { buildFixture, type Fixture, surveyOver } from './fixture.ts';

/**
 * Stored scans on SQLite and PostgreSQL: a scan killed part way (a real `sumi survey` process,
 * SIGKILL) and resumed gives the figures of an uninterrupted run; resuming skips measured
 * domains and asks unmeasured ones again; later scans of a list give trends.
 */
const BIN = path.resolve(import.meta.dirname, '../../bin/sumi.js');
let fixture: Fixture;
let server: ZoneServer;
let dir: string;
let list: string;
let uninterrupted: SurveyReport;
/** The flags every stored run here uses: the same method as the uninterrupted run. */
let scanFlags: string[];

beforeAll(async () => {
  fixture = buildFixture();
  server = await ZoneServer.start(fixture.zone);
  dir = mkdtempSync(path.join(tmpdir(), 'sumi-stored-test-'));
  list = path.join(dir, 'list.txt');
  const text = `${fixture.domains.map((d) => d.domain).join('\n')}\n`;
  writeFileSync(list, text);
  scanFlags = [
    '--categories',
    'jp',
    '--resolver',
    server.address,
    '--qps',
    '0',
    '--concurrency',
    '16',
    '--timeout',
    '1000',
    '--retry-delay',
    '1',
  ];
  uninterrupted = await surveyOver(server.address, text);
}, 120_000);

afterAll(async () => {
  await server?.close();
  for (const engine of engines) await engine.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function storedRows(location: string): Promise<number> {
  const store = await openStore(location);
  try {
    const row = await store.db
      .selectFrom('survey_results')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  } catch {
    return 0;
  } finally {
    await store.close();
  }
}

const OPTIONS: StoredScanOptions = {
  categories: 'list',
  organisationRule: 'any',
  resolverLabel: 'test',
  timeoutMs: 1000,
  qps: 0,
  concurrency: 4,
  retryPasses: 0,
  retryDelayMs: 0,
};

function measurement(domain: string, measured: boolean): DomainMeasurement {
  return {
    domain,
    category: 'all',
    measured,
    questions: [{ name: domain, type: 'TXT', status: measured ? 'ok' : 'servfail' }],
    passes: 1,
    spf: { records: 0, valid: false },
    dmarc: { records: 0, applies: false },
    mx: 'none',
    bimi: false,
    mtaSts: false,
    tlsRpt: false,
  };
}

async function* lines(domains: string[]): AsyncGenerator<InputLine> {
  for (const [i, domain] of domains.entries()) yield { line: i + 1, item: { domain } };
  yield { line: domains.length + 1, invalid: 'not a domain' };
}

describe.each(engines)('stored survey scans $name', (engine) => {
  describe.skipIf(engine.skip !== undefined)(engineTitle(engine), () => {
    it('resumes a scan killed part way, with the figures of an uninterrupted run', async () => {
      const location = await engine.location();
      // Migrated first, so that polling it below never races the child's migration.
      await (await openStore(location)).close();
      const child = spawn(
        process.execPath,
        [BIN, 'survey', list, '--db', location, '--name', 'killed', ...scanFlags, '--json'],
        { env: { ...process.env, LANG: 'en_US.UTF-8' }, stdio: 'ignore' },
      );
      const exited = once(child, 'exit');
      const deadline = Date.now() + 60_000;
      // At least two batches written: stopped mid-scan, not before it began.
      let before = await storedRows(location);
      while (before < 2 * RESULT_BATCH) {
        if (Date.now() > deadline || child.exitCode !== null)
          throw new Error('the scan never wrote two batches');
        await new Promise((resolve) => setTimeout(resolve, 50));
        before = await storedRows(location);
      }
      child.kill('SIGKILL');
      await exited;
      const kept = await storedRows(location);
      expect(kept).toBeGreaterThanOrEqual(before);
      expect(kept).toBeLessThan(fixture.domains.length);

      const resumed = await sumi(['survey', '--resume', 'killed', '--db', location, '--json']);
      expect(resumed.code, resumed.stderr).toBe(0);
      const report = JSON.parse(resumed.stdout) as SurveyReport;
      expect(report.categories).toEqual(uninterrupted.categories);
      expect(report.total).toEqual(uninterrupted.total);
      expect(report.unmeasured).toBe(uninterrupted.unmeasured);
      expect(report.method.input).toEqual(uninterrupted.method.input);
      expect(report.method.retries).toEqual(uninterrupted.method.retries);
      expect(await storedRows(location)).toBe(fixture.domains.length);
      expect(resumed.stderr).toMatch(/resuming scan "killed": \d+ domains already measured are skipped/);

      // The same figures again from the store alone, and a finished scan is not resumed.
      const shown = await sumi(['survey', 'show', 'killed', '--db', location, '--json']);
      expect(JSON.parse(shown.stdout).categories).toEqual(uninterrupted.categories);
      const again = await sumi(['survey', '--resume', 'killed', '--db', location]);
      expect(again.code).toBe(2);
      expect(again.stderr).toContain('is finished');
    }, 120_000);

    it('skips measured domains, asks unmeasured and unknown ones again, and keeps one row per domain', async () => {
      const store: Store = await openStore(await engine.location());
      try {
        const scan = await createScan(store, { name: 'partial', list: 'list.txt', options: OPTIONS });
        const writer = new ScanResultWriter(store, scan.id, 2);
        await writer.add(measurement('a.example', true));
        await writer.add(measurement('b.example', false));
        await writer.add(measurement('c.example', true));
        await writer.add(measurement('a.example', true));
        await writer.flush();
        let skipped = 0;
        const left: InputLine[] = [];
        for await (const line of unmeasuredLines(
          store,
          scan.id,
          lines(['a.example', 'b.example', 'c.example', 'd.example']),
          (n) => {
            skipped += n;
          },
          3,
        ))
          left.push(line);
        expect(skipped).toBe(2);
        expect(left.map((l) => ('item' in l ? l.item.domain : l.invalid))).toEqual([
          'b.example',
          'd.example',
          'not a domain',
        ]);
        // b measured now: its row is replaced, not added.
        await writer.add(measurement('b.example', true));
        await writer.flush();
        const report = await storedReport(store, scan);
        expect(report.total).toMatchObject({ domains: 3, measured: 3 });
        expect(report.unmeasured).toBe(0);
        await expect(createScan(store, { name: 'partial', list: 'x', options: OPTIONS })).rejects.toThrow(
          'exists already',
        );
      } finally {
        await store.close();
      }
    });

    it('reads masks stored in an older flag order, and a category one scan lacks', async () => {
      const store: Store = await openStore(await engine.location());
      try {
        const scan = await createScan(store, { name: 'old', list: 'list.txt', options: OPTIONS });
        // A scan stored when the flags were fewer and in another order: bit 0 dmarc, bit 1 spf, bit 2 gone.
        await store.db
          .updateTable('survey_scans')
          .set({ flag_names: JSON.stringify(['dmarc', 'spf', 'retired']) })
          .where('id', '=', scan.id)
          .execute();
        const row = { scan_id: scan.id, category: 'a', organisation: null, measured: 1, passes: 1 };
        await store.db
          .insertInto('survey_results')
          .values([
            { ...row, domain: 'x.example', flags: 0b111, policy_domain: null, answers: '', measured_at: 0 },
            { ...row, domain: 'y.example', flags: 0b010, policy_domain: null, answers: '', measured_at: 0 },
          ])
          .execute();
        const report = await storedReport(store, (await findScan(store, 'old'))!);
        expect(report.total).toMatchObject({ domains: 2, measured: 2, spf: 2, dmarc: 1, spfPresent: 0 });

        const other = await createScan(store, { name: 'new', list: 'list.txt', options: OPTIONS });
        const writer = new ScanResultWriter(store, other.id);
        await writer.add({ ...measurement('z.example', true), category: 'b' });
        await writer.flush();
        const trend = await surveyTrend(store, ['old', 'new']);
        expect(trend.categories.map((c) => c.name)).toEqual(['a', 'b', '*']);
        expect(trend.categories[0]!.series.map((p) => p.metrics?.domains ?? null)).toEqual([2, null]);
        // A category only one scan has: its share, and no change to speak of.
        expect(trend.categories[0]!.changes.spf).toEqual({ from: 1, to: 1, points: null });
        expect(trend.categories[2]!.changes.spf).toEqual({ from: 1, to: 0, points: -100 });
      } finally {
        await store.close();
      }
    });

    it('gives trends across scans of the same list', async () => {
      const before = `
$ORIGIN a.co.jp.
@        TXT "v=spf1 -all"
_dmarc   TXT "v=DMARC1; p=none"
$ORIGIN b.co.jp.
@        TXT "v=spf1 ~all"
$ORIGIN c.ac.jp.
@        TXT "v=spf1 -all"
`;
      // A year later b.co.jp publishes a DMARC policy.
      const after = `${before}$ORIGIN b.co.jp.\n_dmarc TXT "v=DMARC1; p=quarantine"\n`;
      const servers = [await ZoneServer.start(Zone.parse(before)), await ZoneServer.start(Zone.parse(after))];
      try {
        const location = await engine.location();
        const trendList = path.join(dir, `trend-${engine.name}.txt`);
        writeFileSync(trendList, 'a.co.jp\nb.co.jp\nc.ac.jp\n');
        const scan = (name: string, server: ZoneServer) =>
          sumi([
            'survey',
            trendList,
            '--db',
            location,
            '--name',
            name,
            '--categories',
            'jp',
            '--resolver',
            server.address,
            '--retry-delay',
            '1',
            '--json',
          ]);
        expect((await scan('2025', servers[0]!)).code).toBe(0);
        expect((await scan('2026', servers[1]!)).code).toBe(0);

        const run = await sumi(['survey', 'trend', '2025', '2026', '--db', location, '--json']);
        expect(run.code, run.stderr).toBe(0);
        const trend = JSON.parse(run.stdout) as SurveyTrend;
        expect(trend.scans.map((s) => s.name)).toEqual(['2025', '2026']);
        expect(trend.categories.map((c) => c.name)).toEqual(['co.jp', 'ac.jp', '*']);
        const co = trend.categories[0]!;
        expect(co.series.map((p) => p.metrics?.domains)).toEqual([2, 2]);
        expect(co.series[0]!.metrics?.dmarc).toBe(1);
        expect(co.series[1]!.metrics?.policy.quarantine).toBe(1);
        expect(co.changes.spf).toEqual({ from: 1, to: 1, points: 0 });
        expect(co.changes['policy.quarantine']).toEqual({ from: 0, to: 0.5, points: 50 });

        const store = await openStore(location);
        try {
          expect(await surveyTrend(store, ['2025', '2026'])).toEqual(trend);
          await expect(surveyTrend(store, ['2025', 'missing'])).rejects.toThrow('no scan named "missing"');
        } finally {
          await store.close();
        }
        const table = await sumi(['survey', 'trend', '2025', '2026', '--db', location]);
        expect(table.stdout).toContain('change (pt)');
        expect(table.stdout).toMatch(/co\.jp\s+2025\s+2/);
      } finally {
        for (const server of servers) await server.close();
      }
    }, 60_000);
  });
});

describe('stored scan flags', () => {
  it('refuses flags that do not go together, unknown scans and a missing list, with exit code 2', async () => {
    const db = path.join(dir, 'flags.db');
    const both = await sumi(['survey', list, '--db', db, '--resume', 'x', '--name', 'y']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--resume names the scan to continue');
    const noFile = await sumi(['survey', '--db', db]);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain('name the domain list');
    const unknown = await sumi(['survey', '--resume', 'nothing', '--db', db]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no scan named "nothing"');
    const perDomain = await sumi(['survey', list, '--queue', 'redis://127.0.0.1:1', '--per-domain', 'x.csv']);
    expect(perDomain.code).toBe(2);
    const detach = await sumi(['survey', list, '--detach']);
    expect(detach.code).toBe(2);
    expect(detach.stderr).toContain('--detach is for --queue');
    const trend = await sumi(['survey', 'trend', 'a', '--db', db]);
    expect(trend.code).toBe(2);
    expect(trend.stderr).toContain('no scan named "a"');
  });

  it('fails with exit code 1 and the address when the queue cannot be reached', async () => {
    const run = await sumi([
      'survey',
      list,
      '--queue',
      'redis://127.0.0.1:1',
      '--db',
      path.join(dir, 'q.db'),
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('redis://127.0.0.1:1');
  });

  it('reads a stored scan in Japanese too', async () => {
    const run = await sumi(['survey', 'trend', 'x', '--db', path.join(dir, 'flags.db')], {
      LANG: 'ja_JP.UTF-8',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('ストアにスキャン「x」がありません');
  });
});

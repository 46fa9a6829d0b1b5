/** The analysis commands end to end on the fixture store (SQLite): JSON, en/ja tables, exit codes. */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.ts';
import { sumi } from '../helpers/cli.ts';
import { loadFixture } from './fixture.ts';
import { writeMmdb } from './mmdb-writer.ts';

let dir: string;
let db: string;
const period = ['--since', '2025-01-01', '--until', '2025-01-03'];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sumi-analysis-cli-'));
  db = path.join(dir, 'sumi.db');
  const store = await openStore(db);
  try {
    await loadFixture(store);
  } finally {
    await store.close();
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('analysis commands', () => {
  it('simulate --json prints the issue’s document', async () => {
    const run = await sumi(['simulate', 'example.jp', '--policy', 'reject', '--db', db, '--json', ...period]);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(Object.keys(doc)).toEqual([
      'domain',
      'policy',
      'since',
      'messages',
      'dmarc_pass',
      'dmarc_fail',
      'would_quarantine',
      'would_reject',
      'legitimate_at_risk',
      'unauthorised_blocked',
      'senders',
    ]);
    expect(doc).toMatchObject({ messages: 310, dmarc_fail: 53, would_reject: 49, legitimate_at_risk: 29 });
    expect(Object.keys(doc.senders[0])).toEqual([
      'ip',
      'name',
      'class',
      'messages',
      'would_fail',
      'reason',
      'fix',
    ]);
  });

  it('simulate in Japanese, and its usage errors', async () => {
    const ja = await sumi([
      'simulate',
      'example.jp',
      '--policy',
      'quarantine',
      '--sp',
      'none',
      '--db',
      db,
      '--lang',
      'ja',
      ...period,
    ]);
    expect(ja.code).toBe(0);
    expect(ja.stdout).toContain('p=quarantine; sp=none の場合: 310 通中 53 通が DMARC 不合格');
    expect(ja.stdout).toContain('既知サービス（未設定）');
    const bad = await sumi(['simulate', 'example.jp', '--policy', 'block', '--db', db]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--policy block');
    const since = await sumi([
      'simulate',
      'example.jp',
      '--policy',
      'reject',
      '--db',
      db,
      '--since',
      'yesterday',
    ]);
    expect(since.code).toBe(2);
    expect(since.stderr).toContain('yesterday');
  });

  it("sources and simulate take the owner's IP database (--mmdb, or $SUMI_MMDB) for ASN and country", async () => {
    const mmdb = path.join(dir, 'asn.mmdb');
    writeFileSync(
      mmdb,
      writeMmdb([
        {
          cidr: '203.0.113.0/24',
          data: {
            autonomous_system_number: 64500,
            autonomous_system_organization: 'Example Net',
            country: { iso_code: 'JP' },
          },
        },
      ]),
    );
    const byFlag = await sumi(['sources', 'example.jp', '--db', db, '--json', '--mmdb', mmdb, ...period]);
    expect(byFlag.code).toBe(0);
    const senders = JSON.parse(byFlag.stdout).senders as {
      ip: string;
      asn: number | null;
      country: string | null;
    }[];
    expect(senders.find((s) => s.ip === '203.0.113.5')).toMatchObject({ asn: 64500, country: 'JP' });
    expect(senders.find((s) => s.ip === '192.0.2.1')).toMatchObject({ asn: null, country: null });
    const byEnv = await sumi(
      ['simulate', 'example.jp', '--policy', 'reject', '--db', db, '--json', ...period],
      {
        SUMI_MMDB: mmdb,
      },
    );
    expect(byEnv.code).toBe(0);
    const simulated = JSON.parse(byEnv.stdout).senders as { ip: string }[];
    expect(simulated.length).toBeGreaterThan(0);
    const bad = await sumi([
      'sources',
      'example.jp',
      '--db',
      db,
      '--mmdb',
      path.join(dir, 'missing.mmdb'),
      ...period,
    ]);
    expect(bad.code).toBe(2);
  });

  it('summary, sources, subdomains, reporters print tables and JSON', async () => {
    const summary = await sumi(['summary', 'example.jp', '--db', db, ...period]);
    expect(summary.code).toBe(0);
    expect(summary.stdout).toMatch(/Messages\s+310/);
    expect(summary.stdout).toContain('2025-01-03  p=quarantine; sp=none; pct=50  (1/1)  <- changed');
    const sources = await sumi(['senders', 'example.jp', '--db', db, '--json', ...period]);
    expect(JSON.parse(sources.stdout).senders.map((s: { ip: string }) => s.ip)).toEqual([
      '192.0.2.1',
      '198.51.100.10',
      '203.0.113.66',
      '203.0.113.5',
    ]);
    const table = await sumi(['sources', 'example.jp', '--db', db, ...period]);
    expect(table.stdout).toMatch(
      /198\.51\.100\.10\s+Twilio SendGrid\s+known service, not set up\s+26\s+0\.0%/,
    );
    expect(table.stdout).toContain('fix: Set up a custom DKIM domain in Twilio SendGrid');
    const subs = await sumi(['subdomains', 'example.jp', '--db', db, ...period]);
    expect(subs.stdout).toMatch(
      /shop\.example\.jp\s+12\s+1\s+2025-01-02\s+2025-01-02\s+no\s+yes \(reports\)/,
    );
    const rep = await sumi([
      'reporters',
      'example.jp',
      '--db',
      db,
      '--since',
      '2025-01-01',
      '--until',
      '2025-01-04',
    ]);
    expect(rep.stdout).toMatch(/Yahoo\s+1\s+60\s+19\.4%.*stopped\? silent 3 days/);
  });

  it('senders mark and domains add/list/remove keep the owner’s word', async () => {
    const mark = await sumi([
      'senders',
      'mark',
      'example.jp',
      '203.0.113.66',
      '--as',
      'forwarder',
      '--note',
      'list server',
      '--db',
      db,
    ]);
    expect(mark.code).toBe(0);
    expect(mark.stdout).toBe('marked 203.0.113.66 of example.jp as forwarder\n');
    const after = await sumi(['sources', 'example.jp', '--db', db, '--json', ...period]);
    const marked = JSON.parse(after.stdout).senders.find((s: { ip: string }) => s.ip === '203.0.113.66');
    expect(marked).toMatchObject({ class: 'forwarder', classBasis: 'mark', mark: { note: 'list server' } });
    expect((await sumi(['senders', 'unmark', 'example.jp', '203.0.113.66', '--db', db])).code).toBe(0);
    expect(
      (await sumi(['senders', 'mark', 'example.jp', '203.0.113.66', '--as', 'friend', '--db', db])).code,
    ).toBe(2);
    expect(
      (await sumi(['senders', 'mark', 'example.jp', 'not-an-ip', '--as', 'suspicious', '--db', db])).code,
    ).toBe(2);

    expect((await sumi(['domains', 'add', 'News.Example.JP', '--db', db])).stdout).toBe(
      'added news.example.jp\n',
    );
    const list = await sumi(['domains', 'list', '--db', db, '--json']);
    expect(JSON.parse(list.stdout).domains.map((d: { domain: string }) => d.domain)).toEqual([
      'news.example.jp',
    ]);
    expect((await sumi(['domains', 'remove', 'news.example.jp', '--db', db])).stdout).toBe(
      'removed news.example.jp\n',
    );
    expect((await sumi(['domains', 'add', 'bad domain', '--db', db])).code).toBe(2);
    expect((await sumi(['domains', 'rename', '--db', db])).code).toBe(2);
  });

  it('domains overview: every domain with reports or in the inventory, its policy, volume, pass rate and next step', async () => {
    const own = path.join(dir, 'overview.db');
    const store = await openStore(own);
    try {
      await loadFixture(store);
    } finally {
      await store.close();
    }
    expect((await sumi(['domains', 'add', 'news.example.jp', '--db', own])).code).toBe(0);
    const run = await sumi(['domains', 'overview', '--db', own, ...period]);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n').map((line) => line.replace(/\s+/g, ' ').trim())).toEqual([
      '3 domains, 2025-01-01 to 2025-01-03 (UTC days)',
      '',
      'domain inventory policy messages DMARC pass next step',
      'example.jp no p=quarantine sp=none pct=50 310 82.9% fix senders',
      'news.example.jp yes - 0 - publish DMARC',
      'shop.example.jp no p=reject sp=reject 12 100.0% watch',
      '',
    ]);
    const json = JSON.parse((await sumi(['domains', 'overview', '--db', own, '--json', ...period])).stdout);
    expect(json).toMatchObject({ since: '2025-01-01', until: '2025-01-03' });
    expect(json.domains.map((d: { domain: string }) => d.domain)).toEqual([
      'example.jp',
      'news.example.jp',
      'shop.example.jp',
    ]);
    expect(json.domains[0]).toMatchObject({
      policy: { p: 'quarantine', sp: 'none', pct: 50 },
      messages: 310,
      inventory: false,
      next: {
        code: 'fix-senders',
        text: 'Legitimate mail still fails: fix the failing senders before enforcing.',
      },
    });
    expect(json.domains[0].trend).toHaveLength(3);
    expect(json.domains[0].trend.reduce((n: number, d: { messages: number }) => n + d.messages, 0)).toBe(310);
    // The days with mail only: a window of decades over a domain without mail is no longer 0s.
    const decades = JSON.parse(
      (
        await sumi([
          'domains',
          'overview',
          '--db',
          own,
          '--json',
          '--since',
          '1990-01-01',
          '--until',
          '2025-01-03',
        ])
      ).stdout,
    );
    expect(decades.domains[0].trend).toEqual(json.domains[0].trend);
    expect(decades.domains[1]).toMatchObject({ domain: 'news.example.jp', trend: [] });
    const ja = await sumi(['--lang', 'ja', 'domains', 'overview', '--db', own, ...period]);
    expect(ja.stdout).toContain('3 ドメイン、2025-01-01 から 2025-01-03（UTC の日）');
    expect(ja.stdout).toMatch(/shop\.example\.jp\s+なし\s+p=reject sp=reject\s+12\s+100\.0%\s+監視を継続/);
    const empty = path.join(dir, 'empty.db');
    await (await openStore(empty)).close();
    expect((await sumi(['domains', 'overview', '--db', empty])).stdout).toMatch(
      /^0 domains, .*\n\nNo reports and no domains in the inventory/,
    );
    const misplaced = await sumi(['domains', 'list', '--db', own, '--since', '3d']);
    expect(misplaced).toMatchObject({
      code: 2,
      stderr: 'error: --since and --until are for domains overview\n',
    });
  });

  it('a store that is not there is refused by what reads it, not made empty; what records the owner’s word makes it', async () => {
    // A mistyped --db (or SUMI_DB) must not be an empty store answered from as if no mail came.
    const typo = path.join(dir, 'typo', 'sumi.db');
    const reading = [
      ['summary', 'example.jp'],
      ['sources', 'example.jp'],
      ['simulate', 'example.jp', '--policy', 'reject'],
      ['subdomains', 'example.jp'],
      ['reporters', 'example.jp'],
      ['history', 'example.jp'],
      ['failures', 'example.jp'],
      ['plan', 'example.jp'],
      ['domains', 'list'],
      ['domains', 'remove', 'example.jp'],
      ['senders', 'unmark', 'example.jp', '192.0.2.1'],
      ['quarantine', 'list'],
      ['resolve-ips', '--domain', 'example.jp'],
      ['prune', '--reports', '30'],
      ['user', 'list'],
      ['survey', 'show', 'jp-2026'],
    ];
    for (const args of reading) {
      const run = await sumi([...args, '--db', typo]);
      expect({ args, code: run.code, stderr: run.stderr }).toEqual({
        args,
        code: 2,
        stderr: `error: no store at ${typo}: name the store with --db (or SUMI_DB); sumi ingest makes one as it stores reports\n`,
      });
    }
    expect(existsSync(path.dirname(typo))).toBe(false);
    const viaEnv = await sumi(['--lang', 'ja', 'summary', 'example.jp'], { SUMI_DB: typo });
    expect(viaEnv.code).toBe(2);
    expect(viaEnv.stderr).toContain(`${typo} にストアがありません`);

    const domains = path.join(dir, 'inventory-first', 'sumi.db');
    expect((await sumi(['domains', 'add', 'example.jp', '--db', domains])).code).toBe(0);
    expect(existsSync(domains)).toBe(true);
    const marks = path.join(dir, 'marks-first.db');
    expect(
      (await sumi(['senders', 'mark', 'example.jp', '192.0.2.1', '--as', 'authorised', '--db', marks])).code,
    ).toBe(0);
    expect(existsSync(marks)).toBe(true);
  });
});

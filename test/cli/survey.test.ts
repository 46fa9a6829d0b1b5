import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/output.ts';
import { registerSurvey } from '../../src/cli/survey.ts';
import { Zone } from '../../src/dns/zone.ts';
import { ZoneServer } from '../../src/dns/zone-server.ts';
import type { Lang } from '../../src/i18n/lang.ts';
import { openStore } from '../../src/store/open.ts';
import { stallMeter } from '../helpers/event-loop.ts';
import { holdingWriteLock } from '../store/helpers.ts';

class Capture extends Writable {
  text = '';
  constructor(readonly isTTY = false) {
    super();
  }
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** Runs `sumi survey ARGS` in-process with the exit codes of the CLI (0, 1, 2). */
async function survey(args: string[], options: { lang?: Lang; stdin?: string; tty?: boolean } = {}) {
  const stdout = new Capture();
  const stderr = new Capture(options.tty ?? false);
  const ctx = {
    lang: options.lang ?? 'en',
    stdout,
    stderr,
    env: {},
    ...(options.stdin !== undefined ? { stdin: Readable.from([options.stdin]) } : {}),
  };
  const program = new Command('sumi').exitOverride().configureOutput({
    writeOut: (s) => stdout.write(s),
    writeErr: (s) => stderr.write(s),
  });
  registerSurvey(program, ctx);
  let code = 0;
  try {
    await program.parseAsync(['survey', ...args], { from: 'user' });
  } catch (error) {
    if (error instanceof UsageError) {
      stderr.write(`error: ${error.message}\n`);
      code = 2;
    } else if (error instanceof CommanderError) code = error.exitCode === 0 ? 0 : 2;
    else throw error;
  }
  return { code, stdout: stdout.text, stderr: stderr.text };
}

let server: ZoneServer;
let dir: string;
let list: string;
beforeAll(async () => {
  server = await ZoneServer.start(
    Zone.parse(`
$ORIGIN good.co.jp.
@        TXT "v=spf1 -all"
@        MX 10 mx
_dmarc   TXT "v=DMARC1; p=reject; rua=mailto:d@good.co.jp"
$ORIGIN mail.good.co.jp.
@        TXT "v=spf1 ~all"
$ORIGIN soft.ac.jp.
@        TXT "v=spf1 ~all"
_dmarc   TXT "v=DMARC1; p=none"
$ORIGIN broken.go.jp.
@        SERVFAIL TXT
$ORIGIN example.tokyo.jp.
@        MX 0 .
`),
  );
  dir = mkdtempSync(path.join(tmpdir(), 'sumi-survey-cli-'));
  list = path.join(dir, 'list.txt');
  writeFileSync(
    list,
    'good.co.jp\nmail.good.co.jp\nsoft.ac.jp\nbroken.go.jp\nexample.tokyo.jp\nnot a domain\n',
  );
});
afterAll(() => server.close());

const base = () => [
  ...['--resolver', server.address, '--timeout', '500', '--retries', '1', '--retry-delay', '5', '--qps', '0'],
];

describe('sumi survey', () => {
  it('--json prints one document with the method, per-category counts and the unmeasured count', async () => {
    const { code, stdout, stderr } = await survey([list, '--categories', 'jp', '--json', ...base()]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(Object.keys(report)).toEqual(['method', 'categories', 'total', 'unmeasured']);
    expect(report.unmeasured).toBe(1);
    expect(report.categories.map((c: { name: string }) => c.name)).toEqual([
      'co.jp',
      'ac.jp',
      'go.jp',
      'tokyo.jp',
    ]);
    const co = report.categories[0];
    expect(co).toMatchObject({
      name: 'co.jp',
      domains: 2,
      measured: 2,
      spf: 2,
      spfStrict: 1,
      dmarc: 2,
      dmarcInherited: 1,
      policy: { none: 0, quarantine: 0, reject: 2 },
    });
    expect(Object.keys(co).slice(0, 7)).toEqual([
      'name',
      'domains',
      'measured',
      'spf',
      'dmarc',
      'policy',
      'spfPresent',
    ]);
    expect(co.shares.spf).toMatchObject({ share: 1 });
    expect(report.categories[2]).toMatchObject({ name: 'go.jp', domains: 1, measured: 0 });
    expect(report.categories[3]).toMatchObject({ name: 'tokyo.jp', measured: 1, nullMx: 1, spf: 0 });
    expect(report.method.retries).toMatchObject({ passes: 1, firstDelayMs: 5, domainsRetried: 1 });
    expect(report.method).toMatchObject({
      categories: 'jp',
      resolver: server.address,
      input: { lines: 6, invalid: 1 },
    });
    expect(stderr).toContain('line 6: not a domain');
  });

  it('prints a table with the method, in English and Japanese', async () => {
    const en = await survey([list, '--categories', 'jp', ...base()]);
    expect(en.code).toBe(0);
    expect(en.stdout).toMatch(/co\.jp\s+2\s+2\s+100\.0%/);
    expect(en.stdout).toContain('could not be measured: 1');
    expect(en.stdout).toContain('Method:');
    const ja = await survey([list, '--categories', 'jp', ...base()], { lang: 'ja' });
    expect(ja.stdout).toContain('分類');
    expect(ja.stdout).toContain('測定できなかったドメイン: 1');
    expect(ja.stdout).toContain('測定方法');
  });

  it('--csv prints one row per category and a total; --per-domain writes one row per domain', async () => {
    const perDomain = path.join(dir, 'domains.csv');
    const { code, stdout } = await survey([
      list,
      '--categories',
      'tld',
      '--csv',
      '--per-domain',
      perDomain,
      ...base(),
    ]);
    expect(code).toBe(0);
    const rows = stdout.trim().split('\n');
    expect(rows[0]).toMatch(
      /^unit,category,domains,measured,measured_share,measured_low,measured_high,spf_present,/,
    );
    expect(rows.slice(1).map((r) => r.split(',').slice(0, 4).join(','))).toEqual([
      'domain,jp,5,4',
      'domain,*,5,4',
    ]);
    const domains = readFileSync(perDomain, 'utf8').trim().split('\n');
    expect(domains[0]).toMatch(/^domain,category,organisation,measured,failed_questions,/);
    expect(domains).toHaveLength(6);
    expect(domains.find((d) => d.startsWith('broken.go.jp'))).toContain('TXT broken.go.jp servfail');
    expect(domains.find((d) => d.startsWith('mail.good.co.jp'))).toContain('tree walk,good.co.jp,reject');
  });

  it('groups by a CSV mapping with organisations, any or all', async () => {
    const mapping = path.join(dir, 'map.csv');
    writeFileSync(
      mapping,
      'domain,category,organisation\ngood.co.jp,bank,Good\nsoft.ac.jp,university,Soft\nexample.tokyo.jp,bank,Good\n',
    );
    const any = JSON.parse((await survey([list, '--categories', mapping, '--json', ...base()])).stdout);
    const bank = any.categories.find((c: { name: string }) => c.name === 'bank');
    // good.co.jp, mail.good.co.jp (by its parent) and example.tokyo.jp: one organisation.
    expect(bank).toMatchObject({ domains: 3, measured: 3, spf: 2 });
    expect(bank.organisations).toMatchObject({ count: 1, measured: 1, spf: 1, dmarc: 1 });
    expect(any.categories.find((c: { name: string }) => c.name === 'other')).toMatchObject({ domains: 1 });
    const all = JSON.parse(
      (await survey([list, '--categories', mapping, '--org-rule', 'all', '--json', ...base()])).stdout,
    );
    expect(all.categories.find((c: { name: string }) => c.name === 'bank').organisations).toMatchObject({
      spf: 0,
      dmarc: 0,
    });
  });

  it('reads the list from stdin with "-", with category columns', async () => {
    const { code, stdout } = await survey(['-', '--json', ...base()], {
      stdin: 'domain,category\ngood.co.jp,A\nsoft.ac.jp,B\n',
    });
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.categories.map((c: { name: string; dmarc: number }) => [c.name, c.dmarc])).toEqual([
      ['A', 1],
      ['B', 1],
    ]);
  });

  it('shows progress on a terminal', async () => {
    const { stderr } = await survey([list, ...base()], { tty: true });
    expect(stderr).toContain('\r\x1b[K');
  });

  it('exits 2 on bad usage or a bad list', async () => {
    expect((await survey([path.join(dir, 'missing.txt'), ...base()])).code).toBe(2);
    expect((await survey([list, '--qps', '-1'])).code).toBe(2);
    expect((await survey([list, '--concurrency', '0'])).code).toBe(2);
    const empty = path.join(dir, 'empty.txt');
    writeFileSync(empty, '# nothing\n');
    expect((await survey([empty, ...base()])).code).toBe(2);
    const noCategories = path.join(dir, 'nocat.csv');
    writeFileSync(noCategories, 'good.co.jp\n');
    const r = await survey([list, '--categories', noCategories, ...base()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no line maps a domain to a category');
  });

  it("keeps its queries answered while another process holds a SQLite store's write lock, and stores the scan once it is free", async () => {
    const db = path.join(dir, 'locked.db');
    await (await openStore(db)).close();
    const free = await survey([list, '--db', db, '--name', 'free', '--json', ...base()]);
    // As `sumi ingest` storing a large report holds it.
    const { released } = await holdingWriteLock(
      db,
      1500,
      "insert into audit_log (at, action) values (1, 'other')",
    );
    const stalls = stallMeter();
    try {
      const locked = await survey([list, '--db', db, '--name', 'locked', '--json', ...base()]);
      expect(locked.code).toBe(0);
      // What it measured, as without the lock (no query timed out meanwhile).
      const { method: _, ...measured } = JSON.parse(locked.stdout);
      const { method: __, ...measuredFree } = JSON.parse(free.stdout);
      expect(measured).toEqual(measuredFree);
    } finally {
      stalls.stop();
    }
    await released;
    // Before: the event loop stood still in SQLite's busy handler while the scan's writes waited,
    // and DNS answers that came meanwhile were read after their queries' timers had fired.
    expect(stalls.longestMs).toBeLessThan(500);
  }, 30_000);

  it('stores no scan when its list or mapping cannot be read', async () => {
    const db = path.join(dir, 'refused.db');
    const missing = await survey([path.join(dir, 'missing.txt'), '--db', db, ...base()]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing\.txt: ENOENT/);
    const unmapped = await survey([list, '--categories', path.join(dir, 'nomap.csv'), '--db', db, ...base()]);
    expect(unmapped.code).toBe(2);
    const store = await openStore(db);
    try {
      expect(await store.db.selectFrom('survey_scans').select('name').execute()).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

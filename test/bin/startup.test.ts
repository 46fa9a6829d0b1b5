import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregateXml } from '../ingest/helpers/reports.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * What a command loads decides how soon it starts: the IMAP client (0.2 s), the PostgreSQL driver
 * (0.1 s) and the store (a third of `sumi check`'s start) are loaded only by the commands that use
 * them. A static import of one of them anywhere below a command brings it back unseen.
 */
describe('packages a command loads', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), 'sumi-loads-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const loaded = (...args: string[]): Set<string> => {
    const list = path.join(work, `loaded-${Math.random().toString(36).slice(2)}`);
    writeFileSync(list, '');
    execFileSync(
      process.execPath,
      ['--import', path.join(root, 'test/bin/loaded-packages.mjs'), path.join(root, 'bin/sumi.js'), ...args],
      { env: { ...process.env, SUMI_TEST_LOADED: list }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    return new Set(readFileSync(list, 'utf8').split('\n').filter(Boolean));
  };

  it('sumi ingest of files into SQLite loads neither the IMAP client nor the PostgreSQL driver', () => {
    const report = path.join(work, 'r.xml');
    writeFileSync(report, aggregateXml({ reportId: 'loads' }));
    for (const args of [
      ['ingest', '--help'],
      ['ingest', report, '--db', path.join(work, 'sumi.db')],
    ]) {
      const packages = loaded(...args);
      expect(packages.has('better-sqlite3') || args[1] === '--help', args.join(' ')).toBe(true);
      for (const heavy of ['imapflow', 'pg', 'pg-copy-streams'])
        expect(packages, args.join(' ')).not.toContain(heavy);
    }
  }, 60_000);

  it('sumi check without --store loads no store', () => {
    const packages = loaded('check', '--help');
    expect(packages).toContain('commander');
    for (const store of ['kysely', 'better-sqlite3', 'pg']) expect(packages).not.toContain(store);
  }, 60_000);
});

/**
 * dmarcts-report-parser (Debian package), the peer of the ingest benches: into MariaDB (root,
 * empty password, database `test`), its tables dropped first, configured by a file in a
 * working directory of its own (it reads its configuration from there).
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const DMARCTS = '/usr/sbin/dmarcts-report-parser';

export type DmarctsRun = { seconds: number; stored: number } | { skipped: string };

/**
 * Runs it with `args` and these configuration settings beside the database's. Asynchronous: an
 * IMAP relay it talks through may run in this process.
 */
export async function runDmarcts(args: string[], settings: Record<string, string> = {}): Promise<DmarctsRun> {
  if (!existsSync(DMARCTS))
    return { skipped: `${DMARCTS} not installed (apt-get install dmarcts-report-parser)` };
  const mysql = (sql: string) =>
    spawnSync('mysql', ['-uroot', '-N', '-B', 'test', '-e', sql], { encoding: 'utf8' });
  const probe = mysql('select 1');
  if (probe.status !== 0)
    return { skipped: `MariaDB not reachable as root to database test: ${probe.stderr.trim()}` };
  mysql('drop table if exists rptrecord; drop table if exists report;');
  const config = {
    dbtype: 'mysql',
    dbname: 'test',
    dbuser: 'root',
    dbpass: '',
    dbhost: 'localhost',
    dbport: '3306',
    debug: '0',
    delete_reports: '0',
    maxsize_xml: '50000',
    compress_xml: '0',
    imapreadfolder: 'INBOX',
    ...settings,
  };
  const dir = mkdtempSync(path.join(tmpdir(), 'sumi-bench-dmarcts-'));
  try {
    writeFileSync(
      path.join(dir, 'dmarcts-report-parser.conf'),
      `${Object.entries(config)
        .map(([name, value]) => `$${name} = '${value}';`)
        .join('\n')}\n1;\n`,
    );
    const started = performance.now();
    const failure = await new Promise<string | null>((resolve) =>
      execFile(DMARCTS, args, { cwd: dir, maxBuffer: 256 * 1024 * 1024 }, (error, _stdout, stderr) =>
        resolve(error ? `${error.message} ${String(stderr).slice(0, 500)}` : null),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    if (failure !== null) return { skipped: `dmarcts-report-parser failed: ${failure}` };
    return { seconds, stored: Number(mysql('select count(*) from report').stdout.trim()) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The store under real process death, on SQLite and PostgreSQL: a writer killed with SIGKILL
 * mid-report leaves only complete reports, and running the same inputs again completes the store
 * without duplicates; a bulk run killed between batches leaves its rollup sums to be folded
 * (SQLite: staged, folded by the next open) or compacted (PostgreSQL: appended, compacted by the
 * run that meets its reports again). Also two processes creating the same new store at once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.ts';
import { SOURCE_ROLLUP_KEY } from '../../src/store/rollup-key.ts';
import type { Store } from '../../src/store/types.ts';
import { engines, engineTitle, manyRecords, type TestEngine } from './helpers.ts';

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const REPORTS = 12;
const RECORDS = 4_000;
const MESSAGES_PER_REPORT = [...manyRecords(RECORDS)].reduce((sum, r) => sum + r.count, 0);

const dir = mkdtempSync(path.join(tmpdir(), 'sumi-store-crash-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const engine of engines) await engine.cleanup();
});

/** A new store's location: a file in this suite's folder, or a PostgreSQL URL with a schema of its own. */
const storeAt = (engine: TestEngine, name: string) =>
  engine.name === 'sqlite' ? Promise.resolve(path.join(dir, name)) : engine.location();

/** The messages source_rollup sums, read beside the store as it is on disk, without opening it. */
async function rollupMessagesAside(location: string): Promise<number | null> {
  const query = 'select sum(messages) as m from source_rollup';
  if (!location.startsWith('postgres://')) {
    const raw = new Database(location, { readonly: true });
    const row = raw.prepare(query).get() as { m: number | null };
    raw.close();
    return row.m;
  }
  const client = new pg.Client({ connectionString: location });
  await client.connect();
  const { rows } = await client.query(query).finally(() => client.end());
  return rows[0].m === null ? null : Number(rows[0].m);
}

function child(
  location: string,
  from: number,
  to: number,
  records: number,
  pauseAt?: number,
  bulk = false,
): { process: ChildProcess; lines: string[] } {
  const args = [location, from, to, records, ...(pauseAt === undefined ? [] : [pauseAt])].map(String);
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CRASH_BULK: bulk ? '1' : '0' },
  });
  const lines: string[] = [];
  let pending = '';
  proc.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    lines.push(...parts);
    proc.emit('line');
  });
  let stderr = '';
  proc.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  proc.on('exit', (code, signal) => {
    if (code !== 0 && signal === null) lines.push(`exit ${code}: ${stderr}`);
  });
  return { process: proc, lines };
}

/** Kills the child with SIGKILL once it printed `line`; fails should it exit before. */
async function killedAt(running: { process: ChildProcess; lines: string[] }, line: string): Promise<void> {
  await new Promise<void>((resolve) => {
    const check = () => {
      if (running.lines.includes(line)) {
        running.process.kill('SIGKILL');
        resolve();
      }
    };
    running.process.on('line', check);
    running.process.once('exit', () => resolve());
  });
  const killed = await exited(running.process);
  expect(killed.signal, running.lines.join('\n')).toBe('SIGKILL');
}

function exited(proc: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null)
      resolve({ code: proc.exitCode, signal: proc.signalCode });
    else proc.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/** Every stored report is whole: its records, their messages, and the rollup agree with it. */
async function expectOnlyCompleteReports(store: Store): Promise<number> {
  const reports = await store.db
    .selectFrom('reports')
    .select(['id', 'record_count', 'message_count'])
    .execute();
  const records = await sql<{ report_id: number; n: number; messages: number }>`
    select report_id, count(*) as n, sum(count) as messages from records group by report_id`.execute(
    store.db,
  );
  const byReport = new Map(records.rows.map((r) => [Number(r.report_id), r]));
  for (const report of reports) {
    expect(Number(report.record_count)).toBe(RECORDS);
    expect(Number(report.message_count)).toBe(MESSAGES_PER_REPORT);
    expect(Number(byReport.get(report.id)?.n)).toBe(RECORDS);
    expect(Number(byReport.get(report.id)?.messages)).toBe(MESSAGES_PER_REPORT);
  }
  expect(byReport.size).toBe(reports.length);
  const rollup = await sql<{
    messages: number | null;
  }>`select sum(messages) as messages from source_rollup`.execute(store.db);
  expect(Number(rollup.rows[0]?.messages ?? 0)).toBe(reports.length * MESSAGES_PER_REPORT);
  return reports.length;
}

for (const engine of engines) {
  describe.skipIf(engine.skip !== undefined)(`store across process crashes ${engineTitle(engine)}`, () => {
    it('keeps only complete reports after SIGKILL mid-run, and completes without duplicates on rerun', async () => {
      const location = await storeAt(engine, 'crash.db');
      // Report 5 stops halfway, its first rows written in its open transaction: kill it there.
      const first = child(location, 0, REPORTS, RECORDS, 5);
      await killedAt(first, 'halfway 5');

      const reopened = await openStore(location);
      const survived = await expectOnlyCompleteReports(reopened);
      expect(survived).toBe(5);
      await reopened.close();

      const rerun = child(location, 0, REPORTS, RECORDS);
      const done = await exited(rerun.process);
      expect(done.code, rerun.lines.join('\n')).toBe(0);
      expect(rerun.lines.filter((l) => l.startsWith('duplicate '))).toHaveLength(survived);
      expect(rerun.lines.filter((l) => l.startsWith('stored '))).toHaveLength(REPORTS - survived);

      const final = await openStore(location);
      expect(await expectOnlyCompleteReports(final)).toBe(REPORTS);
      expect(await final.countReports()).toMatchObject({ reports: REPORTS, records: REPORTS * RECORDS });
      await final.close();
    }, 180_000);

    it('keeps the rollup sums of a bulk ingest killed between batches, and the rerun leaves each key once', async () => {
      const location = await storeAt(engine, 'bulk.db');
      const perReport = [...manyRecords(1_000)].reduce((sum, r) => sum + r.count, 0);
      // Killed after report 3 is committed: on SQLite its batch's sums wait in rollup_pending; on
      // PostgreSQL they are appended to source_rollup, the run's end never compacting them.
      const first = child(location, 0, REPORTS, 1_000, 3, true);
      await killedAt(first, 'stored 3');
      if (engine.name === 'sqlite') {
        const raw = new Database(location, { readonly: true });
        const staged = raw.prepare('select sum(messages) as m from rollup_pending').get() as {
          m: number | null;
        };
        raw.close();
        expect(staged.m).toBe(4 * perReport);
        expect(await rollupMessagesAside(location)).toBeNull();
      } else expect(await rollupMessagesAside(location)).toBe(4 * perReport);

      const reopened = await openStore(location);
      const rollup = await sql<{
        messages: number;
      }>`select sum(messages) as messages from source_rollup`.execute(reopened.db);
      expect(Number(rollup.rows[0]?.messages)).toBe(4 * perReport);
      expect(await reopened.db.selectFrom('rollup_pending').select('id').execute()).toEqual([]);
      await reopened.close();

      // The same inputs again, to their end: reports 7 to 11 fall on the days of 0 to 4 (a day
      // per report, modulo 7) with the same keys, so each key's rows from both runs become one.
      const rerun = child(location, 0, REPORTS, 1_000, undefined, true);
      expect((await exited(rerun.process)).code, rerun.lines.join('\n')).toBe(0);
      expect(rerun.lines.filter((l) => l.startsWith('duplicate '))).toHaveLength(4);
      const final = await openStore(location);
      const all = await sql<{
        messages: number;
      }>`select sum(messages) as messages from source_rollup`.execute(final.db);
      expect(Number(all.rows[0]?.messages)).toBe(REPORTS * perReport);
      const key = sql.raw(SOURCE_ROLLUP_KEY.join(', '));
      const keys = await sql<{ rows: number; keys: number }>`
        select (select count(*) from source_rollup) as rows,
          (select count(*) from (select 1 from source_rollup group by ${key}) as k) as keys`.execute(
        final.db,
      );
      expect(Number(keys.rows[0]?.rows)).toBe(Number(keys.rows[0]?.keys));
      expect(Number(keys.rows[0]?.keys)).toBe(7 * 1_000);
      await final.close();
    }, 120_000);

    it('lets two processes create and write the same new store at once', async () => {
      const location = await storeAt(engine, 'two.db');
      const a = child(location, 0, 4, 2_000);
      const b = child(location, 4, 8, 2_000);
      const [ra, rb] = await Promise.all([exited(a.process), exited(b.process)]);
      expect(ra.code, a.lines.join('\n')).toBe(0);
      expect(rb.code, b.lines.join('\n')).toBe(0);
      const store = await openStore(location);
      expect(await store.countReports()).toMatchObject({ reports: 8, records: 16_000 });
      await store.close();
    }, 120_000);
  });
}

describe('store on sqlite across process crashes', () => {
  it('opens a store whose staged rollup sums cannot be folded now, leaving them staged', async () => {
    const file = path.join(dir, 'unfoldable.db');
    await (await openStore(file)).close();
    const raw = new Database(file);
    const key = SOURCE_ROLLUP_KEY.join(', ');
    raw.exec(
      `insert into rollup_pending (${key}, messages) values (${SOURCE_ROLLUP_KEY.map(() => "'x'").join(', ')}, 3)`,
    );
    raw.exec(
      `create trigger no_fold before insert on source_rollup begin select raise(abort, 'disk full'); end`,
    );
    raw.close();
    const store = await openStore(file);
    expect(await store.countReports()).toMatchObject({ reports: 0 });
    expect(await store.db.selectFrom('rollup_pending').select('messages').execute()).toEqual([
      { messages: 3 },
    ]);
    await store.close();
  });
});

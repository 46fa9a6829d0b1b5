import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DirectResolver, parseServers } from '../../src/dns/direct-resolver.ts';
import { ZoneServer } from '../../src/dns/zone-server.ts';
import { nextShardNumber, shardJobId, submitShards } from '../../src/jobs/survey.ts';
import { urlWithoutPassword } from '../../src/net/address.ts';
import { openStore } from '../../src/store/open.ts';
import { builtInCategoriser, readDomainList, runSurvey, type SurveyReport } from '../../src/survey/index.ts';
import type { StoredScan } from '../../src/survey/stored.ts';
import { sumi } from '../helpers/cli.ts';
import { until } from '../helpers/until.ts';
import { engines } from '../store/helpers.ts';
import { buildFixture, type Fixture, surveyOver } from '../survey/fixture.ts';
import { REDIS_URL, redisSkip } from './helpers.ts';

/**
 * A distributed scan for real: two `sumi worker` processes against the machine's Redis and
 * PostgreSQL, the submitter in this process, the zone fixture served by the zone server. One
 * worker is killed (SIGKILL) in the middle of a shard; its shard must go to the other worker
 * after the lock expires, every domain must be stored exactly once, and the figures must equal
 * a local scan's.
 */
const postgres = engines.find((e) => e.name === 'postgres')!;

const skip = (await redisSkip()) ?? (postgres.skip ? `PostgreSQL unreachable: ${postgres.skip}` : undefined);
if (skip) console.warn(`distributed survey test skipped: ${skip}`);

const BIN = path.resolve(import.meta.dirname, '../../bin/sumi.js');
const QUEUE_NAME = `sumi-test-${process.pid}-${Date.now()}`;
/** The queue of the test whose shard fails for good: its failed jobs stay out of the others' way. */
const FAILING_QUEUE_NAME = `${QUEUE_NAME}-failing`;
/** Short, so the killed worker's shard comes back within seconds. */
const LOCK_MS = 2_000;
const SHARD_SIZE = 200;

interface RunningWorker {
  child: ChildProcess;
  stderr: string;
  /** Shard numbers this worker started, in order. */
  started: number[];
  exited: Promise<unknown>;
}

function startWorker(db: string, queueName = QUEUE_NAME): RunningWorker {
  const child = spawn(
    process.execPath,
    [
      BIN,
      'worker',
      '--queue',
      REDIS_URL,
      '--queue-name',
      queueName,
      '--db',
      db,
      '--lock-duration',
      String(LOCK_MS),
      '--json',
    ],
    { env: { ...process.env, LANG: 'en_US.UTF-8' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const worker: RunningWorker = { child, stderr: '', started: [], exited: once(child, 'exit') };
  child.stderr!.on('data', (chunk: Buffer) => {
    worker.stderr += chunk.toString();
    worker.started = [...worker.stderr.matchAll(/shard (\d+): \d+ domains/g)].map((m) => Number(m[1]));
  });
  return worker;
}

describe.skipIf(skip !== undefined)(
  `sumi survey --queue with two sumi worker processes${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let fixture: Fixture;
    let server: ZoneServer;
    let dir: string;
    let db: string;

    /** `sumi survey LIST --queue ...` as these tests submit it: the fixture's resolver, no rate cap. */
    const queuedScan = (
      list: string,
      name: string,
      shardSize: number,
      extra: string[],
      queueName = QUEUE_NAME,
    ) => [
      ...['survey', list, '--queue', REDIS_URL, '--queue-name', queueName, '--db', db, '--name', name],
      ...['--categories', 'jp', '--resolver', server.address, '--qps', '0', '--concurrency', '16'],
      ...['--timeout', '1000', '--retry-delay', '1', '--shard-size', String(shardSize), ...extra],
    ];
    let local: SurveyReport;
    let workers: RunningWorker[] = [];

    beforeAll(async () => {
      fixture = buildFixture();
      server = await ZoneServer.start(fixture.zone);
      dir = mkdtempSync(path.join(tmpdir(), 'sumi-queue-test-'));
      writeFileSync(path.join(dir, 'list.txt'), `${fixture.domains.map((d) => d.domain).join('\n')}\n`);
      db = await postgres.location();
      // Migrated before the workers start, so they do not race to create the schema.
      await (await openStore(db)).close();
      local = await surveyOver(server.address, `${fixture.domains.map((d) => d.domain).join('\n')}\n`);
    }, 120_000);

    afterAll(async () => {
      for (const w of workers)
        if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
      const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
      for (const name of [QUEUE_NAME, FAILING_QUEUE_NAME]) {
        const queue = new Queue(name, { connection });
        await queue.obliterate({ force: true }).catch(() => {});
        await queue.close();
      }
      connection.disconnect();
      await server?.close();
      await postgres.cleanup();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('measures every domain exactly once when a worker is killed mid-shard, with the local figures', async () => {
      workers = [startWorker(db), startWorker(db)];
      const [doomed, survivor] = workers as [RunningWorker, RunningWorker];
      await until(
        'the workers start',
        () => workers.every((w) => w.stderr.includes('waiting for shards')),
        60_000,
      );

      const submitted = sumi(queuedScan(path.join(dir, 'list.txt'), 'distributed', SHARD_SIZE, ['--json']));

      // Killed once it is into its second shard: mid-run, holding a shard's lock.
      await until('the first worker starts its second shard', () => doomed.started.length >= 2, 60_000);
      const lostShard = doomed.started[doomed.started.length - 1]!;
      doomed.child.kill('SIGKILL');
      await doomed.exited;

      const run = await submitted;
      expect(run.code, run.stderr).toBe(0);
      const report = JSON.parse(run.stdout) as SurveyReport;
      expect(report.categories).toEqual(local.categories);
      expect(report.total).toEqual(local.total);
      expect(report.unmeasured).toBe(local.unmeasured);
      expect(report.total.domains).toBe(fixture.domains.length);

      const store = await openStore(db);
      try {
        const rows = await store.db
          .selectFrom('survey_results')
          .select((eb) => [
            eb.fn.countAll<number>().as('rows'),
            eb.fn.count<number>('domain').distinct().as('domains'),
          ])
          .executeTakeFirstOrThrow();
        expect(Number(rows.rows)).toBe(fixture.domains.length);
        expect(Number(rows.domains)).toBe(fixture.domains.length);
        const shards = await store.db.selectFrom('survey_shards').select(['shard', 'worker']).execute();
        expect(shards.length).toBe(Math.ceil(fixture.domains.length / SHARD_SIZE));
        // The shard the killed worker held was finished by the other one.
        const lost = shards.find((s) => s.shard === lostShard)!;
        expect(lost.worker).toContain(`:${survivor.child.pid}`);
        const scan = await store.db
          .selectFrom('survey_scans')
          .select(['status', 'shards'])
          .executeTakeFirstOrThrow();
        expect(scan).toEqual({ status: 'finished', shards: shards.length });
      } finally {
        await store.close();
      }
      expect(survivor.stderr).toContain(`shard ${lostShard}: `);

      survivor.child.kill('SIGTERM');
      const [code] = (await survivor.exited) as [number | null];
      expect(code).toBe(0);
    }, 180_000);

    it('returns at once with --detach; the scan is finished by the workers and shown from the store', async () => {
      const worker = startWorker(db);
      workers.push(worker);
      await until('the worker starts', () => worker.stderr.includes('waiting for shards'), 60_000);
      const subset = fixture.domains.slice(0, 300).map((d) => d.domain);
      const subsetList = path.join(dir, 'subset.txt');
      writeFileSync(subsetList, `${subset.join('\n')}\n`);
      const run = await sumi(queuedScan(subsetList, 'detached', 100, ['--detach', '--json']));
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({ scan: 'detached', shards: 3, domains: 300 });

      const store = await openStore(db);
      try {
        const finished = async () =>
          (
            await store.db
              .selectFrom('survey_scans')
              .select('status')
              .where('name', '=', 'detached')
              .executeTakeFirst()
          )?.status === 'finished';
        const deadline = Date.now() + 90_000;
        while (!(await finished())) {
          if (Date.now() > deadline) throw new Error('the detached scan never finished');
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      } finally {
        await store.close();
      }
      const shown = await sumi(['survey', 'show', 'detached', '--db', db, '--json']);
      expect(shown.code, shown.stderr).toBe(0);
      const report = JSON.parse(shown.stdout) as SurveyReport;
      const direct = new DirectResolver({
        servers: parseServers(server.address),
        timeoutMs: 1000,
        attempts: 2,
      });
      try {
        const expected = await runSurvey(readDomainList(Readable.from([`${subset.join('\n')}\n`])), {
          resolver: direct,
          resolverLabel: server.address,
          categories: 'jp',
          categoriser: builtInCategoriser('jp')!,
          qps: 0,
          concurrency: 16,
          retryDelayMs: 1,
        });
        expect(report.categories).toEqual(expected.categories);
        expect(report.unmeasured).toBe(expected.unmeasured);
      } finally {
        direct.close();
      }
      worker.child.kill('SIGTERM');
      await worker.exited;
    }, 180_000);

    it('numbers a resume past the shards still on the queue from their job ids alone, and past a job queued by an earlier version from its data', async () => {
      const name = `${QUEUE_NAME}-ids`;
      const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
      const queue = new Queue(name, { connection });
      const store = await openStore(db);
      try {
        const scan = {
          id: 990_001,
          name: 'ids',
          list: 'ids.txt',
          options: {},
          flagNames: [],
          status: 'running',
          lines: null,
          invalid: null,
          shards: null,
          startedAt: new Date(),
          finishedAt: null,
        } as unknown as StoredScan;
        const list = fixture.domains.slice(0, 50).map((d) => d.domain);
        // No worker: the 5 shards (3 to 7) wait on the queue.
        const submitted = await submitShards(queue, scan, readDomainList(Readable.from([list.join('\n')])), {
          shardSize: 10,
          firstShard: 3,
        });
        expect(submitted.shards).toBe(5);
        expect((await queue.getRanges(['waiting'], 0, -1)).sort()).toEqual(
          [3, 4, 5, 6, 7].map((n) => shardJobId(scan.id, n)).sort(),
        );
        // getJob would read a shard's domains: only the ids are read.
        const getJob = vi.spyOn(queue, 'getJob');
        expect(await nextShardNumber(store, queue, scan)).toBe(8);
        expect(getJob).not.toHaveBeenCalled();
        // A job numbered by the queue (as versions before shardJobId queued them), and another scan's.
        await queue.add('shard', { scanId: scan.id, shard: 11, items: [] });
        await queue.add(
          'shard',
          { scanId: scan.id + 1, shard: 40, items: [] },
          { jobId: shardJobId(scan.id + 1, 40) },
        );
        expect(await nextShardNumber(store, queue, scan)).toBe(12);
        expect(getJob).toHaveBeenCalledTimes(1);
      } finally {
        await store.close();
        await queue.obliterate({ force: true }).catch(() => {});
        await queue.close();
        connection.disconnect();
      }
    });

    it('numbers a resume past the shards of a submitter stopped while it queued them', async () => {
      const worker = startWorker(db);
      workers.push(worker);
      await until('the worker starts', () => worker.stderr.includes('waiting for shards'), 60_000);
      const list = path.join(dir, 'stopped.txt');
      const domains = fixture.domains.slice(0, 450).map((d) => d.domain);
      writeFileSync(list, `${domains.slice(0, 300).join('\n')}\n`);
      const run = await sumi(queuedScan(list, 'stopped', 100, ['--detach', '--json']));
      expect(run.code, run.stderr).toBe(0);
      const store = await openStore(db);
      try {
        const scan = () =>
          store.db
            .selectFrom('survey_scans')
            .select(['id', 'status'])
            .where('name', '=', 'stopped')
            .executeTakeFirstOrThrow();
        await until(
          'the workers finish its 3 shards',
          async () => (await scan()).status === 'finished',
          90_000,
        );
        // As a submitter stopped after queueing those 3 shards leaves it: no totals recorded, and
        // the rest of its list not yet read.
        const { id } = await scan();
        await store.db
          .updateTable('survey_scans')
          .set({ status: 'running', finished_at: null, shards: null, lines: null, invalid: null })
          .where('id', '=', id)
          .execute();
        writeFileSync(list, `${domains.join('\n')}\n`);
        const resumed = await sumi([
          ...['survey', '--resume', 'stopped', '--queue', REDIS_URL, '--queue-name', QUEUE_NAME],
          ...['--db', db, '--json'],
        ]);
        expect(resumed.code, resumed.stderr).toBe(0);
        // Numbered from 0 again, the 2 new shards were found done at once (shards 0 and 1 of the
        // first run), and the scan finished without their 150 domains.
        expect((JSON.parse(resumed.stdout) as SurveyReport).total.domains).toBe(450);
        const shards = await store.db
          .selectFrom('survey_shards')
          .select('shard')
          .where('scan_id', '=', id)
          .orderBy('shard')
          .execute();
        expect(shards.map((s) => s.shard)).toEqual([0, 1, 2, 3, 4]);
      } finally {
        await store.close();
      }
      worker.child.kill('SIGTERM');
      await worker.exited;
    }, 180_000);

    it('ends the wait in one line when a shard fails on every attempt; --resume then measures what is left', async () => {
      // A worker whose --db is not the submitter's fails every shard: the scan is not in its store.
      const elsewhere = path.join(dir, 'elsewhere.db');
      const wrong = startWorker(elsewhere, FAILING_QUEUE_NAME);
      workers.push(wrong);
      await until('the worker starts', () => wrong.stderr.includes('waiting for shards'), 60_000);
      const subset = fixture.domains.slice(0, 150).map((d) => d.domain);
      const subsetList = path.join(dir, 'failing.txt');
      writeFileSync(subsetList, `${subset.join('\n')}\n`);
      const failed = await sumi(queuedScan(subsetList, 'failing', 100, [], FAILING_QUEUE_NAME));
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(
        /error: scan "failing" is left unfinished: 2 shard\(s\) failed on every attempt \(shard \d: scan \d+ is not in the store .*; shard \d: .*\); once the cause is mended, `sumi survey --resume failing` measures what is left\n$/,
      );
      expect(failed.stderr).not.toMatch(/^\s+at /m);
      wrong.child.kill('SIGTERM');
      await wrong.exited;

      const right = startWorker(db, FAILING_QUEUE_NAME);
      workers.push(right);
      await until('the worker starts', () => right.stderr.includes('waiting for shards'), 60_000);
      const resumed = await sumi([
        ...['survey', '--resume', 'failing', '--queue', REDIS_URL, '--queue-name', FAILING_QUEUE_NAME],
        ...['--db', db, '--json'],
      ]);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect((JSON.parse(resumed.stdout) as SurveyReport).total.domains).toBe(subset.length);
      const store = await openStore(db);
      try {
        const scan = await store.db
          .selectFrom('survey_scans')
          .select(['id', 'status'])
          .where('name', '=', 'failing')
          .executeTakeFirstOrThrow();
        expect(scan.status).toBe('finished');
        const shards = await store.db
          .selectFrom('survey_shards')
          .select(['shard', 'worker'])
          .where('scan_id', '=', scan.id)
          .orderBy('shard')
          .execute();
        expect(shards.map((s) => s.worker.startsWith('superseded'))).toEqual([true, true, false, false]);
      } finally {
        await store.close();
      }
      right.child.kill('SIGTERM');
      await right.exited;
    }, 180_000);
  },
);

describe('a queue that is not there', () => {
  it('is said in one line, its password hidden, exit 1 (worker and survey)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sumi-queue-absent-'));
    try {
      const db = path.join(dir, 'sumi.db');
      const worker = await sumi(['worker', '--queue', 'redis://:s3cret@127.0.0.1:1', '--db', db]);
      expect(worker.code).toBe(1);
      expect(worker.stderr).toMatch(
        /^error: cannot reach the queue's Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1: .*ECONNREFUSED.*\n$/,
      );
      const list = path.join(dir, 'domains.txt');
      writeFileSync(list, 'example.jp\n');
      const survey = await sumi([
        '--lang',
        'ja',
        'survey',
        list,
        '--queue',
        'redis://127.0.0.1:1',
        '--db',
        db,
      ]);
      expect(survey.code).toBe(1);
      expect(survey.stderr).toMatch(
        /エラー: キューの Redis（redis:\/\/127\.0\.0\.1:1）に接続できません: .*ECONNREFUSED/,
      );
      // Nothing of the scan is made before the queue answers.
      expect(survey.stderr).not.toContain('スキャン「');
      const store = await openStore(db);
      try {
        expect(await store.db.selectFrom('survey_scans').select('name').execute()).toEqual([]);
      } finally {
        await store.close();
      }
      expect(urlWithoutPassword('rediss://user:p%40ss@redis.example.jp:6380/2')).toBe(
        'rediss://user:***@redis.example.jp:6380/2',
      );
      expect(urlWithoutPassword('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

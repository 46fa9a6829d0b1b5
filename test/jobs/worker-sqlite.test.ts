import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZoneServer } from '../../src/dns/zone-server.ts';
import { openStore } from '../../src/store/open.ts';
import type { SurveyReport } from '../../src/survey/index.ts';
import { sumi } from '../helpers/cli.ts';
import { stallMeter } from '../helpers/event-loop.ts';
import { until } from '../helpers/until.ts';
import { startSumi } from '../ingest/helpers/sumi.ts';
import { holdingWriteLock } from '../store/helpers.ts';
import { buildFixture, surveyOver } from '../survey/fixture.ts';
import { REDIS_URL, redisSkip } from './helpers.ts';

/**
 * `sumi worker` over a SQLite store another process holds locked, run in this process so that
 * its event loop is the test's: the shard's DNS answers and BullMQ's lock renewal wait on it.
 */
const skip = await redisSkip();
if (skip) console.warn(`sumi worker on SQLite test skipped: ${skip}`);

const QUEUE_NAME = `sumi-test-worker-sqlite-${process.pid}-${Date.now()}`;
const SHARD_SIZE = 200;

describe.skipIf(skip !== undefined)(
  `sumi worker on a SQLite store${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let server: ZoneServer;
    let dir: string;
    let db: string;
    let list: string;
    let local: SurveyReport;
    let connection: Redis;
    let queue: Queue;

    beforeAll(async () => {
      const fixture = buildFixture();
      server = await ZoneServer.start(fixture.zone);
      dir = mkdtempSync(path.join(tmpdir(), 'sumi-worker-sqlite-'));
      db = path.join(dir, 'sumi.db');
      // Migrated before the worker opens it.
      await (await openStore(db)).close();
      // No domain whose queries time out: the shards are measured in well under a second.
      const domains = fixture.domains
        .filter((d) => d.kind !== 'timeout')
        .slice(0, 2 * SHARD_SIZE)
        .map((d) => d.domain);
      list = path.join(dir, 'list.txt');
      writeFileSync(list, `${domains.join('\n')}\n`);
      local = await surveyOver(server.address, `${domains.join('\n')}\n`);
      connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
      queue = new Queue(QUEUE_NAME, { connection });
    }, 60_000);

    afterAll(async () => {
      await queue?.obliterate({ force: true }).catch(() => {});
      await queue?.close();
      connection?.disconnect();
      await server?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("keeps its shards' queries answered and its job locks renewed while another process holds the store's write lock", async () => {
      // The shortest job lock: a loop standing still longer loses the shard to the stalled-job check.
      const worker = startSumi([
        ...['worker', '--queue', REDIS_URL, '--queue-name', QUEUE_NAME, '--db', db],
        ...['--lock-duration', '1000', '--json'],
      ]);
      let stopped = false;
      try {
        await until('the worker waits for shards', () => worker.out.stderr.includes('waiting for shards'));
        // Queued while the worker may not take them, so that it takes them once the lock is held.
        await queue.pause();
        const submitted = await sumi([
          ...['survey', list, '--name', 'locked', '--db', db, '--detach', '--json', '--timeout', '1000'],
          ...['--queue', REDIS_URL, '--queue-name', QUEUE_NAME, '--shard-size', String(SHARD_SIZE)],
          ...['--categories', 'jp', '--resolver', server.address, '--qps', '0', '--concurrency', '16'],
          ...['--retry-delay', '1'],
        ]);
        expect(submitted.code, submitted.stderr).toBe(0);
        // As `sumi ingest` storing a large report holds it.
        const { released } = await holdingWriteLock(
          db,
          2_000,
          "insert into audit_log (at, action) values (1, 'other process')",
        );
        const stalls = stallMeter();
        try {
          await queue.resume();
          await until('the worker starts a shard', () => /shard \d+: \d+ domains/.test(worker.out.stderr));
          await released;
          await until(
            'the worker finishes both shards',
            () => worker.out.stderr.match(/ done: /g)?.length === 2,
          );
        } finally {
          stalls.stop();
        }
        // Opened without yieldWhenLocked, the loop stood still in SQLite's busy handler while the
        // shard's results waited for the lock: its DNS answers read late, its job lock unrenewed.
        expect(stalls.longestMs).toBeLessThan(500);
        process.emit('SIGINT');
        stopped = true;
        expect(await worker.code, worker.out.stderr).toBe(0);
        expect(JSON.parse(worker.out.stdout)).toEqual({ shards: 2, domains: 2 * SHARD_SIZE });
        // Each shard started once: none came back to the queue for a lock that expired.
        const started = [...worker.out.stderr.matchAll(/shard (\d+): \d+ domains/g)].map((m) => Number(m[1]));
        expect(started.sort()).toEqual([0, 1]);
      } finally {
        if (!stopped) {
          process.emit('SIGINT');
          await worker.code;
        }
      }
      const shown = await sumi(['survey', 'show', 'locked', '--db', db, '--json']);
      expect(shown.code, shown.stderr).toBe(0);
      const figures = ({ categories, total, unmeasured }: SurveyReport) => ({
        categories,
        total,
        unmeasured,
      });
      expect(figures(JSON.parse(shown.stdout))).toEqual(figures(local));
    }, 30_000);
  },
);

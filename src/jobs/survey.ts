/**
 * Distributed survey scans over BullMQ: the submitter splits a list into shards (jobs), any
 * number of workers measure them and write to the shared store, and the submitter waits for
 * every shard. A worker that stops (killed, machine gone) loses its lock; after the lock
 * duration another worker's stalled-job check puts the shard back, and the shard skips the
 * domains already stored as measured. Rows are keyed by scan and domain: a domain measured
 * twice is stored once.
 */
import { hostname } from 'node:os';
import { type Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';
import type { Resolver } from '../dns/types.ts';
import type { Lang } from '../i18n/lang.ts';
import { surveyText } from '../i18n/survey.ts';
import { translate } from '../i18n/translate.ts';
import { urlWithoutPassword } from '../net/address.ts';
import type { Store } from '../store/types.ts';
import {
  type Categoriser,
  findScanById,
  finishIfComplete,
  highestShard,
  type InputLine,
  measuredAmong,
  placeItem,
  recordInput,
  recordShard,
  ScanResultWriter,
  type ScanStats,
  type StoredScan,
  type StoredScanOptions,
  scanDomains,
  storedCounts,
  supersedeShards,
} from '../survey/index.ts';

/** The queue's name when none is given: every submitter and worker of a site shares it. */
export const SURVEY_QUEUE = 'sumi-survey';
/** Domains per shard: a lost shard costs little to measure again, and a list of millions stays a few thousand jobs. */
export const DEFAULT_SHARD_SIZE = 1_000;
/**
 * How long a worker's lock on a shard lasts without renewal (the worker renews it while it
 * runs): after it a stopped worker's shard goes back to the queue.
 */
export const DEFAULT_LOCK_DURATION_MS = 30_000;
/** A shard may be picked up again this often after its worker stopped before it counts as failed. */
export const MAX_STALLED = 3;
/** Attempts for a shard that fails with an error (the store unreachable, say). */
export const SHARD_ATTEMPTS = 3;
/** Results per write on a worker: a shard's domains go in a few statements. */
const WORKER_BATCH = 200;
/** Shards added to Redis per call. */
const ADD_BATCH = 100;
/** How long the first contact with Redis may take before the command gives up. */
const CONNECT_TIMEOUT_MS = 5_000;

const shardData = z.object({
  scanId: z.number().int(),
  shard: z.number().int().nonnegative(),
  /** [domain, category, organisation or null]: placed by the submitter, so workers need no mapping file. */
  items: z.array(z.tuple([z.string(), z.string(), z.string().nullable()])),
});
export type ShardData = z.infer<typeof shardData>;

/** Redis could not be reached or refused the connection: where (its password hidden) and why. */
export class QueueConnectionError extends Error {
  readonly url: string;
  readonly reason: string;
  constructor(url: string, reason: string) {
    const shown = urlWithoutPassword(url);
    super(`${shown}: ${reason}`);
    this.url = shown;
    this.reason = reason;
  }
}

/** A Redis connection as BullMQ needs it (no per-command retry limit), checked to answer. */
export async function connectQueue(url: string): Promise<Redis> {
  let redis: Redis;
  try {
    redis = new Redis(url, {
      maxRetriesPerRequest: null,
      lazyConnect: true,
      connectTimeout: CONNECT_TIMEOUT_MS,
      retryStrategy: (times) => Math.min(times * 200, 2_000),
    });
  } catch (error) {
    throw new QueueConnectionError(url, (error as Error).message);
  }
  // Until the first connection works, a failure is the user's to see, not retried forever.
  const failed = new Promise<never>((_, reject) => {
    redis.once('error', (error: Error) => reject(new QueueConnectionError(url, error.message)));
  });
  try {
    await Promise.race([redis.connect().then(() => redis.ping()), failed]);
  } catch (error) {
    redis.disconnect();
    throw error instanceof QueueConnectionError ? error : new QueueConnectionError(url, String(error));
  }
  redis.on('error', () => {});
  return redis;
}

/**
 * Splits a list into shards and adds them to the queue, placing each domain in its category
 * first. Streams: one shard in memory at a time. Shard numbers start at `firstShard` (a
 * resumed scan adds shards after those of its earlier run).
 */
export async function submitShards(
  queue: Queue,
  scan: StoredScan,
  lines: AsyncIterable<InputLine>,
  options: {
    categoriser?: Categoriser;
    shardSize: number;
    firstShard?: number;
    onInvalid?: (line: number, text: string) => void;
  },
): Promise<{ shards: number; domains: number; lines: number; invalid: number }> {
  const firstShard = options.firstShard ?? 0;
  let shard = firstShard;
  let domains = 0;
  let count = 0;
  let invalid = 0;
  let items: ShardData['items'] = [];
  let pending: { name: string; data: ShardData; opts: object }[] = [];
  const jobOptions = {
    attempts: SHARD_ATTEMPTS,
    backoff: { type: 'exponential', delay: 1_000 },
    removeOnComplete: true,
    removeOnFail: { count: 1_000 },
  };
  const addPending = async () => {
    if (pending.length > 0) await queue.addBulk(pending);
    pending = [];
  };
  const closeShard = async () => {
    if (items.length === 0) return;
    pending.push({
      name: 'shard',
      data: { scanId: scan.id, shard, items },
      opts: { ...jobOptions, jobId: shardJobId(scan.id, shard) },
    });
    shard++;
    items = [];
    if (pending.length >= ADD_BATCH) await addPending();
  };
  for await (const line of lines) {
    count++;
    if ('invalid' in line) {
      invalid++;
      options.onInvalid?.(line.line, line.invalid);
      continue;
    }
    const placed = placeItem(line.item, options.categoriser);
    items.push([line.item.domain, placed.category, placed.organisation ?? null]);
    domains++;
    if (items.length >= options.shardSize) await closeShard();
  }
  await closeShard();
  await addPending();
  // Shards this call queued, not the next shard's number: a resumed scan starts past zero.
  return { shards: shard - firstShard, domains, lines: count, invalid };
}

/**
 * The first shard number a resumed scan may use: past every shard its earlier runs are known to
 * have made. The scan's own total is not enough: a submitter stopped while it queued shards
 * recorded none, and numbers reused from its shards (done in the store, or still on the queue)
 * would count as the new ones done, finishing the scan before they are.
 */
export async function nextShardNumber(store: Store, queue: Queue, scan: StoredScan): Promise<number> {
  let next = Math.max(scan.shards ?? 0, (await highestShard(store, scan.id)) + 1);
  // Completed jobs are removed (removeOnComplete) and are in the store; the rest are here. Their
  // ids say their scan and shard: the jobs themselves (each a shard's domains) are not fetched.
  const ids = await queue.getRanges(
    ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed'],
    0,
    -1,
  );
  for (const id of ids) {
    const named = SHARD_JOB_ID.exec(id);
    let shard: { scanId: number; shard: number } | undefined;
    if (named) shard = { scanId: Number(named[1]), shard: Number(named[2]) };
    // A job queued by a version that let the queue number its jobs: its data says.
    else shard = (await queue.getJob(id))?.data as ShardData | undefined;
    if (shard?.scanId === scan.id && shard.shard >= next) next = shard.shard + 1;
  }
  return next;
}

/** A shard's job id, which names its scan and shard number. */
export function shardJobId(scanId: number, shard: number): string {
  return `scan-${scanId}-shard-${shard}`;
}

const SHARD_JOB_ID = /^scan-(\d+)-shard-(\d+)$/;

/** Shards of this scan that failed for good (every attempt an error), with the reason. */
async function failedShards(
  queue: Queue,
  scanId: number,
  firstShard: number,
): Promise<{ shard: number; reason: string }[]> {
  const jobs = await queue.getJobs(['failed'], 0, 1_000);
  return jobs
    .filter((job) => {
      const data = job?.data as ShardData | undefined;
      return data?.scanId === scanId && data.shard >= firstShard;
    })
    .map((job) => ({ shard: (job.data as ShardData).shard, reason: job.failedReason }));
}

/** Shards of a scan that failed for good: the scan stays unfinished and can be resumed. */
export class ShardFailedError extends Error {
  constructor(readonly failed: readonly { shard: number; reason: string }[]) {
    super(describeShardFailures(failed, 'en'));
  }
}

/** A shard whose scan is not in the worker's store: the worker's --db is not the submitter's. */
export class ScanMissingError extends Error {
  constructor(readonly scanId: number) {
    super(translate(surveyText, 'survey.scanMissing', 'en', { scan: scanId }));
  }

  /**
   * The scan of a failed job's reason that was this error (its message, survey.scanMissing's
   * English words); undefined for any other reason.
   */
  static scanOf(reason: string): number | undefined {
    const found = /^scan (\d+) is not in the store \(/.exec(reason);
    return found ? Number(found[1]) : undefined;
  }
}

/**
 * Why a shard failed, in `lang`: the reason a worker gave (its error's words) as it is, but for
 * the ones this module knows.
 */
export function describeShardReason(reason: string, lang: Lang): string {
  const scan = ScanMissingError.scanOf(reason);
  return scan === undefined ? reason : translate(surveyText, 'survey.scanMissing', lang, { scan });
}

/** Failed shards and their reasons in `lang` (describeShardReason). */
export function describeShardFailures(
  failed: readonly { shard: number; reason: string }[],
  lang: Lang,
): string {
  return failed
    .map((f) =>
      translate(surveyText, 'survey.shardFailed', lang, {
        shard: f.shard,
        reason: describeShardReason(f.reason, lang),
      }),
    )
    .join('; ');
}

/**
 * Waits until every shard of a scan is done (the store says so: workers may run anywhere),
 * reporting results as they arrive; a shard that failed for good ends the wait with its reason.
 */
export async function waitForScan(
  store: Store,
  queue: Queue,
  scan: StoredScan,
  shards: number,
  options: {
    pollMs?: number;
    onProgress?: (results: number, measured: number) => void;
    /** A resumed scan's first new shard: the earlier ones' failures are not this run's. */
    firstShard?: number;
  } = {},
): Promise<void> {
  const pollMs = options.pollMs ?? 500;
  for (let round = 0; ; round++) {
    const counts = await storedCounts(store, scan.id);
    options.onProgress?.(counts.results, counts.measured);
    if (counts.shardsDone >= shards) break;
    // The failed list is a Redis scan: asked every few rounds, not every one.
    if (round % 10 === 9) {
      const failed = await failedShards(queue, scan.id, options.firstShard ?? 0);
      if (failed.length > 0) throw new ShardFailedError(failed);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  await finishIfComplete(store, scan.id);
}

/**
 * Records the list's totals for a distributed scan once every shard is queued. A resumed scan's
 * shards before `resumedAt` are superseded only now: marked earlier, a new shard finishing
 * before the new total is recorded could finish the scan against the old one.
 */
export async function recordSubmitted(
  store: Store,
  scanId: number,
  submitted: { shards: number; lines: number; invalid: number; resumedAt?: number },
): Promise<void> {
  await recordInput(store, scanId, submitted);
  if (submitted.resumedAt) await supersedeShards(store, scanId, submitted.resumedAt);
  await finishIfComplete(store, scanId);
}

export interface ShardDone {
  scan: string;
  shard: number;
  domains: number;
  /** Domains skipped because the store had them measured (a shard picked up again). */
  skipped: number;
  unmeasured: number;
  ms: number;
}

export interface SurveyWorkerOptions {
  connection: Redis;
  store: Store;
  queueName?: string;
  /** Shards measured at once by this worker. */
  concurrency?: number;
  lockDurationMs?: number;
  /** The resolver for a scan's options (its `--resolver`, or this machine's choice). */
  resolverFor: (options: StoredScanOptions) => { resolver: Resolver; close: () => void };
  /** This worker's name in the shard table. */
  name?: string;
  onStart?: (scan: string, shard: number, domains: number) => void;
  onDone?: (done: ShardDone) => void;
  onError?: (error: Error) => void;
}

/** Measures one shard: the domains not yet measured, written in batches, then the shard marked done. */
export async function measureShard(
  store: Store,
  data: ShardData,
  options: Pick<SurveyWorkerOptions, 'resolverFor' | 'onStart'> & { worker: string },
): Promise<ShardDone> {
  const started = Date.now();
  const scan = await findScanById(store, data.scanId);
  if (!scan) throw new ScanMissingError(data.scanId);
  options.onStart?.(scan.name, data.shard, data.items.length);
  const measured = await measuredAmong(
    store,
    scan.id,
    data.items.map(([domain]) => domain),
  );
  const lines = data.items.flatMap(([domain, category, organisation], i): InputLine[] =>
    measured.has(domain)
      ? []
      : [
          {
            line: i + 1,
            item: organisation === null ? { domain, category } : { domain, category, organisation },
          },
        ],
  );
  const { resolver, close } = options.resolverFor(scan.options);
  const writer = new ScanResultWriter(store, scan.id, WORKER_BATCH);
  const stats: ScanStats = { lines: 0, invalid: 0, retried: 0, sharedHits: 0, sharedMisses: 0 };
  let unmeasured = 0;
  try {
    const source = (async function* () {
      yield* lines;
    })();
    for await (const m of scanDomains(source, { ...scan.options, resolver }, stats)) {
      if (!m.measured) unmeasured++;
      await writer.add(m);
    }
    await writer.flush();
  } finally {
    close();
  }
  await recordShard(store, {
    scanId: scan.id,
    shard: data.shard,
    domains: data.items.length,
    worker: options.worker,
  });
  await finishIfComplete(store, scan.id);
  return {
    scan: scan.name,
    shard: data.shard,
    domains: lines.length,
    skipped: measured.size,
    unmeasured,
    ms: Date.now() - started,
  };
}

/** A BullMQ worker measuring survey shards until closed. */
export function startSurveyWorker(options: SurveyWorkerOptions): Worker {
  const lockDuration = options.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS;
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const worker = new Worker(
    options.queueName ?? SURVEY_QUEUE,
    async (job: Job) =>
      measureShard(options.store, shardData.parse(job.data), {
        resolverFor: options.resolverFor,
        worker: name,
        ...(options.onStart ? { onStart: options.onStart } : {}),
      }),
    {
      connection: options.connection,
      concurrency: options.concurrency ?? 1,
      lockDuration,
      // Look for stopped workers' shards as often as a lock can expire.
      stalledInterval: lockDuration,
      maxStalledCount: MAX_STALLED,
    },
  );
  worker.on('completed', (_job, done: ShardDone) => options.onDone?.(done));
  worker.on('failed', (_job, error) => options.onError?.(error));
  worker.on('error', (error) => options.onError?.(error));
  return worker;
}

/** The submitting side's queue. */
export function surveyQueue(connection: Redis, name = SURVEY_QUEUE): Queue {
  return new Queue(name, { connection });
}

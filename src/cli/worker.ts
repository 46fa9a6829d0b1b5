import { hostname } from 'node:os';
import type { Command } from 'commander';
import { surveyText } from '../i18n/survey.ts';
import { translator } from '../i18n/translate.ts';
import {
  connectQueue,
  DEFAULT_LOCK_DURATION_MS,
  describeShardReason,
  QueueConnectionError,
  SURVEY_QUEUE,
  startSurveyWorker,
} from '../jobs/survey.ts';
import { defaultStorePath, openStore } from '../store/open.ts';
import { type CliContext, printJson, RuntimeError, UsageError } from './output.ts';
import { surveyResolver } from './survey.ts';
import { untilStopped } from './with-store.ts';

interface WorkerFlags {
  queue: string;
  queueName: string;
  db?: string;
  jobs: string;
  lockDuration: string;
  resolver?: string;
  json?: boolean;
}

export function registerWorker(program: Command, ctx: CliContext): void {
  const t = translator(surveyText, ctx.lang);
  program
    .command('worker')
    .description(t('worker.description'))
    .requiredOption('--queue <redis-url>', t('worker.option.queue'))
    .option('--queue-name <name>', t('survey.option.queueName'), SURVEY_QUEUE)
    .option('--db <file|url>', t('worker.option.db'))
    .option('--jobs <n>', t('worker.option.jobs'), '1')
    .option('--lock-duration <ms>', t('worker.option.lockDuration'), String(DEFAULT_LOCK_DURATION_MS))
    .option('--resolver <servers>', t('worker.option.resolver'))
    .option('--json', t('worker.option.json'))
    .action(async (flags: WorkerFlags) => {
      const jobs = Number(flags.jobs);
      const lockDuration = Number(flags.lockDuration);
      if (!Number.isInteger(jobs) || jobs < 1)
        throw new UsageError(t('survey.badNumber', { flag: '--jobs', value: flags.jobs, min: 1 }));
      if (!Number.isInteger(lockDuration) || lockDuration < 1000)
        throw new UsageError(
          t('survey.badNumber', { flag: '--lock-duration', value: flags.lockDuration, min: 1000 }),
        );
      let connection: Awaited<ReturnType<typeof connectQueue>>;
      try {
        connection = await connectQueue(flags.queue);
      } catch (error) {
        if (error instanceof QueueConnectionError) {
          throw new RuntimeError(t('survey.queueUnreachable', { url: error.url, reason: error.reason }));
        }
        throw error;
      }
      // As sumi survey's: a write waiting for another process's lock must not hold the event
      // loop, where the shard's queries wait for answers and BullMQ renews the job's lock.
      const store = await openStore(flags.db ?? defaultStorePath(ctx.env), { yieldWhenLocked: true });
      const name = `${hostname()}:${process.pid}`;
      const totals = { shards: 0, domains: 0 };
      const worker = startSurveyWorker({
        connection,
        store,
        queueName: flags.queueName,
        concurrency: jobs,
        lockDurationMs: lockDuration,
        name,
        resolverFor: (options) => surveyResolver(flags.resolver ?? options.resolver, options.timeoutMs),
        onStart: (scan, shard, domains) =>
          ctx.stderr.write(`${t('worker.start', { scan, shard, domains })}\n`),
        onDone: (done) => {
          totals.shards++;
          totals.domains += done.domains;
          ctx.stderr.write(`${t('worker.done', { ...done, seconds: (done.ms / 1000).toFixed(1) })}\n`);
        },
        onError: (error) =>
          ctx.stderr.write(
            `${t('worker.error', { message: describeShardReason(error.message, ctx.lang) })}\n`,
          ),
      });
      await worker.waitUntilReady();
      ctx.stderr.write(`${t('worker.ready', { name, queue: flags.queue, queueName: flags.queueName })}\n`);
      // Stopped by a signal (tests, supervisors), it finishes its shard first (BullMQ's close); so
      // too once a store a newer Sumi migrated refused its scan's rows, which it would write in an
      // older shape.
      await untilStopped(store.outdated);
      try {
        await worker.close();
      } finally {
        connection.disconnect();
        await store.close();
      }
      store.outdated.throwIfAborted();
      if (flags.json) printJson(ctx, totals);
      else ctx.stderr.write(`${t('worker.stopped', totals)}\n`);
    });
}

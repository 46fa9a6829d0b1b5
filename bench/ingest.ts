/**
 * Report ingestion (issue 3), figures side by side, all measured in this run:
 *   npx tsx bench/ingest.ts [--data DIR] [--runs N] [--no-peer] [--pg URL]
 * Corpus: bench/gen-reports.ts (10,000 .xml.gz aggregate reports with 100,000 records, and one
 * report of 200,000 records), generated into DIR (default bench/.data) when missing.
 * - Sumi, as the `sumi` command runs it (build/, compiled first when stale: support/built.ts):
 *   `ingestPaths` of the 10,000 files into a fresh SQLite store (and PostgreSQL when
 *   reachable), reports/s and records/s; the 200,000-record report in processes of their own
 *   run by node alone, as the command is (bench/support/big-ingest.mjs), for their peak RSS, and
 *   into PostgreSQL. PostgreSQL runs also say the server's CPU and, on Linux,
 *   sumi's by thread (bench/support/proc-cpu.ts): on 2 cores the target is a CPU budget, and which
 *   thread spends it is what decides what to work on; and how many cores' worth of CPU the
 *   machine gave just before and after them (bench/support/capacity.ts): a busy host's two vCPUs
 *   may give one or less, and the PostgreSQL figure, which needs both, falls with it. Then the
 *   two halves of the PostgreSQL ingest apart (reading on one thread; storing parsed reports, with
 *   the server's CPU; bench/support/postgres-stages.ts, in a process of its own): the least CPU
 *   the design spends, and so its best rate on these cores.
 * - Ceiling: a bare saxes parse of the same files (read, gunzip, parse, nothing kept) in a
 *   process of its own (bench/support/saxes.mjs, node alone too), two ways: each file read whole and gunzipped in
 *   one call (the leanest), and each file streamed (createReadStream -> createGunzip -> saxes,
 *   the way a streaming parser is fed; this one takes the "about 3 s" the issue gives for the
 *   bare parse). The target is checked against both.
 * - Peer: dmarcts-report-parser (Debian package) into MariaDB (root, empty password, database
 *   `test`) on the same 10,000 files; skipped with the reason when it is not installed.
 * Timings are medians of --runs runs (default 3) except the peer's, which runs once (minutes);
 * the 200,000-record report's peak RSS is the median of --runs processes, with their range;
 * the bare parses and Sumi's SQLite ingest, then the same without rollups and on one thread,
 * take turns, and each ratio is the median of each turn's.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type * as Paths from '../src/ingest/paths.ts';
import type * as ReadPool from '../src/ingest/read-pool.ts';
import type * as Open from '../src/store/open.ts';
import { built } from './support/built.ts';
import { parallelCapacity } from './support/capacity.ts';
import { runDmarcts } from './support/dmarcts.ts';
import { median, rate } from './support/figures.ts';
import { withPostgresSchemas } from './support/postgres.ts';
import {
  cpuSecondsSince,
  postgresServerCpuSeconds,
  sampleThreads,
  type ThreadCpu,
} from './support/proc-cpu.ts';

const { ingestPaths } = await built<typeof Paths>('ingest/paths.js');
const { defaultReadThreads } = await built<typeof ReadPool>('ingest/read-pool.js');
const { openStore } = await built<typeof Open>('store/open.js');

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: 'bench/.data' },
    runs: { type: 'string', default: '3' },
    'no-peer': { type: 'boolean', default: false },
    pg: { type: 'string', default: 'postgres://root@127.0.0.1:5432/test' },
  },
});

const TARGET_PEER_RATIO = 30;
const TARGET_SAXES_RATIO = 2.5;
const TARGET_BIG_RSS_MB = 250;
const TARGET_PG_RECORDS_PER_S = 50_000;

const root = path.resolve(args.data);
const smallDir = path.join(root, 'aggregate-10k');
const bigFile = path.join(root, 'large-200k.xml.gz');
if (!existsSync(bigFile) || !existsSync(smallDir) || readdirSync(smallDir).length < 10_000) {
  console.log(`generating the corpus in ${root} (bench/gen-reports.ts)...`);
  execFileSync(process.execPath, ['--import', 'tsx', 'bench/gen-reports.ts', root], { stdio: 'inherit' });
}
const files = readdirSync(smallDir)
  .filter((f) => f.endsWith('.xml.gz'))
  .map((f) => path.join(smallDir, f));
const runs = Math.max(1, Number(args.runs));
const cores = availableParallelism();
const work = mkdtempSync(path.join(tmpdir(), 'sumi-bench-ingest-'));

try {
  console.log(`corpus: ${files.length} reports in ${smallDir}; big report ${bigFile}; ${runs} runs each\n`);
  const row = (what: string, value: string, note = '') =>
    console.log(`${what.padEnd(40)} ${value.padStart(10)}  ${note}`);
  /** Where sumi's CPU went in a PostgreSQL run, by thread (Linux only). */
  const threadRow = (threads: ThreadCpu | null) => {
    if (threads === null) return;
    const { main, started, before } = threads;
    row(
      '  sumi CPU by thread',
      `${(main + started + before).toFixed(2)} s`,
      `main ${main.toFixed(2)} s (storing), threads the ingest started ${started.toFixed(2)} s (reading: unpack, parse, rows), ` +
        `V8's workers ${before.toFixed(2)} s (optimizing compiles, garbage collection)`,
    );
  };

  console.log('10,000 reports / 100,000 records (.xml.gz)');
  /** The same ingest with other options, into a store of its own: its seconds. */
  const variant = async (i: number, options: { rollup?: boolean; readThreads?: number }) => {
    const store = await openStore(path.join(work, `variant-${i}-${performance.now()}.db`), {
      yieldWhenLocked: true,
    });
    const started = performance.now();
    await ingestPaths([smallDir], { store, ...options });
    const seconds = (performance.now() - started) / 1000;
    await store.close();
    return seconds;
  };
  // Interleaved, so that each ratio compares runs of the same minute on a machine whose speed
  // drifts from one minute to the next.
  const sumi = await repeat(runs, async (i) => {
    const whole = bareSaxes('whole', smallDir).seconds;
    const streamed = bareSaxes('streamed', smallDir).seconds;
    // As `sumi ingest` opens it (src/cli/ingest.ts).
    const store = await openStore(path.join(work, `sumi-${i}.db`), { yieldWhenLocked: true });
    const started = performance.now();
    const cpu = process.cpuUsage();
    const totals = await ingestPaths([smallDir], { store });
    const seconds = (performance.now() - started) / 1000;
    const cpuSeconds = cpuSecondsSince(cpu);
    await store.close();
    if (totals.reports !== files.length) throw new Error(`stored ${totals.reports} of ${files.length}`);
    // The variants in the same minute too, so that what each costs or saves is a ratio of runs
    // side by side (apart, the machine's drift showed rollups costing -24%).
    const noRollup = await variant(i, { rollup: false });
    const oneThread = await variant(i, { readThreads: 0 });
    return { whole, streamed, seconds, cpuSeconds, records: totals.records, noRollup, oneThread };
  });
  const saxes = median(sumi.map((r) => r.whole));
  row('bare saxes parse (read, gunzip, parse)', `${saxes.toFixed(2)} s`, 'each file read whole');
  row(
    '  the same streamed',
    `${median(sumi.map((r) => r.streamed)).toFixed(2)} s`,
    'each file through createReadStream -> createGunzip',
  );
  const sumiSeconds = median(sumi.map((r) => r.seconds));
  const sumiCpu = median(sumi.map((r) => r.cpuSeconds));
  const records = sumi[0]!.records;
  const ratioWhole = median(sumi.map((r) => r.seconds / r.whole));
  const ratioStreamed = median(sumi.map((r) => r.seconds / r.streamed));
  row(
    'sumi ingest into SQLite',
    `${sumiSeconds.toFixed(2)} s`,
    `${rate(files.length, sumiSeconds)} reports/s, ${rate(records, sumiSeconds)} records/s; ` +
      `${ratioWhole.toFixed(2)}x the bare parse, ${ratioStreamed.toFixed(2)}x the streamed one (medians of each run's ratio; target <= ${TARGET_SAXES_RATIO}x)`,
  );
  row(
    '  CPU time (all threads)',
    `${sumiCpu.toFixed(2)} s`,
    `on ${cores} cores no schedule beats ${(sumiCpu / cores).toFixed(2)} s (${(sumiCpu / cores / saxes).toFixed(2)}x the bare parse)`,
  );
  const noRollup = median(sumi.map((r) => r.noRollup));
  const rollupCost = median(sumi.map((r) => (r.seconds - r.noRollup) / r.noRollup));
  row(
    '  the same without rollups',
    `${noRollup.toFixed(2)} s`,
    `${(noRollup / saxes).toFixed(2)}x the bare parse; ${
      rollupCost > 0
        ? `rollups (issue 4) cost ${(rollupCost * 100).toFixed(0)}% more time`
        : `rollups (issue 4) cost nothing measurable here (the runs without them took ${(-rollupCost * 100).toFixed(0)}% longer)`
    } (median of each run's ratio)`,
  );
  const oneThread = median(sumi.map((r) => r.oneThread));
  const threadsSave = median(sumi.map((r) => (r.oneThread - r.seconds) / r.oneThread));
  row(
    '  the same on one thread',
    `${oneThread.toFixed(2)} s`,
    `${(oneThread / saxes).toFixed(2)}x the bare parse; read threads (${defaultReadThreads()}) save ${(threadsSave * 100).toFixed(0)}% (median of each run's ratio)`,
  );
  const capacityBefore = await parallelCapacity(cores);
  const postgres = await postgresRuns(args.pg, smallDir, files.length);
  const capacityAfter = await parallelCapacity(cores);
  if ('seconds' in postgres) {
    row(
      'sumi ingest into PostgreSQL',
      `${postgres.seconds.toFixed(2)} s`,
      `${rate(records, postgres.seconds)} records/s, the median of ${runs} runs (${rate(records, postgres.slowest)} to ${rate(records, postgres.fastest)}; target >= ${TARGET_PG_RECORDS_PER_S})`,
    );
    const both = postgres.cpuSeconds + (postgres.serverCpuSeconds ?? 0);
    row(
      '  CPU time',
      `${both.toFixed(2)} s`,
      `sumi ${postgres.cpuSeconds.toFixed(2)} s + PostgreSQL server ${postgres.serverCpuSeconds === null ? 'unknown (not on this machine)' : `${postgres.serverCpuSeconds.toFixed(2)} s`}; ` +
        `on ${cores} cores at best ${rate(records, both / cores)} records/s`,
    );
    threadRow(postgres.threadCpu);
    row(
      '  cores this machine gave',
      `${capacityBefore.cores.toFixed(1)}, ${capacityAfter.cores.toFixed(1)}`,
      `of ${cores}, just before and after (a CPU-bound loop on ${cores} threads at once against one alone: ` +
        `${capacityBefore.together.toFixed(2)} s against ${capacityBefore.alone.toFixed(2)} s, then ${capacityAfter.together.toFixed(2)} s against ${capacityAfter.alone.toFixed(2)} s)`,
    );
    if (postgres.serverCpuSeconds !== null) {
      // What the target leaves for everything, against the server's share and a bare parse alone.
      const budget = (records / TARGET_PG_RECORDS_PER_S) * cores;
      const floor = postgres.serverCpuSeconds + saxes;
      row(
        '  CPU the target allows',
        `${budget.toFixed(2)} s`,
        `${TARGET_PG_RECORDS_PER_S} records/s on ${cores} cores; the server's share and a bare parse alone take ${floor.toFixed(2)} s (${floor > budget ? 'over' : 'within'} it)`,
      );
    }
    // In a process of its own: the parts it keeps grow this one's heap, and a child spawned
    // after (the 200,000-record report's) starts with its parent's RSS as its peak.
    const stages = postgresStages(args.pg, smallDir);
    if ('reading' in stages) {
      // What the two halves cost apart, each with the machine to itself: the least CPU this
      // design can spend, however well they overlap.
      const least = stages.reading + stages.storing + stages.server;
      row(
        '  the stages alone',
        `${least.toFixed(2)} s`,
        `CPU: reading ${stages.reading.toFixed(2)} s (one thread: read, gunzip, parse, rows), storing the parsed reports ` +
          `${stages.storing.toFixed(2)} s + server ${stages.server.toFixed(2)} s (medians of ${runs}); ` +
          `overlapped perfectly on ${cores} cores, ${rate(records, least / cores)} records/s at most`,
      );
    } else row('  the stages alone', 'skipped', stages.skipped);
  } else row('sumi ingest into PostgreSQL', 'skipped', postgres.skipped);
  const peer = args['no-peer'] ? { skipped: '--no-peer' } : await runDmarcts(['-z', ...files]);
  if ('seconds' in peer) {
    row(
      'dmarcts-report-parser into MariaDB',
      `${peer.seconds.toFixed(2)} s`,
      `sumi is ${(peer.seconds / sumiSeconds).toFixed(1)}x faster (target >= ${TARGET_PEER_RATIO}x); it stored ${peer.stored}`,
    );
  } else row('dmarcts-report-parser into MariaDB', 'skipped', peer.skipped);

  console.log('\n200,000-record report (.xml.gz), each in a process of its own');
  const bigSaxes = bareSaxes('streamed', bigFile);
  row('bare saxes parse', `${bigSaxes.seconds.toFixed(2)} s`, `peak RSS ${bigSaxes.maxRssMb.toFixed(0)} MB`);
  // --runs processes: a process's peak RSS depends on when its garbage collector ran (one build
  // measured 173 to 227 MB in three processes), so one process says little.
  const bigSumi = await repeat(runs, async () => runScript('big-ingest.mjs', [bigFile, '200000']));
  const bigSeconds = median(bigSumi.map((r) => r.seconds));
  const bigRss = bigSumi.map((r) => r.maxRssMb);
  row(
    'sumi ingest into SQLite',
    `${bigSeconds.toFixed(2)} s`,
    `peak RSS ${median(bigRss).toFixed(0)} MB, ${Math.min(...bigRss).toFixed(0)} to ${Math.max(...bigRss).toFixed(0)} in ${runs} processes (target < ${TARGET_BIG_RSS_MB} MB); ` +
      `${rate(200_000, bigSeconds)} records/s; ${(bigSeconds / bigSaxes.seconds).toFixed(2)}x the bare parse`,
  );
  const bigPostgres = await postgresRuns(args.pg, bigFile, 1);
  if ('seconds' in bigPostgres) {
    row(
      'sumi ingest into PostgreSQL',
      `${bigPostgres.seconds.toFixed(2)} s`,
      `${rate(200_000, bigPostgres.seconds)} records/s (${rate(200_000, bigPostgres.slowest)} to ${rate(200_000, bigPostgres.fastest)}; target >= ${TARGET_PG_RECORDS_PER_S}); ` +
        `CPU sumi ${bigPostgres.cpuSeconds.toFixed(2)} s + server ${bigPostgres.serverCpuSeconds?.toFixed(2) ?? 'unknown'} s`,
    );
    threadRow(bigPostgres.threadCpu);
  } else row('sumi ingest into PostgreSQL', 'skipped', bigPostgres.skipped);
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** A bare saxes parse of a folder or file in a process of its own (bench/support/saxes.mjs). */
function bareSaxes(how: 'whole' | 'streamed', target: string): { seconds: number; maxRssMb: number } {
  return runScript('saxes.mjs', [how, target]);
}

/**
 * Runs a plain JavaScript script of bench/support/ in a process of its own, node alone (as the
 * `sumi` command runs); its last line of output is its JSON answer.
 */
function runScript(name: string, args: string[]): { seconds: number; maxRssMb: number } {
  return runSupport([new URL(`./support/${name}`, import.meta.url).pathname, ...args]);
}

/** The PostgreSQL ingest's two halves apart, by bench/support/postgres-stages.ts in a process of its own. */
function postgresStages(
  url: string,
  folder: string,
): { reading: number; storing: number; server: number } | { skipped: string } {
  const script = new URL('./support/postgres-stages.ts', import.meta.url).pathname;
  return runSupport(['--import', 'tsx', script, url, folder, String(runs)]);
}

/** Runs node with `argv`, which prints its JSON answer on its last line of output. */
function runSupport<T>(argv: string[]): T {
  const result = spawnSync(process.execPath, argv, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!);
}

type PostgresRun = {
  seconds: number;
  cpuSeconds: number;
  serverCpuSeconds: number | null;
  /** sumi's CPU by thread (Linux), null elsewhere. */
  threadCpu: ThreadCpu | null;
};

/**
 * postgresRun `runs` times: the run of median time, with the fastest and slowest runs' times. The
 * server's background work (autovacuum, checkpoints, the kernel writing back what earlier runs
 * wrote) lands in one run or another: single runs of the same build differed by a third.
 */
async function postgresRuns(
  url: string,
  target: string,
  expected: number,
): Promise<(PostgresRun & { fastest: number; slowest: number }) | { skipped: string }> {
  const done: PostgresRun[] = [];
  for (let i = 0; i < runs; i++) {
    const run = await postgresRun(url, target, expected);
    if (!('seconds' in run)) return run;
    done.push(run);
  }
  done.sort((a, b) => a.seconds - b.seconds);
  return { ...done[Math.floor(done.length / 2)]!, fastest: done[0]!.seconds, slowest: done.at(-1)!.seconds };
}

/** Ingests a folder or file into a fresh PostgreSQL schema, which must give `expected` reports. */
async function postgresRun(
  url: string,
  target: string,
  expected: number,
): Promise<PostgresRun | { skipped: string }> {
  const run = await withPostgresSchemas(
    url,
    'bench_ingest',
    async (open) => {
      const store = await open('run');
      const started = performance.now();
      const cpu = process.cpuUsage();
      const server = postgresServerCpuSeconds();
      const threads = sampleThreads();
      const totals = await ingestPaths([target], { store });
      const seconds = (performance.now() - started) / 1000;
      const cpuSeconds = cpuSecondsSince(cpu);
      const threadCpu = threads?.stop() ?? null;
      const serverAfter = postgresServerCpuSeconds();
      await store.close();
      if (totals.reports !== expected) throw new Error(`PostgreSQL stored ${totals.reports} of ${expected}`);
      return {
        seconds,
        cpuSeconds,
        serverCpuSeconds: server === null || serverAfter === null ? null : serverAfter - server,
        threadCpu,
      };
    },
    openStore,
  );
  return run === undefined ? { skipped: `${url} unreachable (reason above)` } : run;
}

async function repeat<T>(n: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(await fn(i));
  return out;
}

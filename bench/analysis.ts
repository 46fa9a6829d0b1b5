/**
 * Analysis speed (issue 4): summary, sources and simulate for one domain over 30 days on a
 * synthetic store (bench/gen-store.ts), p50 and p95 over many runs, on SQLite and PostgreSQL
 * (targets: p95 < 200 ms and < 100 ms); and the rollups' cost on ingest throughput (the same
 * reports stored with rollups on and off).
 *   npm run bench -- analysis [--records 10000000] [--days 90] [--domains 200] [--runs 40]
 *     [--ingest-records 200000] [--pg postgres://root@127.0.0.1:5432/test] [--engines sqlite,postgres]
 * A smaller --records with fewer --domains keeps the per-domain volume (what the queries read)
 * of the full store: 1,000,000 records over 20 domains is 10,000,000 over 200, per domain.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { parsePeriod } from '../src/analysis/period.ts';
import { simulate } from '../src/analysis/simulate.ts';
import { sources } from '../src/analysis/sources.ts';
import { summary } from '../src/analysis/summary.ts';
import { openStore } from '../src/store/open.ts';
import type { Store } from '../src/store/types.ts';
import { domainName, generateStore } from './gen-store.ts';
import { withPostgresSchemas } from './support/postgres.ts';

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '10000000' },
    days: { type: 'string', default: '90' },
    domains: { type: 'string', default: '200' },
    runs: { type: 'string', default: '40' },
    'ingest-records': { type: 'string', default: '200000' },
    pg: { type: 'string', default: 'postgres://root@127.0.0.1:5432/test' },
    engines: { type: 'string', default: 'sqlite,postgres' },
  },
});
const RECORDS = Number(args.records);
const DAYS = Number(args.days);
const DOMAINS = Number(args.domains);
const RUNS = Number(args.runs);
const INGEST_RECORDS = Number(args['ingest-records']);
const DAY = 86_400;
const TODAY = Math.floor(Date.now() / 1000 / DAY) * DAY;
/** Domains the query runs rotate over, so no one domain's pages stay hotter than in use. */
const QUERY_DOMAINS = Math.min(10, DOMAINS);

interface Timing {
  engine: string;
  question: string;
  p50: number;
  p95: number;
  /** This process's CPU time per run (the engine's, for PostgreSQL, is not in it): load on a shared machine stretches wall time, not this. */
  cpu: number;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

async function timeQueries(engine: string, store: Store): Promise<Timing[]> {
  const period = parsePeriod({ since: '30d' });
  const questions: [string, (domain: string) => Promise<unknown>][] = [
    ['summary', (d) => summary(store, d, period)],
    ['sources', (d) => sources(store, d, period)],
    ['simulate reject', (d) => simulate(store, d, { policy: 'reject', period })],
  ];
  const timings: Timing[] = [];
  for (const [question, ask] of questions) {
    // Warm: every domain asked once, so the runs measure a store in use, not first reads from disk.
    for (let i = 0; i < QUERY_DOMAINS; i++) await ask(domainName(i));
    const ms: number[] = [];
    const cpu = process.cpuUsage();
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      await ask(domainName(i % QUERY_DOMAINS));
      ms.push(performance.now() - started);
    }
    const used = process.cpuUsage(cpu);
    ms.sort((a, b) => a - b);
    timings.push({
      engine,
      question,
      p50: quantile(ms, 0.5),
      p95: quantile(ms, 0.95),
      cpu: (used.user + used.system) / 1000 / RUNS,
    });
  }
  return timings;
}

interface IngestRate {
  engine: string;
  rollup: boolean;
  recordsPerSecond: number;
}

async function run(
  engine: string,
  open: (label: string) => Promise<Store>,
): Promise<{ timings: Timing[]; ingest: IngestRate[]; build: string }> {
  const store = await open('big');
  let build: string;
  let timings: Timing[];
  try {
    const started = performance.now();
    const written = await generateStore(store, {
      records: RECORDS,
      days: DAYS,
      domains: DOMAINS,
      start: TODAY - (DAYS - 1) * DAY,
    });
    const seconds = (performance.now() - started) / 1000;
    build = `${engine}: ${written.records.toLocaleString('en')} records, ${written.messages.toLocaleString('en')} messages, ${DAYS} days, ${DOMAINS} domains written in ${seconds.toFixed(1)} s (${Math.round(written.records / seconds).toLocaleString('en')} records/s)`;
    console.error(build);
    // A store at rest has its planner statistics (autovacuum, SQLite's optimize on close).
    await sql`analyze`.execute(store.db);
    timings = await timeQueries(engine, store);
  } finally {
    await store.close();
  }
  // The rollups' cost: the same reports (10 days x 20 domains) with rollups on and off.
  const ingest: IngestRate[] = [];
  for (const rollup of [false, true]) {
    const fresh = await open(rollup ? 'rollup' : 'plain');
    try {
      const started = performance.now();
      const written = await generateStore(fresh, {
        records: INGEST_RECORDS,
        days: 10,
        domains: 20,
        start: TODAY - 9 * DAY,
        rollup,
      });
      ingest.push({
        engine,
        rollup,
        recordsPerSecond: written.records / ((performance.now() - started) / 1000),
      });
    } finally {
      await fresh.close();
    }
  }
  return { timings, ingest, build };
}

async function main(): Promise<void> {
  const engines = new Set(args.engines.split(','));
  const results: Awaited<ReturnType<typeof run>>[] = [];
  if (engines.has('sqlite')) {
    const dir = mkdtempSync(path.join(tmpdir(), 'sumi-bench-analysis-'));
    try {
      results.push(await run('sqlite', (label) => openStore(path.join(dir, `${label}.db`))));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (engines.has('postgres')) {
    const postgres = await withPostgresSchemas(args.pg, 'sumi_bench_analysis', (open) =>
      run('postgres', open),
    );
    if (postgres) results.push(postgres);
  }

  for (const r of results) console.log(r.build);
  console.log(`\none domain, last 30 days, ${RUNS} runs over ${QUERY_DOMAINS} domains`);
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${availableParallelism()} cores`,
  );
  console.log('engine    question          p50 ms   p95 ms   cpu ms/run   target p95');
  for (const r of results) {
    for (const t of r.timings) {
      const target = t.engine === 'sqlite' ? 200 : 100;
      console.log(
        `${t.engine.padEnd(9)} ${t.question.padEnd(16)} ${t.p50.toFixed(1).padStart(7)} ${t.p95.toFixed(1).padStart(8)} ${t.cpu.toFixed(1).padStart(12)}   < ${target} ${t.p95 < target ? 'ok' : 'MISSED'}`,
      );
    }
  }
  console.log(
    `\ningest with rollups on vs off (${INGEST_RECORDS.toLocaleString('en')} records, 10 days x 20 domains)`,
  );
  console.log('engine    rollups   records/s   ratio');
  for (const r of results) {
    const off = r.ingest.find((i) => !i.rollup)?.recordsPerSecond ?? Number.NaN;
    for (const i of r.ingest) {
      console.log(
        `${i.engine.padEnd(9)} ${(i.rollup ? 'on' : 'off').padEnd(8)} ${Math.round(i.recordsPerSecond).toLocaleString('en').padStart(10)}   ${(i.recordsPerSecond / off).toFixed(2)}`,
      );
    }
  }
  console.log(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
}

await main();

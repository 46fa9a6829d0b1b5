/**
 * Analysis speed (issue 4): every analysis question for one domain over 30 days on a synthetic
 * store (bench/gen-store.ts), p50 and p95 over many runs, on SQLite and PostgreSQL (targets for
 * summary, sources and simulate: p95 < 200 ms and < 100 ms), as the CLI asks them (sender names
 * from the store's reverse-DNS cache, filled as `sumi resolve-ips` leaves it); and the rollup's cost on ingest throughput (the same
 * reports stored with the rollup on and off; bench/ingest.ts measures it on real reports).
 *   npm run bench -- analysis [--records 10000000] [--days 90] [--domains 200] [--runs 40]
 *     [--keep NAME] [--questions summary,sources,...] [--ingest-records 200000]
 *     [--pg postgres://root@127.0.0.1:5432/test] [--engines sqlite,postgres]
 * `--keep NAME` keeps the generated store (bench/.data/analysis-NAME.db, PostgreSQL schema
 * sumi_bench_analysis_NAME) with a manifest beside it, and reuses it when the options match:
 * 10 million records take minutes to generate. A smaller --records with fewer --domains keeps
 * the per-domain volume (what the queries read) of the full store: 1,000,000 records over 20
 * domains is 10,000,000 over 200, per domain.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { failureReports } from '../src/analysis/failures.ts';
import { policyHistory } from '../src/analysis/history.ts';
import { StoredIpFacts } from '../src/analysis/ip-facts/cached.ts';
import { parsePeriod } from '../src/analysis/period.ts';
import { plan } from '../src/analysis/plan.ts';
import { reporters } from '../src/analysis/reporters.ts';
import { simulate } from '../src/analysis/simulate.ts';
import { sources } from '../src/analysis/sources.ts';
import { subdomains } from '../src/analysis/subdomains.ts';
import { summary } from '../src/analysis/summary.ts';
import { openStore } from '../src/store/open.ts';
import type { Store } from '../src/store/types.ts';
import {
  domainName,
  type GenManifest,
  type GenOptions,
  generateFailureReports,
  generateIpFacts,
  generateStore,
  readManifest,
  writeManifest,
} from './gen-store.ts';
import { withPostgresSchemas } from './support/postgres.ts';

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '10000000' },
    days: { type: 'string', default: '90' },
    domains: { type: 'string', default: '200' },
    runs: { type: 'string', default: '40' },
    keep: { type: 'string' },
    questions: { type: 'string' },
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
const DATA = path.join(import.meta.dirname, '.data');
/** The questions with a target (issue 4): p95 in ms per engine. */
const TARGETS: Record<string, Record<string, number>> = {
  summary: { sqlite: 200, postgres: 100 },
  sources: { sqlite: 200, postgres: 100 },
  'simulate reject': { sqlite: 200, postgres: 100 },
};

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

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

/** Every question as the CLI asks it, the period's last day being the store's. */
function questions(store: Store, lastDay: number): [string, (domain: string) => Promise<unknown>][] {
  // Midday of the store's last day: its reports count as today's.
  const now = lastDay + DAY / 2;
  const period = parsePeriod({ since: '30d' }, now);
  const ipFacts = new StoredIpFacts(store);
  const all: [string, (domain: string) => Promise<unknown>][] = [
    ['summary', (d) => summary(store, d, period)],
    ['sources', (d) => sources(store, d, period, { ipFacts })],
    ['simulate reject', (d) => simulate(store, d, { policy: 'reject', period, ipFacts })],
    ['plan', (d) => plan(store, d, { now, ipFacts })],
    ['history 90d', (d) => policyHistory(store, d, parsePeriod({ since: '90d' }, now))],
    ['failures', (d) => failureReports(store, d, { period, ipFacts })],
    ['subdomains', (d) => subdomains(store, d, period, { ipFacts })],
    ['reporters', (d) => reporters(store, d, period)],
  ];
  const wanted = args.questions?.split(',');
  return wanted ? all.filter(([name]) => wanted.some((w) => name.startsWith(w))) : all;
}

async function timeQueries(engine: string, store: Store, lastDay: number): Promise<Timing[]> {
  const timings: Timing[] = [];
  for (const [question, ask] of questions(store, lastDay)) {
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
    console.error(`${engine} ${question}: p95 ${timings.at(-1)?.p95.toFixed(1)} ms (load ${load()})`);
  }
  return timings;
}

const sameStore = (m: GenManifest | undefined) =>
  m !== undefined && m.records >= RECORDS * 0.99 && m.days === DAYS && m.domains === DOMAINS;

/**
 * The store to measure: generated now, or reused as the manifest describes it. Returns the line
 * saying how it was built and the period's last day.
 */
async function fill(engine: string, store: Store, manifestFile: string | undefined) {
  let manifest = manifestFile ? readManifest(manifestFile) : undefined;
  let reused = sameStore(manifest);
  if (!reused || !manifest) {
    const options: GenOptions = {
      records: RECORDS,
      days: DAYS,
      domains: DOMAINS,
      start: TODAY - (DAYS - 1) * DAY,
    };
    const started = performance.now();
    const written = await generateStore(store, options);
    manifest = {
      records: written.records,
      messages: written.messages,
      days: DAYS,
      domains: DOMAINS,
      start: options.start,
      seconds: (performance.now() - started) / 1000,
      generatedAt: new Date().toISOString(),
    };
    if (manifestFile) writeManifest(manifestFile, manifest);
    reused = false;
  }
  if (manifest.failureReports === undefined) {
    const started = performance.now();
    manifest.failureReports = await generateFailureReports(store, { ...manifest });
    manifest.failureSeconds = (performance.now() - started) / 1000;
    if (manifestFile) writeManifest(manifestFile, manifest);
  }
  if (manifest.ipFacts === undefined) {
    const started = performance.now();
    manifest.ipFacts = await generateIpFacts(store, manifest.start + manifest.days * DAY);
    manifest.ipFactsSeconds = (performance.now() - started) / 1000;
    if (manifestFile) writeManifest(manifestFile, manifest);
  }
  const rate = Math.round(manifest.records / manifest.seconds).toLocaleString('en');
  const build = `${engine}: ${manifest.records.toLocaleString('en')} records, ${manifest.messages.toLocaleString('en')} messages, ${manifest.days} days, ${manifest.domains} domains written in ${manifest.seconds.toFixed(1)} s (${rate} records/s)${reused ? `, reused (generated ${manifest.generatedAt})` : ''}; ${manifest.failureReports.toLocaleString('en')} failure reports in ${(manifest.failureSeconds ?? 0).toFixed(1)} s; reverse DNS of ${manifest.ipFacts.toLocaleString('en')} IPs cached in ${(manifest.ipFactsSeconds ?? 0).toFixed(1)} s`;
  console.error(build);
  return { build, lastDay: manifest.start + (manifest.days - 1) * DAY };
}

interface IngestRate {
  engine: string;
  rollup: boolean;
  recordsPerSecond: number;
}

interface EngineResult {
  timings: Timing[];
  ingest: IngestRate[];
  build: string;
  load: { before: string; after: string };
}

async function run(
  engine: string,
  big: () => Promise<{ store: Store; manifest?: string }>,
  open: (label: string) => Promise<Store>,
): Promise<EngineResult> {
  const { store, manifest } = await big();
  let built: Awaited<ReturnType<typeof fill>>;
  let timings: Timing[];
  const loads = { before: '', after: '' };
  try {
    built = await fill(engine, store, manifest);
    // A store at rest has its planner statistics (autovacuum, SQLite's optimize on close).
    await sql`analyze`.execute(store.db);
    loads.before = load();
    timings = await timeQueries(engine, store, built.lastDay);
    loads.after = load();
  } finally {
    await store.close();
  }
  // The rollup's cost: the same reports (10 days x 20 domains) with the rollup on and off.
  const ingest: IngestRate[] = [];
  for (const rollup of INGEST_RECORDS > 0 ? [false, true] : []) {
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
  return { timings, ingest, build: built.build, load: loads };
}

/** A PostgreSQL store in a schema of its own that outlives the run (--keep). */
async function keptPostgres(schema: string): Promise<Store | undefined> {
  const admin = new pg.Client({ connectionString: args.pg });
  try {
    await admin.connect();
  } catch (error) {
    console.error(`PostgreSQL skipped: cannot connect to ${args.pg}: ${(error as Error).message}`);
    return undefined;
  }
  try {
    await admin.query(`create schema if not exists ${schema}`);
  } finally {
    await admin.end();
  }
  const url = new URL(args.pg);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return openStore(url.toString());
}

async function main(): Promise<void> {
  const engines = new Set(args.engines.split(','));
  const keep = args.keep;
  if (keep !== undefined && !/^[a-z0-9_]+$/.test(keep)) {
    console.error('--keep: a name of lower-case letters, digits and _');
    process.exit(2);
  }
  const results: EngineResult[] = [];
  if (engines.has('sqlite')) {
    const dir = mkdtempSync(path.join(tmpdir(), 'sumi-bench-analysis-'));
    const file = keep ? path.join(DATA, `analysis-${keep}.db`) : path.join(dir, 'big.db');
    try {
      results.push(
        await run(
          'sqlite',
          async () => ({ store: await openStore(file), ...(keep ? { manifest: `${file}.json` } : {}) }),
          (label) => openStore(path.join(dir, `${label}.db`)),
        ),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (engines.has('postgres')) {
    const postgres = await withPostgresSchemas(
      args.pg,
      'sumi_bench_analysis',
      async (open) => {
        const schema = `sumi_bench_analysis_${keep}`;
        const kept = keep ? await keptPostgres(schema) : undefined;
        return run(
          'postgres',
          async () =>
            kept
              ? { store: kept, manifest: path.join(DATA, `analysis-${keep}.postgres.json`) }
              : { store: await open('big') },
          open,
        );
      },
      openStore,
    );
    if (postgres) results.push(postgres);
  }

  for (const r of results) console.log(r.build);
  console.log(
    `\none domain, last 30 days, ${RUNS} runs over ${QUERY_DOMAINS} domains; ${availableParallelism()} cores`,
  );
  console.log('engine    question          p50 ms   p95 ms   cpu ms/run   target p95');
  for (const r of results) {
    for (const t of r.timings) {
      const target = TARGETS[t.question]?.[t.engine];
      const verdict = target === undefined ? '' : `< ${target} ${t.p95 < target ? 'ok' : 'MISSED'}`;
      console.log(
        `${t.engine.padEnd(9)} ${t.question.padEnd(16)} ${t.p50.toFixed(1).padStart(7)} ${t.p95.toFixed(1).padStart(8)} ${t.cpu.toFixed(1).padStart(12)}   ${verdict}`,
      );
    }
    console.log(
      `${r.timings[0]?.engine ?? ''} load average (1, 5, 15 min) before ${r.load.before}, after ${r.load.after}`,
    );
  }
  if (INGEST_RECORDS > 0) {
    console.log(
      `\ningest with the rollup on vs off (${INGEST_RECORDS.toLocaleString('en')} records, 10 days x 20 domains; bench/ingest.ts: the same on real reports)`,
    );
    console.log('engine    rollup    records/s   ratio');
    for (const r of results) {
      const off = r.ingest.find((i) => !i.rollup)?.recordsPerSecond ?? Number.NaN;
      for (const i of r.ingest) {
        console.log(
          `${i.engine.padEnd(9)} ${(i.rollup ? 'on' : 'off').padEnd(8)} ${Math.round(i.recordsPerSecond).toLocaleString('en').padStart(10)}   ${(i.recordsPerSecond / off).toFixed(2)}`,
        );
      }
    }
  }
  console.log(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
}

await main();

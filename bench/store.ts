/**
 * Store write throughput, records/s, on SQLite and PostgreSQL, with and without the daily rollup:
 *   npx tsx bench/store.ts [--pg postgres://root@127.0.0.1:5432/test] [--big 200000] [--reports 2000]
 * Synthetic reports: one big report (default 200,000 records) and many small ones (100 records
 * each), stored one at a time and then 4 at once, with realistic variety (distinct source IPs, several header_from, DKIM/SPF results,
 * some override reasons) and their XML as raw bytes. PostgreSQL runs in a schema of its own,
 * dropped afterwards; it is skipped with the reason when the server cannot be reached.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { AggregateRecord, AggregateReportHeader } from '../src/reports/types.ts';
import { openStore } from '../src/store/open.ts';
import type { AggregateReportInput, Store } from '../src/store/types.ts';
import { withPostgresSchemas } from './support/postgres.ts';

const { values: args } = parseArgs({
  options: {
    pg: { type: 'string', default: 'postgres://root@127.0.0.1:5432/test' },
    big: { type: 'string', default: '200000' },
    reports: { type: 'string', default: '2000' },
    'records-per-report': { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '4' },
  },
});
const BIG = Number(args.big);
const REPORTS = Number(args.reports);
const PER_REPORT = Number(args['records-per-report']);
const CONCURRENCY = Number(args.concurrency);
const DAY = 86_400;
const START = 1_735_689_600; // 2025-01-01

function header(n: number, domain: string, day: number): AggregateReportHeader {
  const begin = START + day * DAY;
  const iso = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');
  return {
    version: '1.0',
    namespace: null,
    reporter: {
      orgName: `reporter-${n % 20}.example`,
      email: `dmarc@reporter-${n % 20}.example`,
      extraContactInfo: null,
    },
    metadata: {
      reportId: `bench-${n}`,
      reportIdRaw: `bench-${n}`,
      window: { begin, end: begin + DAY - 1, beginIso: iso(begin), endIso: iso(begin + DAY - 1) },
      generator: null,
      errors: [],
    },
    policyPublished: {
      domain,
      adkim: 'r',
      aspf: 'r',
      p: 'none',
      sp: null,
      np: null,
      pct: 100,
      fo: null,
      testing: null,
      discoveryMethod: null,
      psd: null,
    },
  };
}

function record(i: number, domain: string): AggregateRecord {
  const pass = i % 5 !== 0;
  return {
    sourceIp: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    count: 1 + (i % 17),
    policyEvaluated: {
      disposition: 'none',
      dkim: pass ? 'pass' : 'fail',
      spf: i % 3 === 0 ? 'fail' : 'pass',
      reasons: i % 50 === 0 ? [{ type: 'forwarded', comment: null }] : [],
    },
    headerFrom: i % 4 === 0 ? `news.${domain}` : domain,
    envelopeFrom: `bounce.${domain}`,
    envelopeTo: null,
    authResults: {
      dkim: [
        { domain, selector: 's1', result: pass ? 'pass' : 'fail', humanResult: null },
        ...(i % 2 === 0
          ? [{ domain: 'esp.example', selector: 'k1', result: 'pass' as const, humanResult: null }]
          : []),
      ],
      spf: [
        {
          domain: `bounce.${domain}`,
          scope: 'mfrom',
          result: i % 3 === 0 ? 'softfail' : 'pass',
          humanResult: null,
        },
      ],
    },
    extensions: [],
  };
}

function* records(count: number, domain: string): Generator<AggregateRecord> {
  for (let i = 0; i < count; i++) yield record(i, domain);
}

/** The report's XML, as the raw bytes an ingest would hand over. */
function xml(h: AggregateReportHeader, count: number): Buffer {
  const parts: string[] = [
    `<?xml version="1.0"?>\n<feedback>\n  <report_metadata>\n    <org_name>${h.reporter.orgName}</org_name>\n`,
    `    <report_id>${h.metadata.reportId}</report_id>\n    <date_range><begin>${h.metadata.window.begin}</begin><end>${h.metadata.window.end}</end></date_range>\n  </report_metadata>\n`,
    `  <policy_published><domain>${h.policyPublished.domain}</domain><p>none</p></policy_published>\n`,
  ];
  for (const r of records(count, h.policyPublished.domain)) {
    parts.push(
      `  <record>\n    <row>\n      <source_ip>${r.sourceIp}</source_ip>\n      <count>${r.count}</count>\n` +
        `      <policy_evaluated><disposition>none</disposition><dkim>${r.policyEvaluated.dkim}</dkim><spf>${r.policyEvaluated.spf}</spf></policy_evaluated>\n` +
        `    </row>\n    <identifiers><header_from>${r.headerFrom}</header_from></identifiers>\n` +
        `    <auth_results>${r.authResults.dkim.map((d) => `<dkim><domain>${d.domain}</domain><selector>${d.selector}</selector><result>${d.result}</result></dkim>`).join('')}` +
        `<spf><domain>${r.authResults.spf[0]?.domain}</domain><result>${r.authResults.spf[0]?.result}</result></spf></auth_results>\n  </record>\n`,
    );
  }
  parts.push('</feedback>\n');
  return Buffer.from(parts.join(''));
}

interface Result {
  engine: string;
  scenario: string;
  rollup: boolean;
  records: number;
  seconds: number;
}

interface Job {
  h: AggregateReportHeader;
  n: number;
}

/**
 * Inserts the reports, `concurrency` at a time, timing only the store: each report's raw XML is
 * built just before its insert, outside the measured time, so the bench holds one at a time.
 */
async function timed(store: Store, jobs: Job[], rollup: boolean, concurrency = 1) {
  let seconds = 0;
  let total = 0;
  for (let i = 0; i < jobs.length; i += concurrency) {
    const group = jobs.slice(i, i + concurrency).map((job) => ({ ...job, raw: xml(job.h, job.n) }));
    const started = performance.now();
    const outcomes = await Promise.all(
      group.map(({ h, n, raw }) => {
        const input: AggregateReportInput = { ...h, records: records(n, h.policyPublished.domain) };
        return store.insertAggregateReport(input, raw, { description: 'bench' }, { rollup });
      }),
    );
    seconds += (performance.now() - started) / 1000;
    for (const outcome of outcomes) {
      if (outcome.status !== 'stored') throw new Error('a bench report was a duplicate');
      total += outcome.records;
    }
  }
  return { records: total, seconds };
}

async function run(engine: string, open: (label: string) => Promise<Store>): Promise<Result[]> {
  const results: Result[] = [];
  const many = (offset: number) =>
    Array.from({ length: REPORTS }, (_, i) => {
      const n = offset + i;
      return { h: header(n, `d${n % 200}.example`, Math.floor(n / 200)), n: PER_REPORT };
    });
  for (const rollup of [false, true]) {
    const label = rollup ? 'rollup' : 'plain';
    const store = await open(label);
    try {
      const big = await timed(store, [{ h: header(0, 'big.example', 0), n: BIG }], rollup);
      results.push({ engine, scenario: `1 report x ${BIG}`, rollup, ...big });
      const serial = await timed(store, many(1), rollup);
      results.push({ engine, scenario: `${REPORTS} reports x ${PER_REPORT}`, rollup, ...serial });
      const parallel = await timed(store, many(1 + REPORTS), rollup, CONCURRENCY);
      results.push({
        engine,
        scenario: `${REPORTS} x ${PER_REPORT}, ${CONCURRENCY} at once`,
        rollup,
        ...parallel,
      });
    } finally {
      await store.close();
    }
  }
  return results;
}

async function main(): Promise<void> {
  const results: Result[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'sumi-bench-store-'));
  try {
    results.push(...(await run('sqlite', (label) => openStore(path.join(dir, `${label}.db`)))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const postgres = await withPostgresSchemas(
    args.pg,
    'sumi_bench',
    (open) => run('postgres', open),
    openStore,
  );
  if (postgres) results.push(...postgres);

  console.log('engine    scenario                       rollup   records   seconds   records/s');
  for (const r of results) {
    console.log(
      `${r.engine.padEnd(9)} ${r.scenario.padEnd(30)} ${(r.rollup ? 'yes' : 'no').padEnd(6)} ${String(r.records).padStart(9)} ${r.seconds.toFixed(2).padStart(9)} ${Math.round(
        r.records / r.seconds,
      )
        .toLocaleString('en')
        .padStart(11)}`,
    );
  }
  console.log(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
}

await main();

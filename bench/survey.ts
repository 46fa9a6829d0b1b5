/**
 * `npm run bench -- survey`: `sumi survey` over 100,000 generated domains served by the zone
 * server in its own process. Prints domains/s, queries/s, the same server's ceiling measured
 * by a bare query loop in the same run, the ratio (target: at least 70%) and peak RSS
 * (target: under 300 MB). BENCH_DOMAINS, BENCH_CONCURRENCY change the size and width.
 */
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { DirectResolver, parseServers } from '../src/dns/direct-resolver.ts';
import { Zone } from '../src/dns/zone.ts';
import { builtInCategoriser, readDomainList, runSurvey } from '../src/survey/index.ts';
import { bareLoopCeiling } from './support/ceiling.ts';
import { RemoteZone } from './support/zone-client.ts';

const DOMAINS = Number(process.env.BENCH_DOMAINS ?? 100_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const SUFFIXES = ['co.jp', 'ne.jp', 'or.jp', 'ac.jp', 'go.jp', 'lg.jp', 'jp', 'tokyo.jp', 'osaka.jp', 'com'];

function domainOf(i: number): string {
  return `d${i}.${SUFFIXES[i % SUFFIXES.length]}`;
}

/** A realistic mix (exported: the zone server process builds the same zone). */
export function buildZone(count: number): { zone: Zone } {
  const zone = new Zone();
  zone.txt('_dmarc.hosted-dmarc.example', 'v=DMARC1; p=none; rua=mailto:r@hosted-dmarc.example');
  for (let i = 0; i < count; i++) {
    const d = domainOf(i);
    const kind = i % 20;
    if (kind < 14) zone.txt(d, `v=spf1 include:_spf.esp${i % 7}.example ${kind < 6 ? '-all' : '~all'}`);
    if (kind === 14) zone.txt(d, 'v=spf1 -all', 'v=spf1 ~all');
    if (kind < 17) zone.add(d, 'MX', { preference: 10, exchange: `mx.${d}` });
    if (kind === 17) zone.add(d, 'MX', { preference: 0, exchange: '' });
    if (kind < 8)
      zone.txt(`_dmarc.${d}`, `v=DMARC1; p=${['none', 'quarantine', 'reject'][i % 3]}; rua=mailto:d@${d}`);
    else if (kind < 10) zone.add(`_dmarc.${d}`, 'CNAME', '_dmarc.hosted-dmarc.example');
    if (kind < 2) zone.txt(`_smtp._tls.${d}`, `v=TLSRPTv1; rua=mailto:tls@${d}`);
    if (kind === 0) zone.txt(`_mta-sts.${d}`, 'v=STSv1; id=2024010100;');
  }
  return { zone };
}

/** The benchmark runs only when this file is the entry, not when the zone process imports it. */
if (process.argv[1]?.endsWith('index.ts') || process.argv[1]?.endsWith('survey.ts')) await main();

async function main(): Promise<void> {
  const server = await RemoteZone.start(new URL(import.meta.url), [DOMAINS]);
  const servers = parseServers(server.address);

  await server.reset();
  // A local server answers in well under a millisecond: a lost datagram should cost little.
  const direct = new DirectResolver({ servers, attempts: 2, timeoutMs: 500 });
  const lines = Readable.from(
    (function* () {
      for (let i = 0; i < DOMAINS; i++) yield `${domainOf(i)}\n`;
    })(),
  );
  const start = performance.now();
  const report = await runSurvey(readDomainList(lines), {
    resolver: direct,
    resolverLabel: server.address,
    categories: 'jp',
    categoriser: builtInCategoriser('jp')!,
    qps: 0,
    concurrency: CONCURRENCY,
    retryDelayMs: 500,
  });
  const seconds = (performance.now() - start) / 1000;
  const sent = direct.sent;
  direct.close();
  const stats = await server.stats();
  const rssMb = process.resourceUsage().maxRSS / 1024;
  const ceilings = [
    await bareLoopCeiling(servers, 30_000),
    await bareLoopCeiling(servers, 30_000),
    await bareLoopCeiling(servers, 30_000),
  ].sort((a, b) => a - b);
  await server.stop();

  const ceil = ceilings[1]!;
  const qps = stats.queries / seconds;
  console.log(`sumi survey, ${DOMAINS} domains, concurrency ${CONCURRENCY}, no qps cap`);
  console.log(`  domains/s             ${(DOMAINS / seconds).toFixed(0)}   (${seconds.toFixed(1)} s)`);
  console.log(
    `  DNS queries/domain    ${(stats.queries / DOMAINS).toFixed(2)}   (${sent - stats.queries} of ${sent} sent never reached the server; ${stats.repeated} questions asked again)`,
  );
  console.log(
    `  queries/s             ${qps.toFixed(0)}   vs bare query loop ceiling ${ceil.toFixed(0)} (${((qps / ceil) * 100).toFixed(0)}%, target >= 70%)`,
  );
  console.log(`  unmeasured            ${report.unmeasured}`);
  console.log(`  peak RSS              ${rssMb.toFixed(0)} MB (target < 300 MB)`);
}

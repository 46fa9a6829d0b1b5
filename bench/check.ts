/**
 * `npm run bench -- check`: `sumi check` over 2,000 domains served by the zone server.
 * Prints domains per second at the default concurrency, DNS queries per domain, whether any
 * question was asked twice, and the same server's ceiling (a bare query loop) for scale.
 * checkdmarc, the peer, cannot be installed here (not on the npm registry nor in Debian).
 */
import { performance } from 'node:perf_hooks';
import { checkDomains } from '../src/check/index.ts';
import { CachingResolver } from '../src/dns/caching-resolver.ts';
import { DirectResolver, parseServers } from '../src/dns/direct-resolver.ts';
import { Zone } from '../src/dns/zone.ts';
import { HttpsFetcher } from '../src/http/fetcher.ts';
import { bareLoopCeiling } from './support/ceiling.ts';
import { median } from './support/figures.ts';
import { RemoteZone } from './support/zone-client.ts';

const DOMAINS = Number(process.env.BENCH_DOMAINS ?? 2000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

/** A realistic mix (exported: the zone server process builds the same zone). */ /** A realistic mix: shared ESP includes, hosted DMARC via CNAME, missing records, DKIM, MX hosts. */
export function buildZone(count: number): { zone: Zone; domains: string[] } {
  const zone = new Zone();
  const providers = ['_spf.mail-a.example', '_spf.mail-b.example', 'spf.crm-c.example', 'spf.esp-d.example'];
  for (const [i, p] of providers.entries()) {
    zone.txt(p, `v=spf1 ip4:198.51.${100 + i}.0/24 include:nets.${p} ~all`);
    zone.txt(`nets.${p}`, `v=spf1 ip4:203.0.${113 + i}.0/24 ip6:2001:db8:${i}::/48 ~all`);
  }
  zone.txt('_dmarc.hosted-dmarc.example', 'v=DMARC1; p=none; rua=mailto:r@hosted-dmarc.example');
  const domains: string[] = [];
  for (let i = 0; i < count; i++) {
    const d = `d${i}.bench${i % 50}.example.jp`;
    domains.push(d);
    const kind = i % 10;
    if (kind !== 9) {
      const includes = providers.slice(0, 1 + (i % 3)).map((p) => `include:${p}`);
      zone.txt(d, `v=spf1 mx ${includes.join(' ')} ${kind < 5 ? '-all' : '~all'}`);
    }
    zone.add(d, 'MX', { preference: 10, exchange: `mx.${d}` });
    zone.add(`mx.${d}`, 'A', `192.0.2.${i % 250}`);
    if (kind < 6)
      zone.txt(
        `_dmarc.${d}`,
        `v=DMARC1; p=${['none', 'quarantine', 'reject'][i % 3]}; rua=mailto:dmarc@${d}`,
      );
    else if (kind < 8) zone.add(`_dmarc.${d}`, 'CNAME', '_dmarc.hosted-dmarc.example');
    if (kind < 4)
      zone.txt(
        `selector1._domainkey.${d}`,
        'v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=',
      );
  }
  return { zone, domains };
}

/** The benchmark runs only when this file is the entry, not when the zone process imports it. */
if (process.argv[1]?.endsWith('index.ts') || process.argv[1]?.endsWith('check.ts')) await main();

async function main(): Promise<void> {
  const { domains } = buildZone(DOMAINS);
  const server = await RemoteZone.start(new URL(import.meta.url), [DOMAINS]);
  const servers = parseServers(server.address);

  const rates: number[] = [];
  const qpsList: number[] = [];
  let perDomain = 0;
  let repeated = 0;
  let distinct = 0;
  for (let run = 0; run < RUNS; run++) {
    await server.reset();
    const direct = new DirectResolver({ servers });
    const resolver = new CachingResolver(direct);
    const ctx = { resolver, fetcher: new HttpsFetcher({ resolver }), options: {} };
    const start = performance.now();
    let checked = 0;
    for await (const _ of checkDomains(domains, ctx, CONCURRENCY)) checked++;
    const seconds = (performance.now() - start) / 1000;
    direct.close();
    const stats = await server.stats();
    rates.push(checked / seconds);
    qpsList.push(stats.queries / seconds);
    perDomain = stats.queries / checked;
    distinct = stats.distinct;
    repeated = stats.repeated;
  }
  // With a network round trip (20 ms per answer, as to a resolver across the internet),
  // concurrency is what sets the pace: compare 16 in flight with one at a time, the way
  // checkdmarc's bulk mode runs.
  const WAN_MS = 20;
  const wanDomains = domains.slice(0, 200);
  await server.setLatency(WAN_MS);
  const timeWan = async (concurrency: number) => {
    const direct = new DirectResolver({ servers });
    const resolver = new CachingResolver(direct);
    const start = performance.now();
    for await (const _ of checkDomains(
      wanDomains,
      { resolver, fetcher: new HttpsFetcher({ resolver }), options: {} },
      concurrency,
    )) {
      // drain
    }
    direct.close();
    return wanDomains.length / ((performance.now() - start) / 1000);
  };
  const wanConcurrent = await timeWan(CONCURRENCY);
  const wanSequential = await timeWan(1);
  await server.setLatency(0);
  const ceilings = [
    await bareLoopCeiling(servers),
    await bareLoopCeiling(servers),
    await bareLoopCeiling(servers),
  ];
  await server.stop();

  const ceil = median(ceilings);
  console.log(`sumi check, ${DOMAINS} domains, concurrency 16, median of ${RUNS} runs`);
  console.log(`  domains/s             ${median(rates).toFixed(0)}`);
  console.log(
    `  DNS queries/domain    ${perDomain.toFixed(2)} (${distinct} distinct questions, ${repeated} asked more than once)`,
  );
  console.log(
    `  queries/s             ${median(qpsList).toFixed(0)}   vs bare query loop ceiling ${ceil.toFixed(0)} (${((median(qpsList) / ceil) * 100).toFixed(0)}%)`,
  );
  console.log(
    `  with ${WAN_MS} ms per answer (200 domains): ${wanConcurrent.toFixed(1)} domains/s at concurrency ${CONCURRENCY} vs ${wanSequential.toFixed(1)} one at a time (checkdmarc's bulk mode): ${(wanConcurrent / wanSequential).toFixed(1)}x`,
  );
  console.log(
    '  peer: checkdmarc is not installable on this machine (PyPI unreachable, not packaged in Debian);',
  );
  console.log(
    '        it checks domains sequentially (no concurrency), see ../shared/notes/checkdmarc-checks.md',
  );
}

import { performance } from 'node:perf_hooks';
import { DirectResolver, type NameServer } from '../../src/dns/direct-resolver.ts';

/**
 * The ceiling a benchmark is measured against: how many distinct questions per second the
 * same server answers to a bare query loop (64 in flight) from Sumi's own DNS client.
 */
export async function bareLoopCeiling(servers: NameServer[], questions = 20_000): Promise<number> {
  const resolver = new DirectResolver({ servers });
  const names = Array.from({ length: questions }, (_, i) => `q${i}.ceiling.example`);
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < names.length) await resolver.lookup(names[next++]!, 'TXT');
    }),
  );
  const qps = names.length / ((performance.now() - start) / 1000);
  resolver.close();
  return qps;
}

/**
 * A zone server in its own process, so a benchmark's client and server do not share one
 * CPU thread. Started with fork(); the parent sends {zone: <module path>, args} and gets
 * {address}; {stats: true} answers {queries, distinct, repeated}; {reset: true} clears them.
 */

import type { Zone } from '../../src/dns/zone.ts';
import { ZoneServer } from '../../src/dns/zone-server.ts';

interface Start {
  zoneModule: string;
  args: unknown[];
}

interface Latency {
  latencyMs: number;
}

let server: ZoneServer | undefined;
process.on(
  'message',
  async (message: Start | Latency | { stats: true } | { reset: true } | { stop: true }) => {
    if ('zoneModule' in message) {
      const mod = (await import(message.zoneModule)) as { buildZone(...args: unknown[]): { zone: Zone } };
      server = await ZoneServer.start(mod.buildZone(...message.args).zone);
      process.send?.({ address: server.address });
    } else if ('latencyMs' in message && server) {
      server.latencyMs = message.latencyMs;
      process.send?.({ latencyMs: message.latencyMs });
    } else if ('stats' in message && server) {
      const counts = [...server.questions.values()];
      process.send?.({
        queries: server.queries,
        distinct: counts.length,
        repeated: counts.filter((n) => n > 1).length,
      });
    } else if ('reset' in message && server) {
      server.questions.clear();
      server.queries = 0;
      process.send?.({ reset: true });
    } else if ('stop' in message) {
      await server?.close();
      process.exit(0);
    }
  },
);

/**
 * The ingest bench's PostgreSQL ingest in its two halves apart, each with the machine to itself:
 *   node --import tsx bench/support/postgres-stages.ts URL FOLDER RUNS
 * reading the folder's reports on this thread alone (readMessage, as a read thread does), then
 * storing their parts, read again and kept, into a fresh schema as ingestPaths does (batched, in
 * bulk), with this process's CPU and the server's. Their sum is the least CPU the design spends.
 * Build/'s modules, as `sumi` runs them (support/built.ts). Prints the medians of RUNS as
 * {"reading", "storing", "server"} (CPU seconds), or {"skipped"} when the server is unreachable.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type * as Batch from '../../src/ingest/batch.ts';
import type * as Message from '../../src/ingest/message.ts';
import type * as Paths from '../../src/ingest/paths.ts';
import type * as Read from '../../src/ingest/read.ts';
import type * as Open from '../../src/store/open.ts';
import { built } from './built.ts';
import { median } from './figures.ts';
import { withPostgresSchemas } from './postgres.ts';
import { cpuSecondsSince, postgresServerCpuSeconds } from './proc-cpu.ts';

const { readMessage } = await built<typeof Read>('ingest/read.js');
const { storeMessage } = await built<typeof Message>('ingest/message.js');
const { AggregateBatcher } = await built<typeof Batch>('ingest/batch.js');
const { INGEST_CONCURRENCY_BATCHED } = await built<typeof Paths>('ingest/paths.js');
const { openStore } = await built<typeof Open>('store/open.js');

const [url, folder, runsArg] = process.argv.slice(2);
if (!url || !folder || !runsArg) {
  console.error('usage: postgres-stages.ts URL FOLDER RUNS');
  process.exit(2);
}
const files = readdirSync(folder).map((name) => path.join(folder, name));

async function readAll(bytes: Buffer, file: string) {
  const parts = [];
  for await (const part of readMessage(bytes, file, file, { parseAggregates: 'postgres' })) parts.push(part);
  return parts;
}

const stages = await withPostgresSchemas(
  url,
  'bench_stages',
  async (open) => {
    const done: { reading: number; storing: number; server: number }[] = [];
    for (let run = 0; run < Number(runsArg); run++) {
      // Timed with each input's parts let go, as a read thread lets them go once sent: the parts
      // of every input kept grow a heap the collector marks again and again.
      let cpu = process.cpuUsage();
      for (const file of files) await readAll(readFileSync(file), file);
      const reading = cpuSecondsSince(cpu);
      const inputs: { file: string; bytes: Buffer; parts: Awaited<ReturnType<typeof readAll>> }[] = [];
      for (const file of files) {
        const bytes = readFileSync(file);
        inputs.push({ file, bytes, parts: await readAll(bytes, file) });
      }
      const store = await open(`run${run}`);
      const batcher = new AggregateBatcher(store);
      const server = postgresServerCpuSeconds() ?? 0;
      cpu = process.cpuUsage();
      let next = 0;
      const storing = async () => {
        for (let input = inputs[next++]; input !== undefined; input = inputs[next++])
          await storeMessage(store, input.parts, input.bytes, input.file, { batcher });
      };
      // As many inputs at once as ingestPaths keeps in flight for PostgreSQL.
      await store.writingInBulk(async () => {
        await Promise.all(Array.from({ length: INGEST_CONCURRENCY_BATCHED.postgres }, storing));
      });
      const storingCpu = cpuSecondsSince(cpu);
      done.push({ reading, storing: storingCpu, server: (postgresServerCpuSeconds() ?? 0) - server });
      await store.close();
    }
    return {
      reading: median(done.map((d) => d.reading)),
      storing: median(done.map((d) => d.storing)),
      server: median(done.map((d) => d.server)),
    };
  },
  openStore,
);
console.log(JSON.stringify(stages ?? { skipped: `${url} unreachable (reason above)` }));

/**
 * How many cores' worth of CPU the machine gives at the moment: the same fixed CPU-bound loop run
 * on one thread alone, then on one thread per core at once. On a virtual machine whose host is
 * busy, two vCPUs may give much less than two cores (seen here: two such loops at once each took
 * from 1.6 to 12 times as long as one alone), and every figure that needs both cores (sumi
 * with the PostgreSQL server beside it) falls with it; the benches print this beside them.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** The loop: about 1 s of one core here. */
const SPIN = `
const { parentPort } = require('node:worker_threads');
const started = performance.now();
let x = 0;
for (let i = 0; i < 1e9; i++) x = (x + i) | 0;
parentPort.postMessage({ ms: performance.now() - started, x });
`;

function spin(): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(SPIN, { eval: true });
    worker.once('message', (answer: { ms: number }) => resolve(answer.ms));
    worker.once('error', reject);
  });
}

/** Cores' worth of CPU: `cores` times one loop's time alone over the slowest of `cores` run at once. */
export async function parallelCapacity(
  cores = availableParallelism(),
): Promise<{ cores: number; alone: number; together: number }> {
  const alone = await spin();
  const together = Math.max(...(await Promise.all(Array.from({ length: cores }, spin))));
  return { cores: (cores * alone) / together, alone: alone / 1000, together: together / 1000 };
}

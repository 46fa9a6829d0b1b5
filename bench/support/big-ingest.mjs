/**
 * Sumi's ingest of one report file into a fresh SQLite store, in a process that loads nothing else,
 * for its own peak RSS (the ingest bench's 200,000-record report):
 *   node bench/support/big-ingest.mjs FILE RECORDS
 * What `sumi ingest FILE` runs: build/'s modules (bench/support/built.ts compiled them first).
 * Plain JavaScript, run by node alone as the command is: tsx's loader (a thread of its own) took
 * 40-90 MB more at the peak. Prints {"seconds", "maxRssMb"}; fails unless RECORDS were stored.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const [file, expected] = process.argv.slice(2);
if (!file || !expected) {
  console.error('usage: big-ingest.mjs FILE RECORDS');
  process.exit(2);
}
const { ingestPaths } = await import('../../build/ingest/paths.js');
const { openStore } = await import('../../build/store/open.js');
const dir = mkdtempSync(path.join(tmpdir(), 'sumi-bench-big-'));
const started = performance.now();
try {
  const store = await openStore(path.join(dir, 'big.db'), { yieldWhenLocked: true });
  const totals = await ingestPaths([file], { store });
  await store.close();
  if (totals.records !== Number(expected)) throw new Error(`stored ${totals.records} records of ${expected}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(
  JSON.stringify({
    seconds: (performance.now() - started) / 1000,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  }),
);

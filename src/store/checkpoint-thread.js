// A SQLite WAL checkpointer on a thread of its own (see checkpointingAside in open.ts). Plain JS, as it
// needs nothing of the project's TypeScript: a worker does not inherit the main thread's tsx.
import { statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** @type {{ file: string; everyMs: number }} */
const { file, everyMs } = workerData;
const db = new Database(file, { timeout: 5_000 });
// A stop message ends the wait at once: the writer waits for this thread to end.
const stop = new AbortController();
parentPort?.on('message', () => stop.abort());
let checkpointedAt = 0;
try {
  while (!stop.signal.aborted) {
    const woken = await sleep(everyMs, true, { signal: stop.signal }).catch(() => false);
    if (!woken) break;
    // The WAL's size says nothing (it is reused from its start); its time says whether it was written.
    const written = statSync(`${file}-wal`, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    if (written === checkpointedAt) continue;
    checkpointedAt = written;
    // PASSIVE: copies what no reader still needs, never waits for the writer or a reader.
    db.pragma('wal_checkpoint(PASSIVE)');
  }
} finally {
  db.close();
  parentPort?.close();
}

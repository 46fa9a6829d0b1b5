/**
 * CPU seconds of this process's threads over a run, by what they are (Linux /proc/self/task):
 * the main thread, the threads the run started (read threads, libuv's pool when first used),
 * and the threads that were there before it (V8's platform workers: optimizing compiles and
 * the garbage collector's helpers). process.cpuUsage() sums them all; where the PostgreSQL
 * target goes on 2 cores needs them apart. A thread that ends within the run (a read thread
 * when the ingest closes its pool) takes its time with it, so the threads are read every
 * SAMPLE_MS and each keeps its last reading: at most that much of a thread is missed.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const SAMPLE_MS = 20;
/** USER_HZ: the unit of utime and stime in /proc (100 on every Linux build Node runs on). */
const TICKS_PER_SECOND = 100;

export interface ThreadCpu {
  main: number;
  started: number;
  before: number;
}

/** Starts reading; `stop()` gives the CPU seconds each kind of thread used since. Null off Linux. */
export function sampleThreads(): { stop(): ThreadCpu } | null {
  if (!existsSync('/proc/self/task')) return null;
  const main = String(process.pid);
  const first = readTasks();
  const last = new Map(first);
  const sample = () => {
    for (const [tid, seconds] of readTasks()) last.set(tid, seconds);
  };
  const timer = setInterval(sample, SAMPLE_MS);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const used: ThreadCpu = { main: 0, started: 0, before: 0 };
      for (const [tid, seconds] of last) {
        const since = seconds - (first.get(tid) ?? 0);
        if (tid === main) used.main += since;
        else if (first.has(tid)) used.before += since;
        else used.started += since;
      }
      return used;
    },
  };
}

/** Each thread's CPU seconds so far, by thread id. */
function readTasks(): Map<string, number> {
  const tasks = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    // utime and stime are the 14th and 15th fields; the command name before them may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    tasks.set(tid, (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND);
  }
  return tasks;
}

/**
 * CPU seconds as Linux's /proc counts them: the local PostgreSQL server's processes, and this
 * process's threads over a run, by what they are (/proc/self/task):
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

/** CPU seconds used so far by the local PostgreSQL server's processes, null off Linux or without one. */
export function postgresServerCpuSeconds(): number | null {
  if (!existsSync('/proc/self/stat')) return null;
  let seconds = 0;
  let found = false;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const stat = readStat(`/proc/${pid}/stat`);
    if (stat === null || !stat.command.startsWith('postgres')) continue;
    seconds += stat.cpuSeconds;
    found = true;
  }
  return found ? seconds : null;
}

/** Each thread's CPU seconds so far, by thread id. */
function readTasks(): Map<string, number> {
  const tasks = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readStat(`/proc/self/task/${tid}/stat`);
    if (stat !== null) tasks.set(tid, stat.cpuSeconds);
  }
  return tasks;
}

/** A process's or thread's command and CPU seconds from its stat file; null when it ended meanwhile. */
function readStat(file: string): { command: string; cpuSeconds: number } | null {
  let stat: string;
  try {
    stat = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  // utime and stime are the 14th and 15th fields; the command name before them may hold spaces.
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  return {
    command: stat.slice(stat.indexOf('(') + 1, close),
    cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND,
  };
}

/** User and system CPU seconds of this process (every thread) since `start`. */
export function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

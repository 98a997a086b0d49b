/**
 * CPU time of bench processes, read from `/proc/<pid>/task/<tid>/schedstat` (Linux; nanoseconds on a CPU, not
 * the 10 ms ticks of `/proc/<pid>/stat`): a meter that splits a measured phase's CPU time by process and, within a
 * Node process, by kind of thread (`startCpuMeter`), and reads how idle the whole machine was meanwhile.
 * Threads that exited between two readings are not counted; a thread started between them counts whole.
 */
import { readdirSync, readFileSync } from 'node:fs';

/**
 * A process's CPU time in nanoseconds by kind of thread: `main` (the thread whose id is the process id: a Node
 * process's event loop), `workers` (Node `worker_threads`, named `WorkerThread`: the relay's verify pool),
 * `v8` (V8's platform threads, `V8Worker`: garbage collection and JIT compilation beside the main thread) and
 * `other` (libuv's pool, Node's inspector and signal threads, or every thread but the first of a process that
 * is not Node's).
 */
export interface ThreadCpu {
  total: number;
  main: number;
  workers: number;
  v8: number;
  other: number;
}

interface ThreadReading { tid: number; comm: string; ns: number }

function readThreads(pid: number | undefined): ThreadReading[] {
  if (pid === undefined) return [];
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out: ThreadReading[] = [];
  for (const tid of tids) {
    try {
      const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      out.push({ tid: Number(tid), comm, ns });
    } catch {
      // the thread exited while being read
    }
  }
  return out;
}

function kindOf(pid: number, t: ThreadReading): Exclude<keyof ThreadCpu, 'total'> {
  if (t.tid === pid) return 'main';
  if (t.comm.startsWith('WorkerThread')) return 'workers';
  if (t.comm.startsWith('V8Worker')) return 'v8';
  return 'other';
}

/** What a meter read: CPU time per process, and how idle the machine was. */
export interface CpuReading {
  /** Nanoseconds per process name since {@link startCpuMeter}, split by kind of thread. */
  processes: Record<string, ThreadCpu>;
  /**
   * Share (0..1) of all cores' time the whole machine spent idle (idle + iowait in `/proc/stat`) since the meter
   * started: CPU the measured processes could have used and did not. NaN where /proc/stat is not available.
   */
  machineIdle: number;
}

/** Reads, for each named process, the CPU time its threads spent since the meter started. */
export interface CpuMeter {
  read(): CpuReading;
}

/** The machine's CPU time counters (`/proc/stat`, first line: user nice system idle iowait ...), in ticks. */
function machineTicks(): { idle: number; total: number } {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    return { idle: (fields[3] ?? 0) + (fields[4] ?? 0), total: fields.reduce((a, b) => a + b, 0) };
  } catch {
    return { idle: Number.NaN, total: Number.NaN };
  }
}

/** Starts measuring the CPU time of `pids` (name -> process id; an undefined id reads as NaN). */
export function startCpuMeter(pids: Readonly<Record<string, number | undefined>>): CpuMeter {
  const start = new Map<string, Map<number, number>>();
  for (const [name, pid] of Object.entries(pids)) start.set(name, new Map(readThreads(pid).map((t) => [t.tid, t.ns])));
  const ticks = machineTicks();
  return {
    read() {
      const now = machineTicks();
      const machineIdle = (now.idle - ticks.idle) / (now.total - ticks.total);
      const out: Record<string, ThreadCpu> = {};
      for (const [name, pid] of Object.entries(pids)) {
        const cpu: ThreadCpu = { total: 0, main: 0, workers: 0, v8: 0, other: 0 };
        const before = start.get(name) ?? new Map<number, number>();
        const threads = readThreads(pid);
        if (pid === undefined || threads.length === 0) { // gone, or never started
          out[name] = { total: Number.NaN, main: Number.NaN, workers: Number.NaN, v8: Number.NaN, other: Number.NaN };
          continue;
        }
        for (const t of threads) {
          const ns = t.ns - (before.get(t.tid) ?? 0);
          cpu[kindOf(pid, t)] += ns;
          cpu.total += ns;
        }
        out[name] = cpu;
      }
      return { processes: out, machineIdle };
    },
  };
}

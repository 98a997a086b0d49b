/**
 * CPU time of a bench process, all its threads together (the relay's verify thread included), read from
 * `/proc/<pid>/task/<tid>/schedstat` (Linux; nanoseconds on a CPU, not the 10 ms ticks of `/proc/<pid>/stat`).
 * Threads that exited between two readings are not counted.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Nanoseconds process `pid`'s live threads have spent on a CPU; NaN where /proc is not available. */
export function readCpuNs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    let total = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // the thread exited while being read
      }
    }
    return total;
  } catch {
    return Number.NaN;
  }
}

/**
 * Concurrency helpers for the load generators: run many asynchronous jobs with at most N at a time, and
 * closed loops (each of N workers starts its next operation when the previous one settled).
 */
import { nowMs } from './stats.ts';

/** Runs `job(i)` for i in 0..count-1 with at most `concurrency` pending; resolves with the failure count. */
export async function runPool(count: number, concurrency: number, job: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  let failed = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      try {
        await job(i);
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return failed;
}

/** Outcome of {@link closedLoop}: latencies in ms of the successful operations. */
export interface ClosedLoopResult {
  samples: number[];
  completed: number;
  errors: number;
  /** From the first start to the last settlement, ms. */
  elapsedMs: number;
  /** First error message seen, if any (for the report). */
  firstError?: string;
}

/**
 * Runs `op` in a closed loop with `concurrency` workers until `durationMs` has passed since the start (no new
 * operation starts after it) or `count` operations have started, whichever comes first.
 */
export async function closedLoop(
  op: () => Promise<unknown>, concurrency: number, limit: { durationMs?: number; count?: number },
): Promise<ClosedLoopResult> {
  const samples: number[] = [];
  let started = 0;
  let errors = 0;
  let firstError: string | undefined;
  const t0 = nowMs();
  const deadline = t0 + (limit.durationMs ?? Number.POSITIVE_INFINITY);
  const maxCount = limit.count ?? Number.POSITIVE_INFINITY;
  const worker = async (): Promise<void> => {
    while (started < maxCount && nowMs() < deadline) {
      started++;
      const t = nowMs();
      try {
        await op();
        samples.push(nowMs() - t);
      } catch (err) {
        errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const result: ClosedLoopResult = { samples, completed: samples.length, errors, elapsedMs: nowMs() - t0 };
  if (firstError !== undefined) result.firstError = firstError;
  return result;
}

/**
 * Child side of the benchmark process model: report to the parent and wait for its commands.
 */
import { getHeapSpaceStatistics } from 'node:v8';
import type { IpcMessage } from './child.ts';
import { closedLoop } from './pool.ts';

/** Sends `message` to the parent process. */
export function toParent(message: IpcMessage): void {
  process.send?.(message);
}

/** Resolves with the next parent message of `type`. */
export function fromParent(type: string): Promise<IpcMessage> {
  return new Promise((resolve) => {
    const onMessage = (raw: unknown): void => {
      const msg = raw as IpcMessage;
      if (msg.type !== type) return;
      process.off('message', onMessage);
      resolve(msg);
    };
    process.on('message', onMessage);
  });
}

/** Exits on SIGTERM or when the parent goes away, and reports fatal errors to stderr. */
export function exitWithParent(): void {
  process.on('SIGTERM', () => process.exit(0));
  process.on('disconnect', () => process.exit(0));
}

/**
 * Answers the parent's `gc` messages: runs a full garbage collection (when the process was started with
 * `--expose-gc`; otherwise nothing) and replies `gc-done`. Used before reading RSS (`lib/rss.ts`).
 */
export function serveGc(): void {
  process.on('message', (raw: unknown) => {
    if ((raw as IpcMessage).type !== 'gc') return;
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc !== undefined) for (let i = 0; i < 3; i++) gc();
    setImmediate(() => {
      const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size]));
      const { heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
      toParent({ type: 'gc-done', exposed: gc !== undefined, heapUsed, heapTotal, external, arrayBuffers, spaces });
    });
  });
}

/**
 * Serves closed-loop runs of `op` for the parent: each `{ type: 'run', concurrency, durationMs?, count? }`
 * message runs `closedLoop` (lib/pool.ts) and is answered with `{ type: 'ran', ...result }`. Runs are
 * sequential; the process keeps serving until it exits.
 */
export async function serveClosedLoops(op: () => Promise<unknown>): Promise<never> {
  for (;;) {
    const run = await fromParent('run') as IpcMessage & { concurrency: number; durationMs?: number; count?: number };
    const limit: { durationMs?: number; count?: number } = {};
    if (run.durationMs !== undefined) limit.durationMs = run.durationMs;
    if (run.count !== undefined) limit.count = run.count;
    const result = await closedLoop(op, run.concurrency, limit);
    toParent({ type: 'ran', ...result });
  }
}

/**
 * Resident set size of a bench process, read from `/proc/<pid>/status` (Linux), optionally after asking the
 * child to collect garbage (children forked with `--expose-gc` answer `gc` with `gc-done`, see `serveGc`).
 */
import { readFileSync } from 'node:fs';
import type { BenchChild } from './child.ts';

/** VmRSS of process `pid` in bytes; NaN where /proc is not available. */
export function readRssBytes(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? Number.NaN : Number(match[1]) * 1024;
  } catch {
    return Number.NaN;
  }
}

/** Memory of a bench process after garbage collection, bytes. */
export interface SettledMemory {
  /** Smallest VmRSS reading. */
  rss: number;
  /** V8 heap in use after the last collection (JS objects; the rest of RSS is code, native buffers, slack). */
  heapUsed: number;
  /** V8 young generation (new space) committed, bytes: sized by allocation rate, not by what is retained. */
  newSpace: number;
}

/**
 * Memory after garbage collection settled: `samples` times, ask the child to run a full GC, wait `pauseMs`,
 * read VmRSS; keeps the smallest reading (freed pages come back to the OS with a delay).
 */
export async function settledMemory(child: BenchChild, samples = 3, pauseMs = 150): Promise<SettledMemory> {
  let rss = Number.POSITIVE_INFINITY;
  let heapUsed = Number.NaN;
  let newSpace = Number.NaN;
  for (let i = 0; i < samples; i++) {
    child.send({ type: 'gc' });
    const done = await child.next('gc-done', 30_000);
    heapUsed = Number(done.heapUsed);
    newSpace = Number((done.spaces as Record<string, number> | undefined)?.new_space ?? Number.NaN);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    rss = Math.min(rss, readRssBytes(child.proc.pid));
  }
  return { rss, heapUsed, newSpace };
}

/** VmRSS in bytes after garbage collection settled (see {@link settledMemory}). */
export async function settledRss(child: BenchChild): Promise<number> {
  return (await settledMemory(child)).rss;
}

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

/**
 * Anonymous (heap, stacks, malloc arenas) and file-backed resident bytes of process `pid`, from
 * `/proc/<pid>/smaps_rollup` (Linux >= 4.14); NaN where it is not available.
 */
export function readRssParts(pid: number | undefined): { anonymous: number; file: number } {
  const none = { anonymous: Number.NaN, file: Number.NaN };
  if (pid === undefined) return none;
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(text)?.[1] ?? Number.NaN) * 1024;
    return { anonymous: kb('Anonymous'), file: kb('Rss') - kb('Anonymous') };
  } catch {
    return none;
  }
}

/** Memory of a bench process after garbage collection, bytes. */
export interface SettledMemory {
  /** Smallest VmRSS reading. */
  rss: number;
  /** V8 heap in use after the last collection (JS objects; the rest of RSS is code, native buffers, slack). */
  heapUsed: number;
  /** V8 heap committed (every space), bytes. */
  heapTotal: number;
  /** Memory of ArrayBuffers and Buffers (outside the V8 heap; counted in `external` too), bytes. */
  arrayBuffers: number;
  /** V8 young generation (new space) committed, bytes: sized by allocation rate, not by what is retained. */
  newSpace: number;
  /** Anonymous and file-backed parts of RSS at the smallest reading (see {@link readRssParts}). */
  anonymous: number;
  file: number;
}

/**
 * Memory after garbage collection settled: `samples` times, ask the child to run a full GC, wait `pauseMs`,
 * read VmRSS; keeps the smallest reading (freed pages come back to the OS with a delay).
 */
export async function settledMemory(child: BenchChild, samples = 3, pauseMs = 150): Promise<SettledMemory> {
  let settled: SettledMemory | undefined;
  for (let i = 0; i < samples; i++) {
    child.send({ type: 'gc' });
    const done = await child.next('gc-done', 30_000);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    const rss = readRssBytes(child.proc.pid);
    if (settled !== undefined && !(rss < settled.rss)) continue;
    settled = {
      rss, heapUsed: Number(done.heapUsed), heapTotal: Number(done.heapTotal), arrayBuffers: Number(done.arrayBuffers),
      newSpace: Number((done.spaces as Record<string, number> | undefined)?.new_space ?? Number.NaN),
      ...readRssParts(child.proc.pid),
    };
  }
  if (settled === undefined) throw new RangeError('settledMemory needs at least one sample');
  return settled;
}

/** VmRSS in bytes after garbage collection settled (see {@link settledMemory}). */
export async function settledRss(child: BenchChild): Promise<number> {
  return (await settledMemory(child)).rss;
}

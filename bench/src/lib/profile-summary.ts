/**
 * Reads the `.cpuprofile` files a `--cpu-prof` run left in a directory and prints, per bench process, the
 * sampled CPU time and its top functions by self time (used by the `profile-*.ts` scripts).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

/** Self time per function (µs) and the busy total (µs, idle and GC-free program samples excluded). */
export interface ProfileTotals { file: string; proc: string; busyUs: number; self: Map<string, number> }

/** Summarizes every profile in `dir` whose code includes `bench/src/procs/<name>.ts` for a name in `procs`. */
export function readProfiles(dir: string, procs: readonly string[]): ProfileTotals[] {
  const out: ProfileTotals[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
    const proc = procs.find((p) => profile.nodes.some((n) => n.callFrame.url.endsWith(`/procs/${p}.ts`)));
    if (proc === undefined) continue;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map<string, number>();
    let busyUs = 0;
    profile.samples.forEach((id, i) => {
      const frame = byId.get(id)?.callFrame;
      const key = frame === undefined ? '?' : `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber}`;
      const delta = profile.timeDeltas[i] ?? 0;
      self.set(key, (self.get(key) ?? 0) + delta);
      if (frame?.functionName !== '(idle)') busyUs += delta;
    });
    out.push({ file, proc, busyUs, self });
  }
  return out;
}

/** Prints a profile's busy time (per `unitCount` units when given) and its `top` functions by self time. */
export function printProfile(p: ProfileTotals, top = 20, unitCount?: number, unit = 'unit'): void {
  const per = unitCount === undefined ? '' : `, ${(p.busyUs / unitCount).toFixed(0)} µs per ${unit}`;
  console.log(`\n${p.proc} (${p.file}): ${Math.round(p.busyUs / 1000)} ms busy${per}`);
  for (const [key, us] of [...p.self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    const each = unitCount === undefined ? '' : ` ${(us / unitCount).toFixed(1).padStart(7)} µs/${unit}`;
    console.log(`${String(Math.round(us / 1000)).padStart(7)} ms ${(100 * us / p.busyUs).toFixed(1).padStart(5)}%${each}  ${key}`);
  }
}

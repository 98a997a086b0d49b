/**
 * `node --cpu-prof --cpu-prof-dir=DIR bench/src/profile-routed.ts [count] [DIR] [default|inline|off]`: one routed
 * run (figure 2, durability 'normal', relay signature verification as `VerifyMode`) with every bench process CPU-profiled (forked children inherit --cpu-prof), then prints
 * the relay process's top functions by self time. Open the .cpuprofile files in Chrome DevTools for more.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { buildWorkload, writeWorkload } from './lib/workload.ts';
import { routedRun, type VerifyMode } from './figures/routed.ts';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

const count = Number(process.argv[2] ?? 6000);
const dir = process.argv[3] ?? process.execArgv.find((a) => a.startsWith('--cpu-prof-dir='))?.slice('--cpu-prof-dir='.length);
if (dir === undefined || !process.execArgv.includes('--cpu-prof')) {
  console.error('run with: node --cpu-prof --cpu-prof-dir=DIR bench/src/profile-routed.ts [count]');
  process.exit(2);
}
const workloadFile = join(tmpdir(), `baton-profile-${process.pid}.json`);
writeWorkload(workloadFile, buildWorkload(count));
const verify = (process.argv[4] ?? 'default') as VerifyMode;
const run = await routedRun(workloadFile, count, 'normal', 512, verify);
console.log(`routed: ${Math.round(run.acceptedPerSec)} accepted/s, ${Math.round(run.deliveredPerSec)} delivered/s`);
// Children write their profiles on exit; the relay's is the one whose code includes procs/relay.ts.
await new Promise((resolve) => setTimeout(resolve, 500));
for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
  if (!profile.nodes.some((n) => n.callFrame.url.endsWith('/procs/relay.ts'))) continue;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)?.callFrame;
    const key = frame === undefined ? '?' : `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber}`;
    const delta = profile.timeDeltas[i] ?? 0;
    self.set(key, (self.get(key) ?? 0) + delta);
    total += delta;
  });
  console.log(`relay profile ${file}: ${Math.round(total / 1000)} ms sampled`);
  for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
    console.log(`${String(Math.round(us / 1000)).padStart(7)} ms ${(100 * us / total).toFixed(1).padStart(5)}%  ${key}`);
  }
}
process.exit(0);

/**
 * `node --cpu-prof --cpu-prof-dir=DIR bench/src/profile-routed.ts [count] [DIR] [default|inline|off]`: one routed
 * run (figure 2, durability 'normal', relay signature verification as `VerifyMode`) with every bench process CPU-profiled (forked children inherit --cpu-prof), then prints
 * the relay process's busy time per message and its top functions by self time. Open the .cpuprofile files in Chrome DevTools for more.
 */
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { printProfile, readProfiles } from './lib/profile-summary.ts';
import { buildWorkload, writeWorkload } from './lib/workload.ts';
import { routedRun, type VerifyMode } from './figures/routed.ts';

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
for (const p of readProfiles(dir, ['relay'])) printProfile(p, 20, count, 'msg');
process.exit(0);

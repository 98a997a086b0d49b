/**
 * `node --cpu-prof --cpu-prof-dir=DIR bench/src/profile-latency.ts [rate] [durationMs] [DIR] [fsync|normal]`:
 * one latency run (figure 4: `@baton/client` request -> receipt -> result at `rate` requests/s, default 200/s
 * for 5 s) with every bench process CPU-profiled, then prints the relay's, the provider's and the requester's
 * busy CPU time per round trip and their top functions by self time.
 */
import { latencyRun } from './figures/latency.ts';
import { printProfile, readProfiles } from './lib/profile-summary.ts';

const rate = Number(process.argv[2] ?? 200);
const durationMs = Number(process.argv[3] ?? 5000);
const dir = process.argv[4] ?? process.execArgv.find((a) => a.startsWith('--cpu-prof-dir='))?.slice('--cpu-prof-dir='.length);
if (dir === undefined || !process.execArgv.includes('--cpu-prof')) {
  console.error('run with: node --cpu-prof --cpu-prof-dir=DIR bench/src/profile-latency.ts [rate] [durationMs]');
  process.exit(2);
}
const run = await latencyRun(rate, durationMs, process.argv[5] === 'normal' ? 'normal' : 'fsync');
console.log(`latency at ${rate}/s: p50 ${run.summary.p50.toFixed(2)} ms, p99 ${run.summary.p99.toFixed(2)} ms, `
  + `${Math.round(run.achievedPerSec)} completed/s; sequential p50 ${run.sequential.p50.toFixed(2)} ms`);
const cpu = run.sequentialCpu;
// CPU time from /proc, unlike the profiles' busy time, which is wall time sampled (bench/README "Profiling")
console.log(`CPU per sequential round trip: relay ${cpu.relay.toFixed(2)} ms, provider ${cpu.provider.toFixed(2)} ms, `
  + `requester ${cpu.requester.toFixed(2)} ms`);
await new Promise((resolve) => setTimeout(resolve, 500));
// Round trips each process handled: warm-up 50 + sequential 200 (procs/client-requester.ts) + the timed load.
const roundTrips = 250 + Math.round((rate * durationMs) / 1000);
for (const p of readProfiles(dir, ['relay', 'client-provider', 'client-requester'])) printProfile(p, 25, roundTrips, 'rt');
process.exit(0);

/**
 * The latency section: bare sequential `ws` round trips (the baseline) and `@baton/client` request ->
 * receipt -> result round trips at fixed offered loads (`latency.at_<rate>.*`, relay durability fsync), one
 * request at a time (`latency.sequential_*`, with `latency.sequential_cpu`: the CPU time the three processes spend
 * per such round trip), and at the first load with durability normal
 * (`latency.normal.*`: durability side by side). Targets at 1,000 requests/s: p50 <= 2x the bare round trip,
 * p99 < 5 ms.
 */
import { bareRoundTrips } from '../figures/baseline.ts';
import { latencyRun } from '../figures/latency.ts';
import { round } from '../lib/stats.ts';
import type { Figures } from '../report/figure.ts';

const TARGET_RATE = 1_000;

/** Runs the latency figures over the pre-signed workload in `workloadFile` (bare round trips only). */
export async function latencySection(
  workloadFile: string, c: { rtts: number; loads: readonly { rate: number; ms: number }[] }, log: (m: string) => void,
): Promise<Figures> {
  log('bare ws round trips');
  const bare = await bareRoundTrips(workloadFile, c.rtts);
  const figures: Figures = {};
  figures['baseline.ws_rtt_p50'] = { value: round(bare.p50), unit: 'ms', note: `sequential, n=${bare.n}` };
  figures['baseline.ws_rtt_p99'] = { value: round(bare.p99), unit: 'ms' };
  let firstP99: number | undefined;
  for (const [i, load] of c.loads.entries()) {
    log(`client request round trips at ${load.rate}/s for ${load.ms} ms, durability fsync`);
    const run = await latencyRun(load.rate, load.ms, 'fsync');
    const lat = run.summary;
    const key = `latency.at_${load.rate}`;
    const targeted = load.rate === TARGET_RATE;
    figures[`${key}.p50`] = {
      value: round(lat.p50), unit: 'ms', ratio: round(lat.p50 / bare.p50, 2), baseline: 'baseline.ws_rtt_p50',
      ...(targeted ? { target: '<= 2x bare', met: lat.p50 <= 2 * bare.p50 } : {}),
      note: `agent.request at ${load.rate}/s offered (open loop, latency from each request's due time) for ${load.ms} ms, ` +
        `durability fsync; ${lat.n} completed at ${round(run.achievedPerSec, 0)}/s, ${run.errors} failed (10 s timeout)`,
    };
    figures[`${key}.p99`] = { value: round(lat.p99), unit: 'ms', ...(targeted ? { target: '< 5 ms', met: lat.p99 < 5 } : {}) };
    figures[`${key}.p999`] = { value: round(lat.p999), unit: 'ms' };
    if (i === 0) {
      firstP99 = lat.p99;
      const seq = run.sequential;
      figures['latency.sequential_p50'] = {
        value: round(seq.p50), unit: 'ms', ratio: round(seq.p50 / bare.p50, 2), baseline: 'baseline.ws_rtt_p50',
        note: `one request at a time, n=${seq.n}`,
      };
      figures['latency.sequential_p99'] = { value: round(seq.p99), unit: 'ms' };
      const cpu = run.sequentialCpu;
      const total = cpu.relay + cpu.provider + cpu.requester;
      figures['latency.sequential_cpu'] = {
        value: round(total), unit: 'ms', ratio: round(total / seq.p50, 3), baseline: 'latency.sequential_p50',
        note: `CPU time per sequential round trip, all threads: relay ${round(cpu.relay)} ms (its verify thread included), provider `
          + `${round(cpu.provider)} ms, requester ${round(cpu.requester)} ms; mean round trip ${round(seq.mean)} ms (CPU / mean ${round(total / seq.mean, 2)}). The three processes `
          + 'take turns along one chain of work, so a ratio near or above 1 says the unloaded round trip is CPU-bound (2 cores), not waiting',
      };
    }
  }
  const first = c.loads[0];
  if (first !== undefined && firstP99 !== undefined) {
    log(`client request round trips at ${first.rate}/s, durability normal`);
    const normal = await latencyRun(first.rate, first.ms, 'normal');
    figures['latency.normal.p50'] = {
      value: round(normal.summary.p50), unit: 'ms',
      note: `as latency.at_${first.rate} with durability normal, n=${normal.summary.n}, errors=${normal.errors}`,
    };
    figures['latency.normal.p99'] = {
      value: round(normal.summary.p99), unit: 'ms', ratio: round(normal.summary.p99 / firstP99, 3), baseline: `latency.at_${first.rate}.p99`,
    };
    figures['latency.normal.sequential_p99'] = { value: round(normal.sequential.p99), unit: 'ms' };
  }
  return figures;
}

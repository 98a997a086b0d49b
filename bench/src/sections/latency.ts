/**
 * The latency section: bare sequential `ws` round trips (the baseline) and `@baton/client` request ->
 * receipt -> result round trips at a fixed offered load and sequentially, with the relay at durability fsync
 * (the `latency.request_*` figures) and at durability normal (`latency.normal.*`, durability side by side).
 */
import { bareRoundTrips } from '../figures/baseline.ts';
import { latencyRun } from '../figures/latency.ts';
import { round } from '../lib/stats.ts';
import type { Figures } from '../report/figure.ts';

/** Runs the latency figures over the pre-signed workload in `workloadFile` (bare round trips only). */
export async function latencySection(
  workloadFile: string, c: { rtts: number; rate: number; latencyMs: number }, log: (m: string) => void,
): Promise<Figures> {
  log('bare ws round trips');
  const bare = await bareRoundTrips(workloadFile, c.rtts);
  log(`client request round trips at ${c.rate}/s, durability fsync`);
  const fsync = await latencyRun(c.rate, c.latencyMs, 'fsync');
  log(`client request round trips at ${c.rate}/s, durability normal`);
  const normal = await latencyRun(c.rate, c.latencyMs, 'normal');

  const figures: Figures = {};
  figures['baseline.ws_rtt_p50'] = { value: round(bare.p50), unit: 'ms', note: `sequential, n=${bare.n}` };
  figures['baseline.ws_rtt_p99'] = { value: round(bare.p99), unit: 'ms' };
  const lat = fsync.summary;
  figures['latency.request_p50'] = {
    value: round(lat.p50), unit: 'ms', ratio: round(lat.p50 / bare.p50, 2), baseline: 'baseline.ws_rtt_p50',
    target: '<= 2x bare', met: lat.p50 <= 2 * bare.p50,
    note: `agent.request at ${c.rate}/s offered for ${c.latencyMs} ms, durability fsync, n=${lat.n}, errors=${fsync.errors}`,
  };
  figures['latency.request_p99'] = { value: round(lat.p99), unit: 'ms', target: '< 5 ms', met: lat.p99 < 5 };
  figures['latency.request_p999'] = { value: round(lat.p999), unit: 'ms' };
  const seq = fsync.sequential;
  figures['latency.request_sequential_p50'] = {
    value: round(seq.p50), unit: 'ms', ratio: round(seq.p50 / bare.p50, 2), baseline: 'baseline.ws_rtt_p50',
    target: '<= 2x bare', met: seq.p50 <= 2 * bare.p50, note: `one request at a time, n=${seq.n}`,
  };
  figures['latency.request_sequential_p99'] = { value: round(seq.p99), unit: 'ms', target: '< 5 ms', met: seq.p99 < 5 };
  figures['latency.normal.request_p50'] = {
    value: round(normal.summary.p50), unit: 'ms',
    note: `as latency.request_p50 with durability normal, n=${normal.summary.n}, errors=${normal.errors}`,
  };
  figures['latency.normal.request_p99'] = {
    value: round(normal.summary.p99), unit: 'ms', ratio: round(normal.summary.p99 / lat.p99, 3), baseline: 'latency.request_p99',
  };
  figures['latency.normal.request_sequential_p99'] = { value: round(normal.sequential.p99), unit: 'ms' };
  return figures;
}

/**
 * Figure 4: request -> receipt -> result round trips through a relay process with `@baton/client`
 * (`agent.request`), at a fixed offered load (open loop) and sequentially (unloaded, 200 requests, with the CPU
 * time each process spends per round trip), requester and provider in separate processes.
 */
import { forkChild, withBenchChildren } from '../lib/child.ts';
import { startCpuMeter } from '../lib/cpu-time.ts';
import { summarize, type LatencySummary } from '../lib/stats.ts';

/** CPU time (ms) per sequential round trip of each process, all threads (the relay's verify thread included). */
export interface RoundTripCpu {
  relay: number;
  provider: number;
  requester: number;
}

/** Runs `rate` requests/s for `durationMs` against a relay with `durability` and summarizes the latencies (ms). */
export async function latencyRun(
  rate: number, durationMs: number, durability: 'fsync' | 'normal' = 'fsync',
): Promise<{ summary: LatencySummary; sequential: LatencySummary; sequentialCpu: RoundTripCpu; errors: number; achievedPerSec: number }> {
  return withBenchChildren('baton-bench-lat-', async (children, dataDir) => {
    const relay = forkChild('relay', [dataDir, durability]);
    children.push(relay);
    const { url } = await relay.next('ready') as unknown as { url: string };
    const provider = forkChild('client-provider', [url]);
    children.push(provider);
    await provider.next('ready');
    const requester = forkChild('client-requester', [url, String(rate), String(durationMs)]);
    children.push(requester);
    await requester.next('warm');
    const meter = startCpuMeter({ relay: relay.proc.pid, provider: provider.proc.pid, requester: requester.proc.pid });
    requester.send({ type: 'measure' });
    const { sequential } = await requester.next('ready') as unknown as { sequential: number[] };
    const { processes } = meter.read();
    const ms = (name: keyof RoundTripCpu): number => (processes[name]?.total ?? Number.NaN) / 1e6 / sequential.length;
    const sequentialCpu = { relay: ms('relay'), provider: ms('provider'), requester: ms('requester') };
    requester.send({ type: 'start' });
    const done = await requester.next('done', durationMs + 60_000) as unknown as { samples: number[]; errors: number; elapsedMs: number };
    return {
      summary: summarize(done.samples), sequential: summarize(sequential), sequentialCpu, errors: done.errors,
      achievedPerSec: done.samples.length / (done.elapsedMs / 1000),
    };
  });
}

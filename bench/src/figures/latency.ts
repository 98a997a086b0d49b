/**
 * Figure 4: request -> receipt -> result round trips through a relay process with `@baton/client`
 * (`agent.request`), at a fixed offered load (open loop) and sequentially (unloaded, 100 requests), requester
 * and provider in separate processes.
 */
import { forkChild, withBenchChildren } from '../lib/child.ts';
import { summarize, type LatencySummary } from '../lib/stats.ts';

/** Runs `rate` requests/s for `durationMs` against a relay with `durability` and summarizes the latencies (ms). */
export async function latencyRun(
  rate: number, durationMs: number, durability: 'fsync' | 'normal' = 'fsync',
): Promise<{ summary: LatencySummary; sequential: LatencySummary; errors: number; achievedPerSec: number }> {
  return withBenchChildren('baton-bench-lat-', async (children, dataDir) => {
    const relay = forkChild('relay', [dataDir, durability]);
    children.push(relay);
    const { url } = await relay.next('ready') as unknown as { url: string };
    const provider = forkChild('client-provider', [url]);
    children.push(provider);
    await provider.next('ready');
    const requester = forkChild('client-requester', [url, String(rate), String(durationMs)]);
    children.push(requester);
    const { sequential } = await requester.next('ready') as unknown as { sequential: number[] };
    requester.send({ type: 'start' });
    const done = await requester.next('done', durationMs + 60_000) as unknown as { samples: number[]; errors: number; elapsedMs: number };
    return {
      summary: summarize(done.samples), sequential: summarize(sequential), errors: done.errors,
      achievedPerSec: done.samples.length / (done.elapsedMs / 1000),
    };
  });
}

/**
 * Figure 4: request -> receipt -> result round trips through a relay process with `@baton/client`
 * (`agent.request`), at a fixed offered load (open loop) and sequentially (unloaded, 100 requests), requester
 * and provider in separate processes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forkChild, type BenchChild } from '../lib/child.ts';
import { summarize, type LatencySummary } from '../lib/stats.ts';

/** Runs `rate` requests/s for `durationMs` and summarizes the latencies (ms). */
export async function latencyRun(rate: number, durationMs: number): Promise<{ summary: LatencySummary; sequential: LatencySummary; errors: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-bench-lat-'));
  const children: BenchChild[] = [];
  try {
    const relay = forkChild('relay', [dataDir, 'fsync']);
    children.push(relay);
    const { url } = await relay.next('ready') as unknown as { url: string };
    const provider = forkChild('client-provider', [url]);
    children.push(provider);
    await provider.next('ready');
    const requester = forkChild('client-requester', [url, String(rate), String(durationMs)]);
    children.push(requester);
    const { sequential } = await requester.next('ready') as unknown as { sequential: number[] };
    requester.send({ type: 'start' });
    const done = await requester.next('done', durationMs + 60_000) as unknown as { samples: number[]; errors: number };
    return { summary: summarize(done.samples), sequential: summarize(sequential), errors: done.errors };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Peer figures: request round trips in closed loops at a given number in flight. The A2A JavaScript SDK
 * (echo agent on its Express integration with the default InMemoryTaskStore, driven by the SDK's client with
 * blocking sendMessage) against `@baton/client` (request -> receipt -> result with an echo provider, through
 * a relay process). Each run uses fresh server processes; server RSS is read after the run. Also the relay's
 * RSS after two numbers of completed round trips (does relay memory grow with completed tasks?).
 */
import { forkChild, withBenchChildren, type BenchChild } from '../lib/child.ts';
import { startCpuMeter } from '../lib/cpu-time.ts';
import type { ClosedLoopResult } from '../lib/pool.ts';
import { LONG_RUN_ENV, MEMORY_FLAGS } from '../lib/memory-flags.ts';
import { readRssBytes, settledMemory, type SettledMemory } from '../lib/rss.ts';
import { perUnit, type CpuPerUnit } from '../report/cpu-figures.ts';
import type { VerifyMode } from './routed.ts';

/** One closed-loop run. */
export interface RttRun {
  /** Completed round trips per second. */
  perSec: number;
  /** Round-trip latencies, ms. */
  samples: number[];
  /** Server (A2A agent or relay) RSS after the run, bytes. */
  serverRss: number;
  errors: number;
  firstError: string | null;
  /** CPU time per completed round trip of the server and the clients (every process of the run) during the run. */
  cpu: CpuPerUnit;
}

/** Longest a round trip may take on average in a count-limited run before the bench gives up on it (ms). */
const SLOWEST_ROUND_TRIP_MS = 5;

async function drive(driver: BenchChild, limit: { concurrency: number; durationMs?: number; count?: number }): Promise<ClosedLoopResult> {
  driver.send({ type: 'run', ...limit });
  const budget = limit.durationMs ?? Math.max(600_000, (limit.count ?? 0) * SLOWEST_ROUND_TRIP_MS);
  return await driver.next('ran', budget + 120_000) as unknown as ClosedLoopResult;
}

/**
 * Drives `driver` for `durationMs` at `concurrency` while metering the CPU time of `pids`; `server` names the
 * process whose RSS is read after the run.
 */
async function meteredRun(driver: BenchChild, pids: Readonly<Record<string, number | undefined>>, server: string, concurrency: number, durationMs: number): Promise<RttRun> {
  const meter = startCpuMeter(pids);
  const r = await drive(driver, { concurrency, durationMs });
  const cpu = perUnit(meter.read(), r.completed);
  return { perSec: r.completed / (r.elapsedMs / 1000), samples: r.samples, serverRss: readRssBytes(pids[server]), errors: r.errors, firstError: r.firstError ?? null, cpu };
}

function withChildren<T>(body: (children: BenchChild[], dataDir: string) => Promise<T>): Promise<T> {
  return withBenchChildren('baton-bench-peers-', body);
}

function fork(children: BenchChild[], name: string, args: string[] = [], extraNodeFlags: readonly string[] = [], env?: Readonly<Record<string, string>>): BenchChild {
  const child = forkChild(name, args, env === undefined ? { extraNodeFlags } : { extraNodeFlags, env });
  children.push(child);
  return child;
}

/** One A2A run: `concurrency` blocking sendMessage calls in flight for `durationMs`. */
export function a2aRun(concurrency: number, durationMs: number): Promise<RttRun> {
  return withChildren(async (children) => {
    const server = fork(children, 'a2a-server');
    const { url } = await server.next('ready') as unknown as { url: string };
    const driver = fork(children, 'a2a-driver', [url]);
    await driver.next('ready', 120_000);
    return await meteredRun(driver, { server: server.proc.pid, driver: driver.proc.pid }, 'server', concurrency, durationMs);
  });
}

/** Starts a relay (`durability`), the echo provider and the requester; resolves once all are warm. */
async function batonTrio(children: BenchChild[], dataDir: string, durability: 'fsync' | 'normal', memory: boolean, verify: VerifyMode = 'default'): Promise<{ relay: BenchChild; provider: BenchChild; driver: BenchChild }> {
  const relay = memory ? fork(children, 'relay', [dataDir, durability, verify], MEMORY_FLAGS, LONG_RUN_ENV) : fork(children, 'relay', [dataDir, durability, verify]);
  const { url } = await relay.next('ready') as unknown as { url: string };
  const provider = fork(children, 'client-provider', [url]);
  await provider.next('ready');
  const driver = fork(children, 'client-driver', [url]);
  await driver.next('ready', 120_000);
  return { relay, provider, driver };
}

/**
 * One Baton run: `concurrency` `agent.request` calls in flight for `durationMs`. `verify` is the relay's
 * signature checking (procs/relay.ts): `default` as deployed (SIG-4), `off` for the figure with
 * signatures checked by the recipients only (the clients verify in both).
 */
export function batonRequestRun(concurrency: number, durationMs: number, durability: 'fsync' | 'normal', verify: VerifyMode = 'default'): Promise<RttRun> {
  return withChildren(async (children, dataDir) => {
    const { relay, provider, driver } = await batonTrio(children, dataDir, durability, false, verify);
    const pids = { relay: relay.proc.pid, provider: provider.proc.pid, requester: driver.proc.pid };
    return await meteredRun(driver, pids, 'relay', concurrency, durationMs);
  });
}

/**
 * Relay memory after GC once each of `checkpoints` (ascending counts of completed round trips, 32 in flight) is
 * reached, the relay forked with MEMORY_FLAGS (young generation pinned) and LONG_RUN_ENV (2 malloc arenas).
 * `rss[i]`, `heap[i]` (JS heap used) and `memory[i]` (the full reading, bytes) belong to `checkpoints[i]`.
 */
export function batonRssGrowth(checkpoints: readonly number[], concurrency: number, durability: 'fsync' | 'normal'): Promise<{ rss: number[]; heap: number[]; memory: SettledMemory[]; perSec: number; errors: number }> {
  return withChildren(async (children, dataDir) => {
    const { relay, driver } = await batonTrio(children, dataDir, durability, true);
    const memory: SettledMemory[] = [];
    let done = 0;
    let elapsedMs = 0;
    let completed = 0;
    let errors = 0;
    for (const checkpoint of checkpoints) {
      const run = await drive(driver, { concurrency, count: checkpoint - done });
      done = checkpoint;
      elapsedMs += run.elapsedMs;
      completed += run.completed;
      errors += run.errors;
      memory.push(await settledMemory(relay));
    }
    return { rss: memory.map((m) => m.rss), heap: memory.map((m) => m.heapUsed), memory, perSec: completed / (elapsedMs / 1000), errors };
  });
}

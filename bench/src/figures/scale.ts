/**
 * Scale figures (issue 6): relay RSS per connected, authenticated, idle agent against a bare `ws` server's
 * RSS per idle connection, with the connections opened by two load-generator processes; discovery latency
 * over N registered agents; and the authenticated handshake rate against the bare `ws` open+close rate.
 * Every server process here is forked with `--expose-gc` so that RSS is read after garbage collection.
 */
import { forkChild, withBenchChildren, type BenchChild } from '../lib/child.ts';
import type { ClosedLoopResult } from '../lib/pool.ts';
import { MEMORY_FLAGS } from '../lib/memory-flags.ts';
import { settledMemory, settledRss } from '../lib/rss.ts';

const GENERATORS = 2;
/** Keys the handshake generator cycles through (returning agents; each is first seen during its warm-up). */
export const HANDSHAKE_KEYS = 100;
const GC_FLAGS = ['--expose-gc'] as const;

/** Idle connections held open by one server process. RSS in bytes. */
export interface IdleRun {
  baseRss: number;
  loadedRss: number;
  opened: number;
  failed: number;
  /** Wall time to open all connections, ms. */
  openMs: number;
  /** RSS with half of the connections open. */
  middleRss: number;
  /** (loadedRss - middleRss) / connections of the second half: the marginal RSS of one more connection. */
  bytesPerConnection: number;
  /** (loadedRss - baseRss) / opened: the average, one-off growth included. */
  averagePerConnection: number;
  /** V8 heap growth per connection of the second half (part of bytesPerConnection). */
  heapPerConnection: number;
  /** V8 new space committed before, at half and at all connections, bytes. */
  newSpace: [number, number, number];
}

/** The relay's memory run: idle agents, then the same agents registered. */
export interface RelayIdleRun extends IdleRun {
  registeredRss: number;
  registerCodes: Record<string, number>;
  registerMs: number;
}

/** Discovery latencies (ms) over `agents` registered agents, by query kind. */
export interface DiscoveryRun {
  agents: number;
  registerCodes: Record<string, number>;
  capability: number[];
  tag: number[];
  /** Answers with fewer entries than the limit. */
  short: number;
  meanBytes: number;
}

async function startServer(
  kind: 'relay' | 'bare', dataDir: string, children: BenchChild[], durability: 'fsync' | 'normal', flags: readonly string[] = GC_FLAGS,
): Promise<{ server: BenchChild; url: string; did: string }> {
  const server = kind === 'relay'
    ? forkChild('relay', [dataDir, durability], { extraNodeFlags: flags })
    : forkChild('bare-server', [], { extraNodeFlags: flags });
  children.push(server);
  const ready = await server.next('ready') as unknown as { url: string; did?: string };
  return { server, url: ready.url, did: ready.did ?? '-' };
}

/**
 * Forks the generators (half of `n` each, agents `from` .. `from + n - 1` of `total`), lets them open their
 * connections, returns the totals.
 */
async function openSwarm(
  url: string, mode: 'baton' | 'bare', n: number, relayDid: string, children: BenchChild[], from = 0, total = n,
): Promise<{ swarm: BenchChild[]; opened: number; failed: number; ms: number }> {
  const swarm: BenchChild[] = [];
  for (let g = 0; g < GENERATORS; g++) {
    const share = Math.floor(n / GENERATORS) + (g < n % GENERATORS ? 1 : 0);
    const offset = from + g * Math.floor(n / GENERATORS) + Math.min(g, n % GENERATORS);
    const child = forkChild('agent-swarm', [url, mode, String(share), String(offset), String(total), relayDid]);
    children.push(child);
    swarm.push(child);
  }
  await Promise.all(swarm.map((c) => c.next('ready', 300_000)));
  for (const c of swarm) c.send({ type: 'open' });
  const results = await Promise.all(swarm.map((c) => c.next('opened', 300_000))) as unknown as { opened: number; failed: number; ms: number }[];
  return {
    swarm,
    opened: results.reduce((a, r) => a + r.opened, 0),
    failed: results.reduce((a, r) => a + r.failed, 0),
    ms: Math.max(...results.map((r) => r.ms)),
  };
}

/**
 * Opens `n` connections in two halves and reads memory before, between and after. The per-connection figures
 * are the growth from `n/2` to `n` connections divided by `n/2` (the marginal cost of one more connection at
 * this scale); the average over all `n` also counts one-off growth of the process in the first half (code
 * compiled, caches and pools filled). The server runs with {@link MEMORY_FLAGS}.
 */
async function idlePhase(server: BenchChild, url: string, mode: 'baton' | 'bare', n: number, did: string, children: BenchChild[]): Promise<IdleRun & { swarm: BenchChild[] }> {
  const base = await settledMemory(server);
  const half = Math.floor(n / 2);
  const first = await openSwarm(url, mode, half, did, children, 0, n);
  const middle = await settledMemory(server);
  const second = await openSwarm(url, mode, n - half, did, children, half, n);
  const loaded = await settledMemory(server);
  const marginal = (a: number, b: number): number => (b - a) / Math.max(1, second.opened);
  return {
    swarm: [...first.swarm, ...second.swarm], baseRss: base.rss, middleRss: middle.rss, loadedRss: loaded.rss,
    opened: first.opened + second.opened, failed: first.failed + second.failed, openMs: first.ms + second.ms,
    bytesPerConnection: marginal(middle.rss, loaded.rss), heapPerConnection: marginal(middle.heapUsed, loaded.heapUsed),
    averagePerConnection: (loaded.rss - base.rss) / Math.max(1, first.opened + second.opened),
    newSpace: [base.newSpace, middle.newSpace, loaded.newSpace],
  };
}

function withChildren<T>(body: (children: BenchChild[], dataDir: string) => Promise<T>): Promise<T> {
  return withBenchChildren('baton-bench-scale-', body);
}

/** `n` idle connections to a bare `ws` server: its RSS per connection. */
export function bareIdleRun(n: number): Promise<IdleRun> {
  return withChildren(async (children, dataDir) => {
    const { server, url } = await startServer('bare', dataDir, children, 'fsync', MEMORY_FLAGS);
    const { swarm: _swarm, ...run } = await idlePhase(server, url, 'bare', n, '-', children);
    return run;
  });
}

/** `n` agents connected and registered: the registration outcomes and how long they took (ms). */
async function registerAll(swarm: readonly BenchChild[]): Promise<{ registerCodes: Record<string, number>; registerMs: number }> {
  for (const c of swarm) c.send({ type: 'register' });
  const registered = await Promise.all(swarm.map((c) => c.next('registered', 300_000))) as unknown as { codes: Record<string, number>; ms: number }[];
  const registerCodes: Record<string, number> = {};
  for (const r of registered) for (const [code, k] of Object.entries(r.codes)) registerCodes[code] = (registerCodes[code] ?? 0) + k;
  return { registerCodes, registerMs: Math.max(...registered.map((r) => r.ms)) };
}

/**
 * `n` idle authenticated agents on a relay (memory flags, see {@link MEMORY_FLAGS}), then the same agents
 * registered. The relay runs with durability normal: memory does not depend on it, and with fsync every new
 * agent's first-seen row costs its own disk flush, which would make this setup phase several times longer.
 */
export function relayIdleRun(n: number, log: (m: string) => void): Promise<RelayIdleRun> {
  return withChildren(async (children, dataDir) => {
    const { server, url, did } = await startServer('relay', dataDir, children, 'normal', MEMORY_FLAGS);
    const { swarm, ...idle } = await idlePhase(server, url, 'baton', n, did, children);
    log(`scale: ${idle.opened} agents connected in ${Math.round(idle.openMs)} ms; registering them`);
    const registration = await registerAll(swarm);
    return { ...idle, ...registration, registeredRss: await settledRss(server) };
  });
}

/**
 * `queries` discoveries from one more agent over `n` registered, online agents, on a relay with Node's
 * default flags (the pinned young generation of the memory runs would put its collections into the latencies).
 */
export function discoveryRun(n: number, queries: number, log: (m: string) => void): Promise<DiscoveryRun> {
  return withChildren(async (children, dataDir) => {
    const { url, did } = await startServer('relay', dataDir, children, 'normal');
    const { swarm, opened } = await openSwarm(url, 'baton', n, did, children);
    log(`scale: ${opened} agents connected for discovery; registering them`);
    const { registerCodes } = await registerAll(swarm);
    log('scale: registered; discovery queries');
    const client = forkChild('discovery-client', [url, String(queries), String(n)]);
    children.push(client);
    await client.next('ready');
    client.send({ type: 'start' });
    const result = await client.next('done', 300_000) as unknown as Omit<DiscoveryRun, 'agents' | 'registerCodes'>;
    return { ...result, agents: opened, registerCodes };
  });
}

/** Handshake-rate runs: connections per second and per-connection latencies (ms), per mode. */
export interface HandshakeRuns {
  rates: Record<'bare' | 'baton', number[]>;
  samples: Record<'bare' | 'baton', number[]>;
  errors: number;
  firstError: string | null;
}

/**
 * `runs` interleaved handshake-rate runs (bare `ws` open+close, then the relay's authenticated handshake), each
 * `durationMs` long with `concurrency` connections in flight, against one bare server and one relay (durability
 * fsync) started once, each driven by its own generator process.
 */
export function handshakeRateRuns(runs: number, concurrency: number, durationMs: number, log: (m: string) => void): Promise<HandshakeRuns> {
  return withChildren(async (children, dataDir) => {
    const startStorm = async (mode: 'bare' | 'baton'): Promise<BenchChild> => {
      const { url } = await startServer(mode === 'baton' ? 'relay' : 'bare', dataDir, children, 'fsync');
      const storm = forkChild('handshake-storm', [url, mode, String(HANDSHAKE_KEYS)]);
      children.push(storm);
      await storm.next('ready', 120_000);
      return storm;
    };
    const storms = { bare: await startStorm('bare'), baton: await startStorm('baton') };
    const out: HandshakeRuns = { rates: { bare: [], baton: [] }, samples: { bare: [], baton: [] }, errors: 0, firstError: null };
    for (let run = 1; run <= runs; run++) {
      log(`scale: handshake rate run ${run}/${runs} (bare ws, then relay)`);
      for (const mode of ['bare', 'baton'] as const) {
        storms[mode].send({ type: 'run', concurrency, durationMs });
        const r = await storms[mode].next('ran', durationMs + 60_000) as unknown as ClosedLoopResult;
        out.rates[mode].push(r.completed / (r.elapsedMs / 1000));
        out.samples[mode].push(...r.samples);
        out.errors += r.errors;
        out.firstError ??= r.firstError ?? null;
      }
    }
    return out;
  });
}

/**
 * Scale figures (issue 6): relay RSS per connected, authenticated, idle agent against a bare `ws` server's
 * RSS per idle connection, with the connections opened by two load-generator processes; discovery latency
 * over N registered agents; and the authenticated handshake rate against the bare `ws` open+close rate.
 * Every server process here is forked with `--expose-gc` so that RSS is read after garbage collection.
 */
import { forkChild, withBenchChildren, type BenchChild } from '../lib/child.ts';
import type { ClosedLoopResult } from '../lib/pool.ts';
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
  /** (loadedRss - baseRss) / opened. */
  bytesPerConnection: number;
  /** V8 heap growth per connection (part of bytesPerConnection). */
  heapPerConnection: number;
}

/** The relay's scale run: idle agents, then the same agents registered, then discovery from one more agent. */
export interface RelayScaleRun extends IdleRun {
  registeredRss: number;
  registerCodes: Record<string, number>;
  registerMs: number;
  discovery: { capability: number[]; tag: number[]; short: number; meanBytes: number };
}

async function startServer(
  kind: 'relay' | 'bare', dataDir: string, children: BenchChild[], durability: 'fsync' | 'normal',
): Promise<{ server: BenchChild; url: string; did: string }> {
  const server = kind === 'relay'
    ? forkChild('relay', [dataDir, durability], { extraNodeFlags: GC_FLAGS })
    : forkChild('bare-server', [], { extraNodeFlags: GC_FLAGS });
  children.push(server);
  const ready = await server.next('ready') as unknown as { url: string; did?: string };
  return { server, url: ready.url, did: ready.did ?? '-' };
}

/** Forks the generators (half of `n` each), lets them open their connections, returns the totals. */
async function openSwarm(url: string, mode: 'baton' | 'bare', n: number, relayDid: string, children: BenchChild[]): Promise<{ swarm: BenchChild[]; opened: number; failed: number; ms: number }> {
  const swarm: BenchChild[] = [];
  for (let g = 0; g < GENERATORS; g++) {
    const share = Math.floor(n / GENERATORS) + (g < n % GENERATORS ? 1 : 0);
    const offset = g * Math.floor(n / GENERATORS) + Math.min(g, n % GENERATORS);
    const child = forkChild('agent-swarm', [url, mode, String(share), String(offset), String(n), relayDid]);
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

async function idlePhase(server: BenchChild, url: string, mode: 'baton' | 'bare', n: number, did: string, children: BenchChild[]): Promise<IdleRun & { swarm: BenchChild[] }> {
  const base = await settledMemory(server);
  const { swarm, opened, failed, ms } = await openSwarm(url, mode, n, did, children);
  const loaded = await settledMemory(server);
  const per = (a: number, b: number): number => (b - a) / Math.max(1, opened);
  return {
    swarm, baseRss: base.rss, loadedRss: loaded.rss, opened, failed, openMs: ms,
    bytesPerConnection: per(base.rss, loaded.rss), heapPerConnection: per(base.heapUsed, loaded.heapUsed),
  };
}

function withChildren<T>(body: (children: BenchChild[], dataDir: string) => Promise<T>): Promise<T> {
  return withBenchChildren('baton-bench-scale-', body);
}

/** `n` idle connections to a bare `ws` server: its RSS per connection. */
export function bareIdleRun(n: number): Promise<IdleRun> {
  return withChildren(async (children, dataDir) => {
    const { server, url } = await startServer('bare', dataDir, children, 'fsync');
    const { swarm: _swarm, ...run } = await idlePhase(server, url, 'bare', n, '-', children);
    return run;
  });
}

/**
 * `n` idle authenticated agents on a relay, then registered, then `queries` discoveries. The relay runs with
 * durability normal: memory and discovery do not depend on it, and with fsync every new agent's first-seen
 * row costs its own disk flush, which would make this setup phase several times longer.
 */
export function relayScaleRun(n: number, queries: number, log: (m: string) => void): Promise<RelayScaleRun> {
  return withChildren(async (children, dataDir) => {
    const { server, url, did } = await startServer('relay', dataDir, children, 'normal');
    const { swarm, ...idle } = await idlePhase(server, url, 'baton', n, did, children);
    log(`scale: ${idle.opened} agents connected in ${Math.round(idle.openMs)} ms; registering them`);
    for (const c of swarm) c.send({ type: 'register' });
    const registered = await Promise.all(swarm.map((c) => c.next('registered', 300_000))) as unknown as { codes: Record<string, number>; ms: number }[];
    const registerCodes: Record<string, number> = {};
    for (const r of registered) for (const [code, k] of Object.entries(r.codes)) registerCodes[code] = (registerCodes[code] ?? 0) + k;
    const registeredRss = await settledRss(server);
    log('scale: registered; discovery queries');
    const client = forkChild('discovery-client', [url, String(queries), String(n)]);
    children.push(client);
    await client.next('ready');
    client.send({ type: 'start' });
    const discovery = await client.next('done', 300_000) as unknown as RelayScaleRun['discovery'];
    return { ...idle, registeredRss, registerCodes, registerMs: Math.max(...registered.map((r) => r.ms)), discovery };
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

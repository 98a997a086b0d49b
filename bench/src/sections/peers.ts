/**
 * The peers section (`--peers`): Baton next to the A2A JavaScript SDK (request round trips at 1 and 32 in
 * flight; server RSS after each run) and next to NATS JetStream's work-queue flow (where nats-server is
 * installed), all measured in the same run with runs interleaved; plus relay RSS after N and 10N completed
 * request round trips. Returns the figures keyed `peers.*`.
 */
import { join } from 'node:path';
import { natsRun, natsServerPath } from '../figures/nats.ts';
import { a2aRun, batonRequestRun, batonRssGrowth, type RttRun } from '../figures/peers-rtt.ts';
import type { QueueRun } from '../figures/queue-run.ts';
import { queueRun } from '../figures/routed.ts';
import type { PeersConfig } from '../lib/config.ts';
import { median, round, summarize } from '../lib/stats.ts';
import { buildWorkload, writeWorkload } from '../lib/workload.ts';
import { cpuFigure, totalNs } from '../report/cpu-figures.ts';
import type { Figure, Figures } from '../report/figure.ts';
import { atLeast, atMost, medianFigure, ratioTo } from '../report/figure-helpers.ts';
import { LONG_RUN_ENV, YOUNG_SEMI_SPACE_MIB } from '../lib/memory-flags.ts';

const MIB = 2 ** 20;
/** Durability of the relay in the A2A comparison: the relay's default (every commit fsynced). */
const A2A_COMPARISON_DURABILITY = 'fsync';

function mibList(values: readonly number[]): string {
  return values.map((v) => (v / MIB).toFixed(1)).join(' / ');
}

/** Median over runs of each run's p50 and p99 (ms). */
function percentiles(runs: readonly { samples: readonly number[] }[]): { p50: number; p99: number; perRun: string } {
  const s = runs.map((r) => summarize(r.samples));
  return {
    p50: median(s.map((x) => x.p50)), p99: median(s.map((x) => x.p99)),
    perRun: s.map((x) => `${round(x.p50, 2)}/${round(x.p99, 2)}`).join(', '),
  };
}

/** Targets of a Baton figure against the A2A SDK at the same number in flight (absent: ratios only). */
interface A2aTargets {
  /** Round trips/s at least this many times A2A's. */
  readonly throughputMin: number;
  /** p99 at most this many times A2A's, where the issue sets one. */
  readonly p99Max?: number;
}

function rttFigures(prefix: string, runs: readonly RttRun[], server: 'server' | 'relay', ratios?: { a2aKey: string; a2a: readonly RttRun[]; targets?: A2aTargets; note?: string }): Figures {
  const rssLabel = server === 'server' ? 'server_rss' : 'relay_rss';
  const rate = runs.map((r) => r.perSec);
  const p = percentiles(runs);
  const errors = runs.reduce((a, r) => a + r.errors, 0);
  const firstError = runs.find((r) => r.firstError !== null)?.firstError;
  const figures: Figures = {};
  let rateExtra: Partial<Figure> = {};
  let p99Extra: Partial<Figure> = {};
  if (ratios !== undefined) {
    const a2aRate = median(ratios.a2a.map((r) => r.perSec));
    const a2aP99 = percentiles(ratios.a2a).p99;
    const t = ratios.targets;
    rateExtra = t === undefined ? ratioTo(median(rate), `${ratios.a2aKey}.throughput`, a2aRate)
      : atLeast(median(rate), `${ratios.a2aKey}.throughput`, a2aRate, t.throughputMin);
    p99Extra = t?.p99Max === undefined ? ratioTo(p.p99, `${ratios.a2aKey}.p99`, a2aP99) : atMost(p.p99, `${ratios.a2aKey}.p99`, a2aP99, t.p99Max);
  }
  figures[`${prefix}.throughput`] = medianFigure(rate, {
    ...rateExtra, note: `errors ${errors}${firstError === undefined ? '' : ` (${firstError})`}${ratios?.note === undefined ? '' : `; ${ratios.note}`}`,
  }, 'round trips/s');
  figures[`${prefix}.p50`] = { value: round(p.p50), unit: 'ms', note: `median of per-run p50/p99: ${p.perRun}` };
  figures[`${prefix}.p99`] = { value: round(p.p99), unit: 'ms', ...p99Extra };
  figures[`${prefix}.${rssLabel}`] = medianFigure(runs.map((r) => r.serverRss), { note: `after each run, MiB: ${mibList(runs.map((r) => r.serverRss))}` }, 'bytes');
  const a2aCpuMs = ratios === undefined ? undefined : median(ratios.a2a.map((r) => totalNs(r.cpu))) / 1e6;
  figures[`${prefix}.cpu`] = cpuFigure(runs.map((r) => r.cpu), {
    scale: 'ms', per: 'round trip', split: server, about: `CPU time of the ${server} and the client processes per completed round trip`,
    ...(ratios === undefined || a2aCpuMs === undefined ? {} : { baseline: { key: `${ratios.a2aKey}.cpu`, value: a2aCpuMs } }),
  });
  return figures;
}

function queueFigures(prefix: string, runs: readonly QueueRun[], extra: Partial<Figure>, note: string, cpu: { split?: string; baseline?: { key: string; value: number } }): Figures {
  const p = percentiles(runs.map((r) => ({ samples: r.latencies })));
  return {
    [`${prefix}.throughput`]: medianFigure(runs.map((r) => r.perSec), { ...extra, note: `${note}; ${runs.map((r) => r.note).join('; ')}` }),
    [`${prefix}.p50`]: { value: round(p.p50), unit: 'ms', note: `send to arrival at the worker; per-run p50/p99: ${p.perRun}` },
    [`${prefix}.p99`]: { value: round(p.p99), unit: 'ms' },
    [`${prefix}.server_rss`]: medianFigure(runs.map((r) => r.serverRss), { note: `after each run, MiB: ${mibList(runs.map((r) => r.serverRss))}` }, 'bytes'),
    [`${prefix}.cpu`]: cpuFigure(runs.map((r) => r.cpu), {
      scale: 'us', per: 'msg', ...cpu, about: 'CPU time of the server, the producer and the worker per message, from the first send to the last acknowledgement',
    }),
  };
}

/** Number in flight at which the issue sets targets against the A2A SDK. */
const TARGET_CONCURRENCY = 32;

async function a2aComparison(c: PeersConfig, log: (m: string) => void): Promise<Figures> {
  const figures: Figures = {};
  for (const concurrency of c.concurrency) {
    const targeted = concurrency === TARGET_CONCURRENCY;
    const runMs = concurrency === 1 ? c.sequentialRunMs : c.runMs;
    const a2a: RttRun[] = [];
    const baton: RttRun[] = [];
    const e2e: RttRun[] = [];
    for (let run = 1; run <= c.runs; run++) {
      log(`peers: ${concurrency} in flight, run ${run}/${c.runs}: A2A SDK, then Baton${targeted ? ', then Baton with the relay not verifying' : ''}`);
      a2a.push(await a2aRun(concurrency, runMs));
      baton.push(await batonRequestRun(concurrency, runMs, A2A_COMPARISON_DURABILITY));
      if (targeted) e2e.push(await batonRequestRun(concurrency, runMs, A2A_COMPARISON_DURABILITY, 'off'));
    }
    const a2aKey = `peers.a2a.c${concurrency}`;
    Object.assign(figures, rttFigures(a2aKey, a2a, 'server'));
    Object.assign(figures, rttFigures(`peers.baton.c${concurrency}`, baton, 'relay', {
      a2aKey, a2a, ...(targeted ? { targets: { throughputMin: 1.5 } } : {}),
      note: 'every envelope signed by its sender and verified by its recipient and by the relay (SIG-4), as deployed',
    }));
    if (targeted) {
      Object.assign(figures, rttFigures(`peers.baton_e2e.c${concurrency}`, e2e, 'relay', {
        a2aKey, a2a, targets: { throughputMin: 3, p99Max: 0.5 },
        note: 'every envelope signed by its sender and verified by its recipient only: the relay process\'s Ed25519 backend accepts '
          + 'every signature (bench only; SIG-4 makes a relay verify, and no relay option turns it off)',
      }));
    }
  }
  return figures;
}

async function rssGrowth(c: PeersConfig, log: (m: string) => void): Promise<Figures> {
  const [n0, n1] = c.rssCheckpoints;
  log(`peers: relay RSS after ${n0} and ${n1} request round trips`);
  const growth = await batonRssGrowth(c.rssCheckpoints, 32, 'normal');
  const [rss0 = Number.NaN, rss1 = Number.NaN] = growth.rss;
  const [heap0 = Number.NaN, heap1 = Number.NaN] = growth.heap;
  const perTask = (b: number, a: number): string => `${Math.round((b - a) / Math.max(1, n1 - n0))} bytes`;
  return {
    'peers.baton.relay_rss_after_n': {
      value: rss0, unit: 'bytes',
      note: `relay RSS after GC once n=${n0} request round trips completed (after 200 warm-up ones); durability normal (faster; memory does not depend on it); ` +
        `32 in flight; V8's young generation pinned at 2 x ${YOUNG_SEMI_SPACE_MIB} MiB, MALLOC_ARENA_MAX=${LONG_RUN_ENV.MALLOC_ARENA_MAX} (bench/README.md)`,
    },
    'peers.baton.relay_rss_after_10n': {
      value: rss1, unit: 'bytes', ...atMost(rss1, 'peers.baton.relay_rss_after_n', rss0, 1.1),
      note: `after ${n1} round trips; stand-in for "flat within 10% from 100k to 1M completed tasks" (measured on its own by bench/src/relay-rss-long.ts, about half an hour here); ` +
        `${Math.round(growth.perSec)} round trips/s, errors ${growth.errors}; growth per round trip from n to 10n: RSS ${perTask(rss1, rss0)}, ` +
        `JS heap ${perTask(heap1, heap0)}`,
    },
  };
}

async function natsComparison(c: PeersConfig, workDir: string, log: (m: string) => void): Promise<Figures> {
  const bin = natsServerPath();
  if (bin === undefined) {
    const skipped = { value: null, unit: 'msg/s', note: 'skipped: nats-server not installed' };
    return { 'peers.nats.throughput': skipped, 'peers.baton_queue.normal.throughput': skipped };
  }
  log(`peers: signing ${c.routedMessages} messages for the work-queue comparison`);
  const workload = buildWorkload(c.routedMessages);
  const workloadFile = join(workDir, 'queue-workload.json');
  writeWorkload(workloadFile, workload);
  const payloadBytes = Buffer.byteLength(workload.frames[0] ?? '') - '{"op":"send","env":}'.length;
  const nats: QueueRun[] = [];
  // Baton at JetStream's durability only: fsync against normal is figure 5 (routed.*), and a third run per round
  // put the full run with peers past ten minutes on this machine's slow days (round 8)
  const baton: QueueRun[] = [];
  for (let run = 1; run <= c.runs; run++) {
    log(`peers: work queue run ${run}/${c.runs}: NATS JetStream, then Baton`);
    nats.push(await natsRun(bin, c.runMs, payloadBytes, c.queueWindow));
    baton.push(await queueRun(workloadFile, c.routedMessages, 'normal', c.queueWindow, c.runMs));
  }
  const natsRate = median(nats.map((r) => r.perSec));
  const base = 'peers.nats.throughput';
  return {
    ...queueFigures('peers.nats', nats, {}, `nats-server 2.9 -js, file-backed work-queue stream, PubAck per publish, ${c.queueWindow} in flight, ` +
      `durable pull consumer acking each message, ${payloadBytes}-byte payloads; acks before fsync`, {}),
    ...queueFigures('peers.baton_queue.normal', baton, atLeast(median(baton.map((r) => r.perSec)), base, natsRate, 0.5),
      `signed messages through the relay (durability normal: same as JetStream's, no fsync per commit), ${c.queueWindow} unaccepted in flight, receipt per message`,
      { split: 'relay', baseline: { key: 'peers.nats.cpu', value: median(nats.map((r) => totalNs(r.cpu))) / 1e3 } }),
  };
}

/** Runs the peer comparisons; `workDir` holds the work-queue workload file. */
export async function peersSection(c: PeersConfig, workDir: string, log: (m: string) => void): Promise<Figures> {
  return {
    ...await a2aComparison(c, log),
    ...await rssGrowth(c, log),
    ...await natsComparison(c, workDir, log),
  };
}

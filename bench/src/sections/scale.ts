/**
 * The scale section of the bench: memory per idle authenticated agent vs per bare `ws` connection, discovery
 * latency over N registered agents, and the authenticated handshake rate vs the bare `ws` connection rate.
 * Returns the figures keyed `scale.*`.
 */
import { HANDSHAKE_KEYS, bareIdleRun, discoveryRun, handshakeRateRuns, relayIdleRun } from '../figures/scale.ts';
import { YOUNG_SEMI_SPACE_MIB } from '../lib/memory-flags.ts';
import { median, round, summarize } from '../lib/stats.ts';
import type { ScaleConfig } from '../lib/config.ts';
import type { Figures } from '../report/figure.ts';
import { atMost, medianFigure, ratioTo } from '../report/figure-helpers.ts';


const MIB = 2 ** 20;
/** Agents the memory and discovery targets are stated for (issue 6). */
const TARGET_AGENTS = 10_000;
const NOT_JUDGED = `target not judged: it is stated for ${TARGET_AGENTS} agents (full mode)`;
const YOUNG = `both servers with V8's young generation pinned at 2 x ${YOUNG_SEMI_SPACE_MIB} MiB (see bench/README.md)`;

function mib(bytes: number): string {
  return `${(bytes / MIB).toFixed(1)} MiB`;
}

/** Runs the scale figures; `log` reports progress. */
export async function scaleSection(c: ScaleConfig, log: (m: string) => void): Promise<Figures> {
  const figures: Figures = {};
  // The memory and discovery targets name 10,000 agents; smaller runs (quick mode) report without judging.
  const judged = c.agents >= TARGET_AGENTS;
  log(`scale: ${c.agents} idle bare ws connections`);
  const bare = await bareIdleRun(c.agents);
  log(`scale: ${c.agents} idle authenticated agents, then registered`);
  const relay = await relayIdleRun(c.agents, log);
  log(`scale: ${c.agents} registered agents on a fresh relay, then ${c.queries} discover queries`);
  const discovery = await discoveryRun(c.agents, c.queries, log);

  figures['scale.bare_idle_connection_memory'] = {
    value: round(bare.bytesPerConnection, 0), unit: 'bytes',
    note: `marginal: bare ws server RSS after GC ${mib(bare.baseRss)} -> ${mib(bare.middleRss)} (half) -> ${mib(bare.loadedRss)} with ` +
      `${bare.opened} connections (${bare.failed} failed), growth over the second half per connection; JS heap ` +
      `${Math.round(bare.heapPerConnection)} bytes per connection; average over all ${Math.round(bare.averagePerConnection)} bytes; ${YOUNG}`,
  };
  figures['scale.idle_agents_memory'] = {
    value: round(relay.bytesPerConnection, 0), unit: 'bytes',
    ...(judged
      ? atMost(relay.bytesPerConnection, 'scale.bare_idle_connection_memory', bare.bytesPerConnection, 2)
      : ratioTo(relay.bytesPerConnection, 'scale.bare_idle_connection_memory', bare.bytesPerConnection)),
    note: `marginal: relay RSS after GC ${mib(relay.baseRss)} -> ${mib(relay.middleRss)} (half) -> ${mib(relay.loadedRss)} with ` +
      `${relay.opened} authenticated idle agents (${relay.failed} failed; handshakes of new keys took ${Math.round(relay.openMs)} ms ` +
      `from 2 generators, relay durability normal), growth over the second half per agent; JS heap ${Math.round(relay.heapPerConnection)} ` +
      `bytes per agent; average over all ${Math.round(relay.averagePerConnection)} bytes; ${YOUNG}; ` +
      `V8 new space ${relay.newSpace.map(mib).join(' -> ')}${judged ? '' : `; ${NOT_JUDGED}`}`,
  };
  figures['scale.registered_agents_memory'] = {
    value: round((relay.registeredRss - relay.baseRss) / Math.max(1, relay.opened), 0), unit: 'bytes',
    note: `per connected agent after each registered one manifest (relay RSS ${mib(relay.registeredRss)}); ` +
      `register: ${JSON.stringify(relay.registerCodes)} in ${Math.round(relay.registerMs)} ms`,
  };
  const all = summarize([...discovery.capability, ...discovery.tag]);
  const cap = summarize(discovery.capability);
  const tag = summarize(discovery.tag);
  figures['scale.discovery_p50'] = {
    value: round(all.p50), unit: 'ms',
    note: `${discovery.agents} registered online agents (register: ${JSON.stringify(discovery.registerCodes)}), Node's default V8 flags, ` +
      `sequential WS discover (limit 50) from one connection, n=${all.n}; ` +
      `capability p50 ${round(cap.p50)} / p99 ${round(cap.p99)} ms, tag p50 ${round(tag.p50)} / p99 ${round(tag.p99)} ms; ` +
      `${Math.round(discovery.meanBytes)} bytes per answer; answers with fewer than 50 entries: ${discovery.short}`,
  };
  figures['scale.discovery_p99'] = judged
    ? { value: round(all.p99), unit: 'ms', target: '< 2 ms', met: all.p99 < 2 }
    : { value: round(all.p99), unit: 'ms', note: NOT_JUDGED };

  const hsRuns = await handshakeRateRuns(c.handshakeRuns, c.handshakeConcurrency, c.handshakeMs, log);
  const bareRates = hsRuns.rates.bare;
  const batonRates = hsRuns.rates.baton;
  const { errors, firstError } = hsRuns;
  figures['scale.bare_connect_rate'] = medianFigure(bareRates, {
    note: `bare ws open + close, ${c.handshakeConcurrency} in flight from one generator process, ${c.handshakeMs} ms per run`,
  }, 'conn/s');
  const hs = summarize(hsRuns.samples.baton);
  figures['scale.handshake_rate'] = medianFigure(batonRates, {
    ...ratioTo(median(batonRates), 'scale.bare_connect_rate', median(bareRates)),
    note: `connect + hello + auth + welcome + close, ${c.handshakeConcurrency} in flight, ${HANDSHAKE_KEYS} reused keys, relay durability fsync; ` +
      `p50 ${round(hs.p50)} ms, p99 ${round(hs.p99)} ms per connection; errors ${errors}${firstError === null ? '' : ` (${firstError})`}`,
  }, 'handshakes/s');
  return figures;
}

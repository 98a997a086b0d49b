/**
 * The throughput section: bare `ws` forwarding (the baseline) and routed throughput through a relay, interleaved
 * run by run so that drift in machine load hits all alike. Relay variants: durability fsync and normal with
 * signatures verified on worker threads (the default), fsync with every signature verified on the event loop
 * (`fsync_inline`: what the threads add), and fsync without signature checks (`unverified`: the relay's own
 * overhead, figure 1). Returns `baseline.ws_forward`, `routed.<variant>.*`, `routed.verify_threads_lift`, and figure 2
 * (`routed.fsync.accepted_vs_verify`) against `routed.verify_rate`, the single-core verify rate measured in each round.
 */
import { defaultVerifyThreads } from '@baton/relay';
import { getDefaultBackend } from '@baton/spec';
import { bareForwardRun } from '../figures/baseline.ts';
import { verifyRateNow } from '../figures/crypto.ts';
import { routedRun, type RoutedRun, type VerifyMode } from '../figures/routed.ts';
import { median, round } from '../lib/stats.ts';
import { cpuFigure, type CpuPerUnit } from '../report/cpu-figures.ts';
import type { Figures } from '../report/figure.ts';
import { atLeast, medianFigure, ratioTo } from '../report/figure-helpers.ts';

interface Variant {
  readonly key: string;
  readonly durability: 'fsync' | 'normal';
  readonly verify: VerifyMode;
  readonly about: string;
}

const VARIANTS: readonly Variant[] = [
  { key: 'fsync', durability: 'fsync', verify: 'default', about: 'every signature verified (worker threads)' },
  { key: 'normal', durability: 'normal', verify: 'default', about: 'every signature verified (worker threads)' },
  { key: 'fsync_inline', durability: 'fsync', verify: 'inline', about: 'every signature verified on the event loop (verifyThreads 0)' },
  { key: 'unverified', durability: 'fsync', verify: 'off', about: 'no signature checks (bench-only backend accepting every signature)' },
];

/** Runs `runs` interleaved rounds over the pre-signed workload in `workloadFile` (`messages` each). */
export async function throughputSection(
  workloadFile: string, c: { runs: number; messages: number; window: number; cryptoMs: number }, log: (m: string) => void,
): Promise<Figures> {
  const forward: number[] = [];
  const forwardCpu: CpuPerUnit[] = [];
  const routed = new Map<string, RoutedRun[]>(VARIANTS.map((v) => [v.key, []]));
  /**
   * Single-core verify rate of each round (nothing else running): the mean of one reading right before and one
   * right after that round's fsync run, which it is the baseline of. One reading before was not enough: this
   * machine's speed changed 2x between one reading and the run after it (bench/HISTORY.md round 7).
   */
  const verifyRates: number[] = [];
  /** The same with the backend the relay uses (libsodium where installed), for the unjudged second ratio. */
  const relayVerifyRates: number[] = [];
  /** Both verify rates now: `node:crypto`'s and the relay backend's. */
  const readRates = (): [number, number] => [verifyRateNow(c.cryptoMs), verifyRateNow(c.cryptoMs, getDefaultBackend())];
  for (let run = 1; run <= c.runs; run++) {
    log(`run ${run}/${c.runs}: bare ws forwarding`);
    const bare = await bareForwardRun(workloadFile, c.messages);
    forward.push(bare.perSec);
    forwardCpu.push(bare.cpu);
    for (const v of VARIANTS) {
      const before = v.key === 'fsync' ? readRates() : undefined;
      log(`run ${run}/${c.runs}: routed through the relay, ${v.key}`);
      routed.get(v.key)?.push(await routedRun(workloadFile, c.messages, v.durability, c.window, v.verify));
      if (before !== undefined) {
        const after = readRates();
        verifyRates.push((before[0] + after[0]) / 2);
        relayVerifyRates.push((before[1] + after[1]) / 2);
      }
    }
  }
  const figures: Figures = {};
  const base = median(forward);
  figures['baseline.ws_forward'] = medianFigure(forward, { note: '3 processes: sender -> forwarder -> receiver, same frame bytes' });
  const bareCpu = cpuFigure(forwardCpu, { scale: 'us', per: 'msg', about: 'CPU time of the three processes per forwarded message' });
  figures['baseline.ws_forward_cpu'] = bareCpu;
  for (const v of VARIANTS) {
    const runs = routed.get(v.key) ?? [];
    const errors = runs.flatMap((r) => Object.entries(r.errors).map(([code, n]) => `${code}x${n}`));
    const accepted = runs.map((r) => r.acceptedPerSec);
    const delivered = runs.map((r) => r.deliveredPerSec);
    const ratio = v.verify === 'off' ? atLeast(median(accepted), 'baseline.ws_forward', base, 0.5) : ratioTo(median(accepted), 'baseline.ws_forward', base);
    figures[`routed.${v.key}.accepted`] = medianFigure(accepted, {
      ...ratio,
      note: `durability ${v.durability}, ${v.about}; ${c.messages} messages per run, ${c.window} unacknowledged in flight` +
        (errors.length > 0 ? `; rejections: ${errors.join(', ')}` : ''),
    });
    figures[`routed.${v.key}.delivered`] = medianFigure(delivered, {
      ...ratioTo(median(delivered), 'baseline.ws_forward', base), note: 'receipt back at the sender (delivered frame)',
    });
    figures[`routed.${v.key}.cpu`] = cpuFigure(runs.map((r) => r.cpu), {
      scale: 'us', per: 'msg', split: 'relay', baseline: { key: 'baseline.ws_forward_cpu', value: bareCpu.value ?? Number.NaN },
      about: 'CPU time of the relay (every thread), the sender and the receiver per accepted message, from the first send to the last delivered',
    });
  }
  // Figure 2: the machine's speed drifts (2x between phases of one run seen here), so each round's routed
  // rate is divided by the verify rate measured in the same round, and the median of those ratios is reported.
  const fsyncRuns = routed.get('fsync') ?? [];
  const perRound = fsyncRuns.map((r, i) => r.acceptedPerSec / (verifyRates[i] ?? Number.NaN));
  figures['routed.verify_rate'] = medianFigure(verifyRates, {
    note: `single-core strict Ed25519 verify (node:crypto, the issue's baseline) in the bench process: per round, the mean of ${c.cryptoMs} ms right before and ${c.cryptoMs} ms right after that round's fsync run`,
  }, 'ops/s');
  figures['routed.verify_rate_relay_backend'] = medianFigure(relayVerifyRates, {
    note: `the same with ${getDefaultBackend().name}, the backend the relay verifies with`,
  }, 'ops/s');
  const perRoundOwn = fsyncRuns.map((r, i) => r.acceptedPerSec / (relayVerifyRates[i] ?? Number.NaN));
  const vsOwn = median(perRoundOwn);
  figures['routed.fsync.accepted_vs_relay_backend_verify'] = {
    value: round(vsOwn, 4), unit: 'ratio', ratio: round(vsOwn, 4), baseline: 'routed.verify_rate_relay_backend',
    runs: perRoundOwn.map((r) => round(r, 4)),
    note: 'not a target: routed.fsync.accepted against the verify rate of the backend the relay actually uses (2 verifications per message)',
  };
  const vsVerify = median(perRound);
  figures['routed.fsync.accepted_vs_verify'] = {
    value: round(vsVerify, 4), unit: 'ratio', ratio: round(vsVerify, 4), baseline: 'routed.verify_rate', target: '>= 0.8x', met: vsVerify >= 0.8,
    runs: perRound.map((r) => round(r, 4)),
    note: 'median over rounds of routed.fsync.accepted / routed.verify_rate of the same round; each routed message costs the relay 2 verifications ' +
      '(message + receipt): on one core the ceiling is 0.5x; verify threads share the rest of the machine with the generators',
  };
  const threaded = median(fsyncRuns.map((r) => r.acceptedPerSec));
  const inline = median((routed.get('fsync_inline') ?? []).map((r) => r.acceptedPerSec));
  figures['routed.verify_threads_lift'] = {
    value: round(threaded / inline, 3), unit: 'ratio', ...ratioTo(threaded, 'routed.fsync_inline.accepted', inline),
    note: `routed.fsync.accepted / routed.fsync_inline.accepted with ${defaultVerifyThreads()} verify thread(s); above 1 when the threads lift the relay past one core`,
  };
  return figures;
}

/**
 * The throughput section: bare `ws` forwarding (the baseline) and routed throughput through a relay, interleaved
 * run by run so that drift in machine load hits all alike. Relay variants: durability fsync and normal with
 * signatures verified on worker threads (the default), fsync with every signature verified on the event loop
 * (`fsync_inline`: what the threads add), and fsync without signature checks (`unverified`: the relay's own
 * overhead, figure 1). Returns `baseline.ws_forward`, `routed.<variant>.*` and `routed.verify_threads_lift`.
 */
import { defaultVerifyThreads } from '@baton/relay';
import { bareForwardRun } from '../figures/baseline.ts';
import { routedRun, type RoutedRun, type VerifyMode } from '../figures/routed.ts';
import { median, round } from '../lib/stats.ts';
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
  workloadFile: string, c: { runs: number; messages: number; window: number }, log: (m: string) => void,
): Promise<Figures> {
  const forward: number[] = [];
  const routed = new Map<string, RoutedRun[]>(VARIANTS.map((v) => [v.key, []]));
  for (let run = 1; run <= c.runs; run++) {
    log(`run ${run}/${c.runs}: bare ws forwarding`);
    forward.push(await bareForwardRun(workloadFile, c.messages));
    for (const v of VARIANTS) {
      log(`run ${run}/${c.runs}: routed through the relay, ${v.key}`);
      routed.get(v.key)?.push(await routedRun(workloadFile, c.messages, v.durability, c.window, v.verify));
    }
  }
  const figures: Figures = {};
  const base = median(forward);
  figures['baseline.ws_forward'] = medianFigure(forward, { note: '3 processes: sender -> forwarder -> receiver, same frame bytes' });
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
  }
  const threaded = median((routed.get('fsync') ?? []).map((r) => r.acceptedPerSec));
  const inline = median((routed.get('fsync_inline') ?? []).map((r) => r.acceptedPerSec));
  figures['routed.verify_threads_lift'] = {
    value: round(threaded / inline, 3), unit: 'ratio', ...ratioTo(threaded, 'routed.fsync_inline.accepted', inline),
    note: `routed.fsync.accepted / routed.fsync_inline.accepted with ${defaultVerifyThreads()} verify thread(s); above 1 when the threads lift the relay past one core`,
  };
  return figures;
}

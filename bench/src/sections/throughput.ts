/**
 * The throughput section: bare `ws` forwarding (the baseline) and routed throughput through a relay with
 * durability fsync and normal, interleaved run by run so that drift in machine load hits all alike.
 * Returns the figures keyed `baseline.ws_forward` and `routed.<durability>.*`.
 */
import { bareForwardRun } from '../figures/baseline.ts';
import { routedRun, type RoutedRun } from '../figures/routed.ts';
import { median } from '../lib/stats.ts';
import type { Figures } from '../report/figure.ts';
import { atLeast, medianFigure } from '../report/figure-helpers.ts';

/** Runs `runs` interleaved rounds over the pre-signed workload in `workloadFile` (`messages` each). */
export async function throughputSection(
  workloadFile: string, c: { runs: number; messages: number; window: number }, log: (m: string) => void,
): Promise<Figures> {
  const forward: number[] = [];
  const routed: Record<'fsync' | 'normal', RoutedRun[]> = { fsync: [], normal: [] };
  for (let run = 1; run <= c.runs; run++) {
    log(`run ${run}/${c.runs}: bare ws forwarding`);
    forward.push(await bareForwardRun(workloadFile, c.messages));
    for (const durability of ['fsync', 'normal'] as const) {
      log(`run ${run}/${c.runs}: routed through the relay, durability ${durability}`);
      routed[durability].push(await routedRun(workloadFile, c.messages, durability, c.window));
    }
  }
  const figures: Figures = {};
  const base = median(forward);
  figures['baseline.ws_forward'] = medianFigure(forward, { note: '3 processes: sender -> forwarder -> receiver, same frame bytes' });
  for (const durability of ['fsync', 'normal'] as const) {
    const runs = routed[durability];
    const errors = runs.flatMap((r) => Object.entries(r.errors).map(([code, n]) => `${code}x${n}`));
    const accepted = runs.map((r) => r.acceptedPerSec);
    const delivered = runs.map((r) => r.deliveredPerSec);
    figures[`routed.${durability}.accepted`] = medianFigure(accepted, {
      ...atLeast(median(accepted), 'baseline.ws_forward', base, 0.5),
      note: `${c.messages} messages per run, ${c.window} unacknowledged in flight` +
        (errors.length > 0 ? `; rejections: ${errors.join(', ')}` : ''),
    });
    figures[`routed.${durability}.delivered`] = medianFigure(delivered, {
      ...atLeast(median(delivered), 'baseline.ws_forward', base, 0.5),
      note: 'receipt back at the sender (delivered frame)',
    });
  }
  return figures;
}

/**
 * CPU-time figures: what one unit of work (a routed message, a round trip) cost every process of a run, from
 * `/proc` (lib/cpu-time.ts), as the median over runs, with the split by process and thread kind in the note, the
 * throughput ceiling that cost implies on this machine's cores, and how idle the machine was meanwhile. They
 * say what limits the throughput figures beside them, measured in the same run (bench/README.md "What limits
 * these numbers").
 */
import { availableParallelism } from 'node:os';
import type { CpuReading, ThreadCpu } from '../lib/cpu-time.ts';
import { median, round } from '../lib/stats.ts';
import type { Figure } from './figure.ts';

/**
 * One run's CPU time per unit of work, nanoseconds, by process name (in the note's order), and the share of the
 * machine's core time that was idle during it.
 */
export interface CpuPerUnit {
  processes: Record<string, ThreadCpu>;
  machineIdle: number;
}

/** Divides a meter reading (lib/cpu-time.ts) by the units of work done in the phase it covers. */
export function perUnit(reading: CpuReading, units: number): CpuPerUnit {
  const processes: Record<string, ThreadCpu> = {};
  for (const [name, t] of Object.entries(reading.processes)) {
    processes[name] = { total: t.total / units, main: t.main / units, workers: t.workers / units, v8: t.v8 / units, other: t.other / units };
  }
  return { processes, machineIdle: reading.machineIdle };
}

/** How a CPU figure is written. */
export interface CpuFigureOptions {
  /** `us` (unit µs CPU/<per>) or `ms`. */
  readonly scale: 'us' | 'ms';
  /** What one unit of work is, singular: `msg`, `round trip`. */
  readonly per: string;
  /** A Node process whose threads are shown split (main, worker threads, V8 helpers) and whose event loop ceiling is given. */
  readonly split?: string;
  /** Ratio against a figure of the same unit measured in the same run. */
  readonly baseline?: { readonly key: string; readonly value: number };
  /** Said first in the note. */
  readonly about?: string;
}

/** Median over runs of the sum over processes (or of one process's `kind`), ns. */
function medianOf(runs: readonly CpuPerUnit[], pick: (r: CpuPerUnit) => number): number {
  return median(runs.map(pick));
}

/** Sum over every process of a run, ns per unit. */
export function totalNs(run: CpuPerUnit): number {
  return Object.values(run.processes).reduce((sum, t) => sum + t.total, 0);
}

/**
 * The figure: median CPU per unit across all processes; the note gives each process's median, the split of
 * `split`'s threads, and the ceilings: `cores` x 1 s / total (every core busy with this work) and 1 s / the
 * event loop's share (its one thread busy).
 */
export function cpuFigure(runs: readonly CpuPerUnit[], o: CpuFigureOptions): Figure {
  const div = o.scale === 'us' ? 1e3 : 1e6;
  const fmt = (ns: number): string => String(round(ns / div, o.scale === 'us' ? 1 : 3));
  const total = medianOf(runs, totalNs);
  const names = Object.keys(runs[0]?.processes ?? {});
  const parts = names.map((name) => {
    const t = (k: keyof ThreadCpu): number => medianOf(runs, (r) => r.processes[name]?.[k] ?? Number.NaN);
    const split = name === o.split
      ? ` (event loop ${fmt(t('main'))}, worker threads ${fmt(t('workers'))}, V8 helper threads ${fmt(t('v8'))}, other ${fmt(t('other'))})`
      : '';
    return `${name} ${fmt(t('total'))}${split}`;
  });
  const cores = availableParallelism();
  const rate = o.per === 'msg' ? 'msg/s' : `${o.per}s/s`;
  const ceilings = [`${cores} cores busy with nothing else carry at most ${Math.round((cores * 1e9) / total).toLocaleString('en-US')} ${rate} at this cost`];
  if (o.split !== undefined) {
    const loop = medianOf(runs, (r) => r.processes[o.split!]?.main ?? Number.NaN);
    ceilings.push(`the ${o.split}'s event loop alone ${Math.round(1e9 / loop).toLocaleString('en-US')}/s`);
  }
  const value = round(total / div, o.scale === 'us' ? 1 : 3);
  return {
    value,
    unit: `${o.scale === 'us' ? 'µs' : 'ms'} CPU/${o.per}`,
    ...(o.baseline === undefined ? {} : { ratio: round(total / div / o.baseline.value, 4), baseline: o.baseline.key }),
    runs: runs.map((r) => round(totalNs(r) / div, o.scale === 'us' ? 1 : 3)),
    note: `${o.about === undefined ? '' : `${o.about}; `}median per ${o.per}, ${o.scale === 'us' ? 'µs' : 'ms'}: ${parts.join(', ')}; ${ceilings.join(', ')}; `
      + `the machine was idle ${runs.map((r) => `${Math.round(r.machineIdle * 100)}%`).join(' / ')} of its cores' time during the runs`,
  };
}

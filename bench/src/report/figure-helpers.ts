/**
 * Builders for the figure objects written to latest.json: medians of runs, ratios against a baseline figure
 * measured in the same run, latency percentiles, and byte/second formatting conventions.
 */
import { median, round, summarize } from '../lib/stats.ts';
import type { Figure } from './figure.ts';

/** A throughput figure: the median of `runs` in `unit` (default msg/s), every run kept. */
export function medianFigure(runs: readonly number[], extra: Partial<Figure> = {}, unit = 'msg/s'): Figure {
  return { value: round(median(runs), 0), unit, runs: runs.map((r) => round(r, 0)), ...extra };
}

/** Ratio part of a figure without a target: `value / baselineValue` against figure `baselineKey`. */
export function ratioTo(value: number, baselineKey: string, baselineValue: number): { ratio: number; baseline: string } {
  return { ratio: round(value / baselineValue, 4), baseline: baselineKey };
}

/** Ratio part of a figure whose target is `value >= min x baseline`. */
export function atLeast(value: number, baselineKey: string, baselineValue: number, min: number): Partial<Figure> {
  const r = ratioTo(value, baselineKey, baselineValue);
  return { ...r, target: `>= ${min}x`, met: value >= min * baselineValue }; // unrounded: 0.4996x is not 0.5x
}

/** Ratio part of a figure whose target is `value <= max x baseline` (latencies, memory). */
export function atMost(value: number, baselineKey: string, baselineValue: number, max: number): Partial<Figure> {
  const r = ratioTo(value, baselineKey, baselineValue);
  return { ...r, target: `<= ${max}x`, met: value <= max * baselineValue }; // unrounded: 1.1004x is not 1.1x
}

/** p50 and p99 figures (ms) of `samples` under `key`_p50 and `key`_p99. */
export function percentileFigures(key: string, samples: readonly number[], note?: string): Record<string, Figure> {
  const s = summarize(samples);
  return {
    [`${key}_p50`]: { value: round(s.p50), unit: 'ms', ...(note === undefined ? {} : { note: `${note}, n=${s.n}` }) },
    [`${key}_p99`]: { value: round(s.p99), unit: 'ms' },
  };
}

/**
 * The shape of one benchmark figure as written to `bench/results/latest.json` and printed in the table.
 */

/** One measured figure. `ratio` is against `baseline`, a figure key measured in the same run. */
export interface Figure {
  /** The median over `runs` (or the single measurement); null when not measured. */
  value: number | null;
  unit: string;
  /** Whether the target was met, when the figure has one. */
  met?: boolean;
  /** value / baseline value (or the inverse for latencies, see `target`). */
  ratio?: number;
  /** Key of the baseline figure the ratio is computed against. */
  baseline?: string;
  /** The target line, in words. */
  target?: string;
  /** Every run's value, when the figure is a median of several runs. */
  runs?: number[];
  /** What limits or qualifies the figure. */
  note?: string;
}

/** Figures by key, in insertion order (the table order). */
export type Figures = Record<string, Figure>;

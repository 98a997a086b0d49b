/**
 * Renders figures as a plain-text table (also pasted into bench/README.md).
 */
import type { Figures } from './figure.ts';

function fmt(value: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(3);
}

/** A Markdown table: figure, value, unit, ratio (vs baseline), target met, note. */
export function renderTable(figures: Figures): string {
  const rows = [['figure', 'value', 'unit', 'ratio', 'target', 'met'], ['---', '---:', '---', '---:', '---', '---']];
  for (const [key, f] of Object.entries(figures)) {
    rows.push([
      key,
      f.value === null ? (f.note ?? 'not measured') : fmt(f.value),
      f.unit,
      f.ratio === undefined ? '' : `${Math.abs(f.ratio) >= 10 ? fmt(f.ratio) : f.ratio.toFixed(4)}x ${f.baseline ?? ''}`.trim(),
      f.target ?? '',
      f.met === undefined ? '' : f.met ? 'yes' : 'NO',
    ]);
  }
  return rows.map((r) => `| ${r.join(' | ')} |`).join('\n');
}

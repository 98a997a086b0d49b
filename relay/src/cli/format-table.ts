/**
 * Plain-text tables for the `baton` CLI's human-readable output: columns padded to the widest cell, two
 * spaces apart, the last column unpadded.
 */

/**
 * Formats rows (the first is the header) as aligned text without a trailing newline.
 * @example formatTable([['DID', 'ONLINE'], ['did:key:z6Mk...', 'yes']])
 */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const columns = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')).join('\n');
}

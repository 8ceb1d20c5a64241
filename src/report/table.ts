/** A plain-text table for the terminal: columns padded to their widest cell. */
export function formatTable(columns: string[], rows: string[][]): string {
  const w = columns.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (cells: string[]) => cells.map((c, k) => c.padEnd(w[k])).join('  ').trimEnd();
  return [line(columns), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

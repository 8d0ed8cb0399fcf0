/** Formats rows as a plain-text table: a header, columns padded to their widest cell (numbers right-aligned). */
export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly (string | number | bigint)[]>): string[] {
  const cells = rows.map((row) => row.map((cell) => String(cell)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((row) => typeof row[i] !== 'string'));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)));
  const line = (row: readonly string[]) =>
    row.map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...cells.map(line)];
}

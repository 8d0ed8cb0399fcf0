/** A figure: a number with an optional unit (`1.2k`, `3.1 KiB`, `12m03s`), or `-` for none. */
const FIGURE = /^(-|-?\d+(\.\d+)?( ?(k|M|G|B|KiB|MiB|GiB))?|\d+[smhd](\d\d[smh])?)$/;

/** Formats rows as a plain-text table: a header, columns padded to their widest cell (figures right-aligned). */
export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly (string | number | bigint)[]>): string[] {
  const cells = rows.map((row) => row.map((cell) => String(cell)));
  const numeric = header.map((_, i) => cells.length > 0 && cells.every((row) => FIGURE.test(row[i]!)) && cells.some((row) => row[i] !== '-'));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)));
  const line = (row: readonly string[]) =>
    row.map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...cells.map(line)];
}

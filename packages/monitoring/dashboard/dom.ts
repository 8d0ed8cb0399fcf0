// Small DOM helpers of the dashboard: keyed row updates (rows are reused,
// so a refresh every second does not rebuild the tables) and number formats.

export function $(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing element #${id}`);
  return el;
}

export interface Cell {
  text: string;
  numeric: boolean;
}

export function cell(value: string | number, numeric = false): Cell {
  return { text: String(value), numeric };
}

/** Makes the body of `table` show one row per item, in order, reusing rows by key. */
export function setRows<T>(table: HTMLElement, items: readonly T[], key: (item: T) => string, cells: (item: T) => Cell[]): void {
  const body = table.querySelector('tbody')!;
  const existing = new Map<string, HTMLTableRowElement>();
  for (const row of Array.from(body.rows)) existing.set(row.dataset.key ?? '', row);
  let previous: HTMLTableRowElement | null = null;
  for (const item of items) {
    const k = key(item);
    let row = existing.get(k);
    if (row) existing.delete(k);
    else {
      row = document.createElement('tr');
      row.dataset.key = k;
    }
    const values = cells(item);
    while (row.cells.length > values.length) row.deleteCell(-1);
    values.forEach((c, i) => {
      const td = row!.cells[i] ?? row!.insertCell();
      if (td.textContent !== c.text) td.textContent = c.text;
      td.className = c.numeric ? 'num' : '';
    });
    const expected: ChildNode | null = previous ? previous.nextSibling : body.firstChild;
    if (expected !== row) body.insertBefore(row, expected);
    previous = row;
  }
  for (const row of existing.values()) row.remove();
}

export function formatCount(n: number): string {
  if (n < 1000) return Number.isInteger(n) ? String(n) : n.toFixed(1);
  if (n < 1e6) return `${(n / 1e3).toFixed(1)}k`;
  return `${(n / 1e6).toFixed(1)}M`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  if (n < 2 ** 20) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 2 ** 20).toFixed(1)} MiB`;
}

export function formatDuration(seconds: number): string {
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

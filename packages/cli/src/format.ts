/** Human-readable figures for terminal views. */

/** 950, 1.2k, 3.4M … */
export function formatCount(n: number): string {
  if (n < 1000) return Number.isInteger(n) ? String(n) : n.toFixed(1);
  for (const [unit, size] of [['G', 1e9], ['M', 1e6], ['k', 1e3]] as const) {
    if (n >= size) return `${(n / size).toFixed(n / size >= 100 ? 0 : 1)}${unit}`;
  }
  return String(n);
}

/** 512 B, 1.5 KiB, 2.0 MiB … */
export function formatBytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  for (const [unit, size] of [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) {
    if (n >= size) return `${(n / size).toFixed(1)} ${unit}`;
  }
  return `${n} B`;
}

/** 45s, 12m03s, 3h04m, 2d03h */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (v: number) => String(v).padStart(2, '0');
  if (d > 0) return `${d}d${pad(h)}h`;
  if (h > 0) return `${h}h${pad(m)}m`;
  if (m > 0) return `${m}m${pad(s % 60)}s`;
  return `${s}s`;
}

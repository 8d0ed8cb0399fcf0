/**
 * The timestamp of a payload: its `timestamp` field in integer milliseconds
 * (a float is truncated). `undefined` when the payload has none.
 */
export function getTimestamp(payload: unknown): number | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const ts = (payload as { timestamp?: unknown }).timestamp;
  if (typeof ts === 'number') return Number.isFinite(ts) ? Math.trunc(ts) : undefined;
  if (typeof ts === 'bigint') return Number(ts);
  return undefined;
}

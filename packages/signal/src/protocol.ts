/** The payload of a signal: `{descriptor, body}`, in this key order (as the Python implementation sends it). */
export interface SignalPayload<B = unknown> {
  descriptor: string;
  body: B;
}

export function signalPayload<B>(descriptor: string, body: B): SignalPayload<B> {
  return { descriptor, body };
}

/** Reads a signal payload; undefined when it does not have the signal's shape. */
export function parseSignal(value: unknown): SignalPayload | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array || value instanceof Map) {
    return undefined;
  }
  const { descriptor, body } = value as Record<string, unknown>;
  if (typeof descriptor !== 'string') return undefined;
  return { descriptor, body: body === undefined ? null : body };
}

/** Where the monitor listens when nothing else is asked for. */
export const DEFAULT_MONITOR_HOST = '127.0.0.1';
export const DEFAULT_MONITOR_PORT = 8222;

/**
 * Parses a listen address: `host:port`, `[v6]:port`, `:port` or `port`
 * (loopback), optionally as an `http://` URL. Port 0 picks a free port.
 */
export function parseListen(value: string | number | undefined): { host: string; port: number } {
  if (value === undefined) return { host: DEFAULT_MONITOR_HOST, port: DEFAULT_MONITOR_PORT };
  let text = String(value).trim();
  if (text.startsWith('http://')) text = text.slice('http://'.length).replace(/\/+$/, '');
  const match = /^(?:(\[[0-9a-fA-F:.]+\]|[^:[\]]*):)?([0-9]{1,5})$/.exec(text);
  if (!match) throw new RangeError(`monitor address must be HOST:PORT, :PORT or PORT, got ${JSON.stringify(String(value))}`);
  const port = Number(match[2]);
  if (port > 65535) throw new RangeError(`monitor port out of range: ${port}`);
  const host = match[1] ? match[1].replace(/^\[|\]$/g, '') : DEFAULT_MONITOR_HOST;
  return { host, port };
}

/** Whether a host name or address is loopback only. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

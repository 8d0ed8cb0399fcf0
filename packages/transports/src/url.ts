import { MAX_COST } from '@streamtasks/link';
import { DEFAULT_COSTS } from './constants.js';
import { InvalidUrlError } from './errors.js';

/** The URL schemes a connection can use. */
export type Scheme = 'tcp' | 'unix' | 'ws' | 'wss' | 'node';

/** A parsed connection URL. */
export interface ConnectionUrl {
  readonly scheme: Scheme;
  /**
   * Host name or address (IPv6 without brackets); empty for `unix`. For
   * `node`, the node's name (empty for this machine's default node).
   */
  readonly host: string;
  /** Port; undefined for `unix`, and for `ws`/`wss` URLs without one (80/443). */
  readonly port: number | undefined;
  /**
   * The socket path for `unix`; the request path for `ws`/`wss` (at least
   * `/`); empty for `node` (its socket path depends on the machine, see
   * `nodeSocketPath`).
   */
  readonly path: string;
  /** The raw query string, without `?`. */
  readonly query: string;
  /**
   * Handshake data taken from the URL, in order: `username` and `password`
   * from the user info, then every query parameter that occurs exactly once.
   * All values are strings; `cost` is included too.
   */
  readonly handshakeData: ReadonlyMap<string, string>;
  /** The link cost: the `cost` parameter when it is a non-zero integer, else the scheme's default. */
  readonly cost: number;
  /** The URL as given. */
  readonly href: string;
  /** The URL without credentials and query, for messages and logs. */
  readonly display: string;
}

const DEFAULT_COST_BY_SCHEME: Record<Scheme, number> = {
  tcp: DEFAULT_COSTS.TCP,
  unix: DEFAULT_COSTS.UNIX,
  ws: DEFAULT_COSTS.WEBSOCKET,
  wss: DEFAULT_COSTS.WEBSOCKET,
  node: DEFAULT_COSTS.NODE,
};

const URL_PATTERN = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/;

/**
 * Parses `tcp://host:port`, `unix:///path/to.sock`, `ws://host[:port][/path]`,
 * `wss://…` or `node://[NAME]`, following the Python reference so that both
 * build the same handshake from the same URL:
 *
 * - `node://NAME` is the local unix socket of the node named NAME (the name
 *   is lowercased, as a host name is); `node://` is that of this machine's
 *   default node (see `nodeName`);
 *
 * - user name and password are taken as written (not percent-decoded);
 * - query parameters are split on `&` and percent-decoded (`+` is a space);
 *   a parameter without `=` or with an empty value is ignored, and a
 *   parameter given more than once is left out of the handshake;
 * - `cost` sets the link cost when it is all digits and not zero; otherwise
 *   the scheme's default applies (it is sent in the handshake either way).
 *
 * Throws {@link InvalidUrlError}.
 */
export function parseUrl(url: string): ConnectionUrl {
  const m = URL_PATTERN.exec(url);
  if (!m) throw new InvalidUrlError(url, 'expected scheme://…');
  const scheme = m[1]!.toLowerCase();
  if (scheme !== 'tcp' && scheme !== 'unix' && scheme !== 'ws' && scheme !== 'wss' && scheme !== 'node') {
    throw new InvalidUrlError(url, `unknown scheme ${scheme}: use tcp, unix, ws, wss or node`);
  }
  const authority = m[2]!;
  const at = authority.lastIndexOf('@');
  const userInfo = at >= 0 ? authority.slice(0, at) : undefined;
  const hostPort = at >= 0 ? authority.slice(at + 1) : authority;
  const rawPath = m[3]!;
  const query = m[4] ?? '';

  const handshakeData = new Map<string, string>();
  if (userInfo !== undefined) {
    const colon = userInfo.indexOf(':');
    handshakeData.set('username', colon >= 0 ? userInfo.slice(0, colon) : userInfo);
    if (colon >= 0) handshakeData.set('password', userInfo.slice(colon + 1));
  }
  const params = parseQuery(query);
  for (const [name, values] of params) {
    if (values.length === 1) handshakeData.set(name, values[0]!);
  }
  const costParam = params.get('cost');
  const cost = costParam?.length === 1 ? explicitCost(url, costParam[0]!) : undefined;

  let host = '';
  let port: number | undefined;
  let path = rawPath;
  if (scheme === 'unix') {
    if (hostPort !== '') throw new InvalidUrlError(url, 'a unix URL has an empty host: unix:///path/to.sock');
    if (path === '') throw new InvalidUrlError(url, 'the socket path is missing');
  } else if (scheme === 'node') {
    [host, port] = hostPort === '' ? ['', undefined] : splitHostPort(url, hostPort);
    if (port !== undefined || (path !== '' && path !== '/')) {
      throw new InvalidUrlError(url, 'a node URL names a node and nothing else: node://NAME');
    }
    path = '';
  } else {
    [host, port] = splitHostPort(url, hostPort);
    if (host === '') throw new InvalidUrlError(url, 'the host is missing');
    if (scheme === 'tcp' && port === undefined) throw new InvalidUrlError(url, 'the port is missing');
    if (path === '') path = '/';
  }
  const display = scheme === 'node' ? `node://${host}` : `${scheme}://${hostPort}${rawPath}`;
  return {
    scheme,
    host,
    port,
    path,
    query,
    handshakeData,
    cost: cost ?? DEFAULT_COST_BY_SCHEME[scheme],
    href: url,
    display,
  };
}

/** `cost` as the reference reads it: all digits and non-zero, else the default (undefined). */
function explicitCost(url: string, value: string): number | undefined {
  if (!/^[0-9]+$/.test(value)) return undefined;
  const cost = Number(value);
  if (cost === 0) return undefined;
  if (cost > MAX_COST) throw new InvalidUrlError(url, `cost ${value} is above the maximum ${MAX_COST}`);
  return cost;
}

function splitHostPort(url: string, hostPort: string): [string, number | undefined] {
  let host: string;
  let portText: string | undefined;
  if (hostPort.startsWith('[')) {
    const end = hostPort.indexOf(']');
    if (end < 0) throw new InvalidUrlError(url, 'unterminated IPv6 address');
    host = hostPort.slice(1, end);
    const rest = hostPort.slice(end + 1);
    if (rest !== '' && !rest.startsWith(':')) throw new InvalidUrlError(url, 'unexpected characters after the IPv6 address');
    portText = rest === '' ? undefined : rest.slice(1);
  } else {
    const colon = hostPort.lastIndexOf(':');
    host = colon >= 0 ? hostPort.slice(0, colon) : hostPort;
    portText = colon >= 0 ? hostPort.slice(colon + 1) : undefined;
  }
  if (portText === undefined || portText === '') return [host.toLowerCase(), undefined];
  if (!/^[0-9]+$/.test(portText) || Number(portText) > 65535) {
    throw new InvalidUrlError(url, `port ${JSON.stringify(portText)} is not a number from 0 to 65535`);
  }
  return [host.toLowerCase(), Number(portText)];
}

/** Query parameters by name, values in order, as Python's `parse_qs` with its defaults. */
function parseQuery(query: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const value = decodeComponent(part.slice(eq + 1));
    if (value === '') continue;
    const name = decodeComponent(part.slice(0, eq));
    const values = out.get(name);
    if (values) values.push(value);
    else out.set(name, [value]);
  }
  return out;
}

function decodeComponent(s: string): string {
  const text = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(text);
  } catch {
    // Invalid escapes stay as written rather than failing the whole URL.
    return text.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
}

/** The URL with the host, port and path of a listening server filled in, without credentials or query. */
export function formatUrl(scheme: Scheme, host: string, port: number | undefined, path: string): string {
  if (scheme === 'unix') return `unix://${path}`;
  if (scheme === 'node') return `node://${host}`;
  const h = host.includes(':') ? `[${host}]` : host;
  const p = port === undefined ? '' : `:${port}`;
  return `${scheme}://${h}${p}${scheme === 'tcp' || path === '/' ? '' : path}`;
}

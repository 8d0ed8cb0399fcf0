import { DEFAULT_NATS_COST, DEFAULT_NETWORK } from './constants.js';
import { InvalidNatsUrlError } from './errors.js';
import { isNetworkName } from './subjects.js';

/** A parsed `nats://` (or `tls://`) URL. */
export interface NatsUrl {
  /** `host:port` of each server, in the order given. */
  readonly servers: readonly string[];
  readonly user: string | undefined;
  readonly pass: string | undefined;
  readonly token: string | undefined;
  readonly network: string;
  readonly cost: number;
  /** `tls://` URLs (or `?tls=true`) require TLS. */
  readonly tls: boolean;
  /** The URL without credentials, for messages and logs. */
  readonly display: string;
}

/** True for the URLs {@link parseNatsUrl} reads (`nats://…`, `tls://…`). */
export function isNatsUrl(url: string): boolean {
  return /^(nats|tls):\/\//i.test(url);
}

/** Default port of a NATS server. */
export const DEFAULT_NATS_PORT = 4222;

const URL_PATTERN = /^(nats|tls):\/\/([^/?#]*)\/?(?:\?([^#]*))?$/i;

/**
 * Parses `nats://[user:pass@]host[:port][,host[:port]…][?network=NAME&cost=N&token=T&tls=true]`
 * (`tls://…` for TLS). User, password and query values are percent-decoded;
 * the port defaults to 4222, the network to {@link DEFAULT_NETWORK} and the
 * cost to {@link DEFAULT_NATS_COST}. Throws {@link InvalidNatsUrlError}.
 */
export function parseNatsUrl(url: string): NatsUrl {
  const m = URL_PATTERN.exec(url);
  if (!m) throw new InvalidNatsUrlError(url, 'expected nats://host:port[,host:port…][?network=…&cost=…]');
  const scheme = m[1]!.toLowerCase();
  const authority = m[2]!;
  const at = authority.lastIndexOf('@');
  const userInfo = at >= 0 ? authority.slice(0, at) : undefined;
  const hosts = at >= 0 ? authority.slice(at + 1) : authority;
  let user: string | undefined;
  let pass: string | undefined;
  if (userInfo !== undefined) {
    const colon = userInfo.indexOf(':');
    user = decode(url, colon >= 0 ? userInfo.slice(0, colon) : userInfo);
    pass = colon >= 0 ? decode(url, userInfo.slice(colon + 1)) : undefined;
  }
  const servers = hosts.split(',').map((h) => server(url, h));
  const params = new Map<string, string>();
  for (const part of (m[3] ?? '').split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decode(url, eq >= 0 ? part.slice(0, eq) : part, true);
    if (params.has(name)) throw new InvalidNatsUrlError(url, `parameter ${name} given twice`);
    params.set(name, decode(url, eq >= 0 ? part.slice(eq + 1) : '', true));
  }
  for (const name of params.keys()) {
    if (!['network', 'cost', 'token', 'tls'].includes(name)) throw new InvalidNatsUrlError(url, `unknown parameter ${name} (use network, cost, token or tls)`);
  }
  const network = params.get('network') ?? DEFAULT_NETWORK;
  if (!isNetworkName(network)) throw new InvalidNatsUrlError(url, `network must be 1–64 letters, digits, '-' or '_'`);
  const costParam = params.get('cost');
  const cost = costParam === undefined ? DEFAULT_NATS_COST : Number(costParam);
  if (costParam !== undefined && !(/^\d{1,10}$/.test(costParam) && cost >= 1 && cost <= 0xffff_ffff)) {
    throw new InvalidNatsUrlError(url, `cost must be an integer from 1 to 4294967295, got ${costParam}`);
  }
  const tlsParam = params.get('tls');
  if (tlsParam !== undefined && tlsParam !== 'true' && tlsParam !== 'false') throw new InvalidNatsUrlError(url, 'tls must be true or false');
  return {
    servers,
    user,
    pass,
    token: params.get('token'),
    network,
    cost,
    tls: scheme === 'tls' || tlsParam === 'true',
    display: `${scheme}://${servers.join(',')}?network=${network}`,
  };
}

function server(url: string, hostPort: string): string {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(hostPort);
  if (!m) throw new InvalidNatsUrlError(url, `expected host[:port], got ${JSON.stringify(hostPort)}`);
  const port = m[2] === undefined ? DEFAULT_NATS_PORT : Number(m[2]);
  if (port < 1 || port > 65535) throw new InvalidNatsUrlError(url, `port ${m[2]} out of range`);
  return `${m[1]}:${port}`;
}

function decode(url: string, text: string, plusIsSpace = false): string {
  try {
    return decodeURIComponent(plusIsSpace ? text.replace(/\+/g, ' ') : text);
  } catch (err) {
    throw new InvalidNatsUrlError(url, `bad percent-encoding in ${JSON.stringify(text)}`, { cause: err });
  }
}

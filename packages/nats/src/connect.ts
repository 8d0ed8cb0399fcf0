import { connect, type NodeConnectionOptions } from '@nats-io/transport-node';
import { AbortError } from '@streamtasks/link';
import { NatsConnectError, redact } from './errors.js';
import { NatsLink, type NatsLinkOptions } from './nats-link.js';
import { randomNodeId } from './node-id.js';
import { parseNatsUrl } from './url.js';

/** TLS settings of the NATS client: CA, client certificate and key, `rejectUnauthorized`. */
export type NatsTlsOptions = NonNullable<NodeConnectionOptions['tls']>;

/** Milliseconds connecting may take by default. */
export const DEFAULT_CONNECT_TIMEOUT = 10_000;

/** How to reach the NATS servers, and the options of the link. */
export interface ConnectNatsOptions extends NatsLinkOptions {
  /** A `nats://` or `tls://` URL (see {@link parseNatsUrl}); its settings come before the other options. */
  url?: string;
  /** `host:port` of one or more servers (when no `url` is given). Default `127.0.0.1:4222`. */
  servers?: string | readonly string[];
  user?: string;
  pass?: string;
  token?: string;
  /** `true` to require TLS with the system's CAs, or the TLS options (CA, client certificate). */
  tls?: boolean | NatsTlsOptions;
  /** Client name shown in the server's monitoring. Default `streamtasks-<node id>`. */
  name?: string;
  /** Milliseconds connecting may take. Default {@link DEFAULT_CONNECT_TIMEOUT}. */
  timeout?: number;
  signal?: AbortSignal;
  /**
   * Further options of the NATS client (`authenticator` for credentials
   * files and nkeys, `reconnectTimeWait`, …); they come last and win.
   * By default the client reconnects forever, trying the next server after
   * 250 ms.
   */
  nats?: NodeConnectionOptions;
}

/**
 * Connects to a NATS cluster and returns the link that joins this node to
 * every other node of the same network on it, once the network answered
 * (see {@link NatsLink.ready}). Add it to a switch
 * (`switch.addLink(link)`) or use it for one client (`new Client(link)`).
 *
 * Rejects with {@link NatsConnectError} when no server can be reached or the
 * credentials are refused, and `InvalidNatsUrlError` for a bad URL.
 */
export async function connectNats(target: string | ConnectNatsOptions): Promise<NatsLink> {
  const options: ConnectNatsOptions = typeof target === 'string' ? { url: target } : target;
  const fromUrl = options.url === undefined ? undefined : parseNatsUrl(options.url);
  const nodeId = options.nodeId ?? randomNodeId();
  const linkOptions: NatsLinkOptions = {
    ...options,
    nodeId,
    network: fromUrl?.network ?? options.network,
    cost: fromUrl?.cost ?? options.cost,
  };
  const tls = fromUrl?.tls ? (typeof options.tls === 'object' ? options.tls : {}) : options.tls === true ? {} : options.tls || undefined;
  const servers = fromUrl?.servers ?? (typeof options.servers === 'string' ? [options.servers] : options.servers) ?? ['127.0.0.1:4222'];
  const where = options.url === undefined ? servers.join(',') : redact(options.url);
  options.signal?.throwIfAborted();
  const connecting = connect({
    servers: [...servers],
    user: fromUrl?.user ?? options.user,
    pass: fromUrl?.pass ?? options.pass,
    token: fromUrl?.token ?? options.token,
    tls: tls ?? undefined,
    name: options.name ?? `streamtasks-${nodeId}`,
    timeout: options.timeout ?? DEFAULT_CONNECT_TIMEOUT,
    // A node never hears its own messages; every other node does.
    noEcho: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    ...options.nats,
  });
  let nc;
  try {
    nc = await abortable(connecting, options.signal);
  } catch (err) {
    if (err instanceof AbortError) {
      void connecting.then((late) => late.close(), () => undefined);
      throw err;
    }
    throw new NatsConnectError(`cannot connect to NATS at ${where}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  let link: NatsLink;
  try {
    link = new NatsLink(nc, linkOptions);
  } catch (err) {
    await nc.close();
    throw err;
  }
  try {
    await link.ready({ timeout: options.timeout ?? DEFAULT_CONNECT_TIMEOUT, signal: options.signal });
  } catch (err) {
    await link[Symbol.asyncDispose]();
    throw err;
  }
  return link;
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortError('a NATS connection', { cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

// Node-only: opens TCP, unix socket and WebSocket connections.
import type { Agent as HttpAgent } from 'node:http';
import { connect as netConnect } from 'node:net';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { AbortError } from '@streamtasks/link';
import { WebSocket } from 'ws';
import type { FrameChannel } from './channel.js';
import { checkConnectionLinkOptions, type ConnectionLink } from './connection-link.js';
import { DEFAULT_MAX_FRAME_SIZE } from './constants.js';
import { establish, type ClientOptions } from './establish.js';
import { ReconnectingConnection, type ReconnectingOptions } from './reconnecting-connection.js';
import { Reconnector, type ReconnectorOptions } from './reconnector.js';
import { DEFAULT_NODE_URL, socketPathOf } from './node-socket.js';
import { SocketChannel } from './socket-channel.js';
import { parseUrl, type ConnectionUrl } from './url.js';
import { webSocketAddress } from './websocket-connect.js';
import { WebSocketChannel } from './websocket-channel.js';

/**
 * Options handed as they are to the `ws` client for `ws://` and `wss://`:
 * the ones users set, typed here so that the package's types need no
 * `@types/ws` (see `ClientOptions` in the `ws` documentation for what each
 * does). `maxPayload` is always the connection's `maxFrameSize`.
 */
export interface WebSocketClientOptions extends Pick<
  TlsConnectionOptions,
  'ca' | 'cert' | 'key' | 'pfx' | 'passphrase' | 'rejectUnauthorized' | 'servername' | 'checkServerIdentity'
> {
  /** Extra HTTP headers of the upgrade request. */
  headers?: Record<string, string>;
  /** Milliseconds the opening handshake may take. */
  handshakeTimeout?: number;
  /** The `Origin` header. */
  origin?: string;
  /** Whether to offer permessage-deflate (default: `ws`'s default). */
  perMessageDeflate?: boolean;
  /** The HTTP(S) agent of the upgrade request (proxies). */
  agent?: HttpAgent;
  followRedirects?: boolean;
  maxRedirects?: number;
}

export interface ConnectOptions extends ClientOptions {
  /** Milliseconds a graceful close may take to flush (TCP, unix). Default 5000. */
  closeTimeout?: number;
  /** Extra options for the `ws` client (TLS settings, headers…), for `ws://` and `wss://`. */
  websocket?: WebSocketClientOptions;
}

/**
 * Connects to a streamtasks server (TypeScript or Python) and performs the
 * handshake. Resolves with the link once the server accepted; plug it into a
 * `Switch` or hand it to a client. Without a URL it connects to this
 * machine's node (`node://`, its local unix socket: see `nodeSocketPath`).
 *
 * The link cost is `options.cost`, else the URL's `cost` parameter, else the
 * scheme's default. Rejects with `HandshakeRejectedError` (wrong auth or
 * version), `HandshakeError`, `ConnectionClosedError` (refused, reset),
 * `TimeoutError` or `AbortError`; no socket is left open then.
 *
 * @example
 * ```ts
 * const link = await connect('tcp://127.0.0.1:9000?auth=secret', { timeout: 5000 });
 * mySwitch.addLink(link);
 * ```
 */
export async function connect(url: string | ConnectionUrl = DEFAULT_NODE_URL, options: ConnectOptions = {}): Promise<ConnectionLink> {
  const target = typeof url === 'string' ? parseUrl(url) : url;
  checkConnectionLinkOptions(options);
  if (options.signal?.aborted) throw new AbortError(`a connection to ${target.display}`, { cause: options.signal.reason });
  return establish(openChannel(target, options), target, options);
}

/** Opens the transport of a URL; frames sent before it is connected are queued. */
function openChannel(target: ConnectionUrl, options: ConnectOptions): FrameChannel {
  const maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
  const streamOptions = { maxFrameSize, closeTimeout: options.closeTimeout, description: target.display };
  switch (target.scheme) {
    case 'tcp':
      return new SocketChannel(netConnect({ host: target.host, port: target.port! }), streamOptions);
    case 'unix':
    case 'node':
      return new SocketChannel(netConnect({ path: socketPathOf(target) }), streamOptions);
    case 'ws':
    case 'wss': {
      const ws = new WebSocket(webSocketAddress(target), { maxPayload: maxFrameSize, ...options.websocket });
      return new WebSocketChannel(ws, { maxFrameSize, description: target.display });
    }
  }
}

export interface ReconnectOptions extends ReconnectorOptions, Omit<ConnectOptions, 'signal'> {}

/**
 * Keeps a connection to `url` up (see {@link Reconnector}): each new link is
 * added to `options.switch` and/or passed to `options.onLink`.
 *
 * @example
 * ```ts
 * const reconnector = createReconnector('tcp://hub.example:9000', { switch: hub, delay: 500 });
 * reconnector.events.on('status', (s) => console.log(s.state));
 * // …
 * await reconnector.stop();
 * ```
 */
export function createReconnector(url: string | ConnectionUrl, options: ReconnectOptions = {}): Reconnector {
  const target = typeof url === 'string' ? parseUrl(url) : url;
  const { signal: _stop, ...connectOptions } = options;
  return new Reconnector((signal) => connect(target, { ...connectOptions, signal }), options);
}

export interface ReconnectingConnectOptions extends ConnectOptions, ReconnectingOptions {}

/**
 * Connects like {@link connect} (`timeout` and `signal` bound this first
 * connection; it rejects as `connect` does) and keeps the connection up
 * from then on: see {@link ReconnectingConnection}. Later attempts use the
 * same options, with each attempt bounded by the handshake timeout.
 *
 * @example
 * ```ts
 * const connection = await connectReconnecting('tcp://127.0.0.1:9000', { maxDowntime: 30_000 });
 * const client = new Client(connection.link).start();
 * for await (const s of connection.status()) console.log(s.type);
 * ```
 */
export async function connectReconnecting(
  url: string | ConnectionUrl = DEFAULT_NODE_URL,
  options: ReconnectingConnectOptions = {},
): Promise<ReconnectingConnection> {
  const target = typeof url === 'string' ? parseUrl(url) : url;
  const { signal: _first, timeout: _firstTimeout, delay, maxDelay, backoff, maxAttempts, maxDowntime, name: _name, ...connectOptions } = options;
  let first: ConnectionLink | undefined = await connect(target, options);
  const connection = new ReconnectingConnection((signal) => {
    const link = first;
    first = undefined;
    return link ? Promise.resolve(link) : connect(target, { ...connectOptions, signal });
  }, { delay, maxDelay, backoff, maxAttempts, maxDowntime, name: options.name ?? target.display });
  await connection.waitConnected();
  return connection;
}

/**
 * Connections between processes and machines for the streamtasks network:
 * TCP, unix sockets and WebSockets, wire-compatible with the Python
 * `streamtasks` package.
 *
 * - {@link connect} opens a connection and resolves with a link after the
 *   handshake; {@link createServer} listens and adds one link per accepted
 *   connection to a `Switch`; {@link createReconnector} keeps a connection
 *   up for a switch, and {@link connectReconnecting} keeps one up under a
 *   client: a link that survives reconnects, with a `status()` stream.
 * - URLs: `tcp://host:port`, `unix:///path/to.sock`, `ws://host:port/path`,
 *   `wss://…`, and `node://[NAME]`: the local unix socket of a node, where
 *   `connect()` without a URL looks (`$NODE_NAME`, else the host name). User info and single-valued query parameters go into the
 *   handshake; `?auth=` is checked by servers; `?cost=` sets the link cost.
 * - Limits (all configurable): frames up to 16 MiB, handshakes within 10 s,
 *   `send()` returns false above 1 MiB buffered and the link closes with
 *   `SlowConsumerError` above 64 MiB, 1024 connections per server.
 *
 * Node-only parts (`net`, `fs`, the `ws` server) live in their own modules;
 * `@streamtasks/transports/browser` exports the browser-safe subset.
 *
 * @example
 * ```ts
 * import { Switch } from '@streamtasks/link';
 * import { connect, createServer } from '@streamtasks/transports';
 *
 * const hub = new Switch();
 * const server = await createServer('tcp://127.0.0.1:0?auth=secret', { switch: hub });
 *
 * const local = new Switch();
 * local.addLink(await connect(`${server.url}?auth=secret`));
 * // topics and addresses now flow between `local` and `hub`
 *
 * await server.close();
 * local.close();
 * ```
 *
 * @packageDocumentation
 */
export * from './common.js';
export {
  connect,
  connectReconnecting,
  createReconnector,
  type ConnectOptions,
  type ReconnectOptions,
  type ReconnectingConnectOptions,
  type WebSocketClientOptions,
} from './connect.js';
export {
  TransportServer,
  createServer,
  type ConnectionInfo,
  type ServerEvents,
  type ServerOptions,
} from './server.js';
export type { ListenAddress } from './listener.js';
export { DEFAULT_NODE_URL, NODE_NAME_ENV, nodeName, nodeSocketPath } from './node-socket.js';

/**
 * Clients for programs that are not nodes: {@link openClient} connects to a
 * node (TCP, unix socket, WebSocket), starts a client and, with `address`,
 * gets it an address from discovery. With `reconnect` it returns a
 * {@link ReconnectingClient}, which survives the node going away and coming
 * back: it reconnects with backoff (bounded by `maxAttempts` and
 * `maxDowntime`), restores its address, topics, server routes and address
 * names, and reports `disconnect`, `reconnecting`, `reconnect` and `close`
 * on its `status()` stream, as nats.js does.
 *
 * While disconnected, fetches fail at once and publishes throw (both with
 * `ConnectionClosedError`); nothing is buffered. See docs/failure-semantics.md.
 *
 * This package pulls in the client, discovery and the transports — not the
 * node (`@streamtasks/cli`).
 *
 * @example
 * ```ts
 * import { openClient } from '@streamtasks/connect';
 * import { registerAddressName } from '@streamtasks/discovery';
 *
 * const client = await openClient('tcp://127.0.0.1:9000', { address: true, reconnect: { maxDowntime: 30_000 }, timeout: 5000 });
 * await registerAddressName(client, 'my-service'); // registered again after every reconnect
 * for await (const status of client.status()) {
 *   if (status.type === 'disconnect') console.log('node gone, reconnecting');
 *   if (status.type === 'reconnect') console.log('back');
 * }
 * ```
 *
 * @packageDocumentation
 */
export { openClient, type OpenClientOptions, type ReconnectOptions } from './open-client.js';
export { ReconnectingClient, type ReconnectingClientOptions } from './reconnecting-client.js';

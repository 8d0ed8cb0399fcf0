import type { WaitOptions } from '@streamtasks/link';
import { Client, type ClientOptions } from '@streamtasks/client';
import { discoveryNames, requestAddress } from '@streamtasks/discovery';
import { DEFAULT_NODE_URL, connect, connectReconnecting, type ReconnectingOptions } from '@streamtasks/transports';
import { ReconnectingClient } from './reconnecting-client.js';

/** How a client opened with `reconnect` reconnects; see `ReconnectingOptions` of `@streamtasks/transports`. */
export interface ReconnectOptions extends Omit<ReconnectingOptions, 'name'> {
  /** Milliseconds the restore after a reconnect waits for discovery and each name. Default 5000. */
  restoreTimeout?: number;
}

/** Options of {@link openClient}: the client's options, `timeout`/`signal` for the whole opening, and what else to do. */
export interface OpenClientOptions extends WaitOptions, ClientOptions {
  /** Ask discovery for an address (needed for fetch, names and signals by name). */
  address?: boolean;
  /**
   * Keep the connection up: the client is a {@link ReconnectingClient}.
   * `true` takes the defaults (first retry after 250 ms, backoff up to 5 s,
   * giving up after 60 s without a connection).
   */
  reconnect?: boolean | ReconnectOptions;
}

/**
 * Connects to a node (TypeScript or Python) over TCP, a unix socket or a
 * WebSocket, and starts a client on the connection, which resolves names
 * through discovery (`discoveryNames`). With `address`, a fresh
 * address is requested from discovery. `timeout` bounds all of it together.
 * Without a URL it connects to this machine's node (`node://`).
 *
 * With `reconnect`, the client is a {@link ReconnectingClient}: when the
 * connection drops it reconnects with backoff and restores its address,
 * topics, server routes and address names.
 *
 * @example
 * ```ts
 * const client = await openClient('tcp://127.0.0.1:9000', { address: true, reconnect: true, timeout: 5000 });
 * for await (const s of client.status()) console.log(s.type); // disconnect, reconnecting, reconnect, close
 * ```
 */
export function openClient(url: string | undefined, options: OpenClientOptions & { reconnect: true | ReconnectOptions }): Promise<ReconnectingClient>;
export function openClient(url?: string, options?: OpenClientOptions): Promise<Client>;
export async function openClient(url: string = DEFAULT_NODE_URL, options: OpenClientOptions = {}): Promise<Client> {
  // One bound for the connection, the handshake and the address request together.
  const end = options.timeout === undefined ? undefined : Date.now() + options.timeout;
  const remaining = () => (end === undefined ? undefined : Math.max(0, end - Date.now()));
  const { signal } = options;
  const clientOptions: ClientOptions = {
    fetchTimeout: options.fetchTimeout,
    maxPendingFetches: options.maxPendingFetches,
    routeGrace: options.routeGrace,
    nameResolver: options.nameResolver ?? discoveryNames,
  };
  let client: Client;
  if (options.reconnect) {
    const { restoreTimeout, ...reconnect } = options.reconnect === true ? {} : options.reconnect;
    const connection = await connectReconnecting(url, { ...reconnect, timeout: remaining(), signal });
    client = new ReconnectingClient(connection, { ...clientOptions, restoreTimeout }).start();
  } else {
    client = new Client(await connect(url, { timeout: remaining(), signal }), clientOptions).start();
  }
  try {
    if (options.address) await requestAddress(client, { timeout: remaining(), signal });
  } catch (err) {
    client.close();
    throw err;
  }
  return client;
}

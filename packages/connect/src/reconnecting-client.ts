import { ConnectionClosedError, MessageType, toId, type Id, type WaitOptions } from '@streamtasks/link';
import { boundedWait } from '@streamtasks/link/internal';
import { Client, DISCOVERY_ADDRESS, Ports, parseEndpoint, type CheckedFetchOptions, type ClientOptions, type Endpoint, type FetchOptions } from '@streamtasks/client';
import { discoveryNames } from '@streamtasks/discovery';
import { DiscoveryDescriptors } from '@streamtasks/discovery/internal';
import type { ConnectionStatus, ReconnectingConnection } from '@streamtasks/transports';

/** Options of a {@link ReconnectingClient}; names resolve through discovery unless `nameResolver` says otherwise. */
export interface ReconnectingClientOptions extends ClientOptions {
  /**
   * Milliseconds the restore after a reconnect waits for discovery and for
   * each name registration. Default 5000.
   */
  restoreTimeout?: number;
}

/**
 * A client whose connection comes back (see `ReconnectingConnection` in
 * `@streamtasks/transports`): the same `Client` API, on a link that outlives
 * the connections under it.
 *
 * After a reconnect it has again its address, its provided and requested
 * topics (so `InTopic` loops simply go on), the routes to its address (so
 * fetch and signal servers keep serving), and the address names it
 * registered for its own address (`registerAddressName`), which it
 * registers again once discovery is reachable; then the `reconnect` status
 * comes. A name another address took meanwhile is not taken back: that is
 * reported as an `error` event and the name is dropped.
 *
 * While the connection is down:
 * - a fetch in flight at the drop rejects at once with
 *   `ConnectionClosedError`, and so does a fetch started while down;
 * - publishing (`sendToTopic`, `sendTopicControl`, `OutTopic.send`) and
 *   addressed sends (`sendToAddress`, `sendTo`, signals) throw
 *   `ConnectionClosedError`: nothing is buffered for the next connection;
 * - registrations (topics, the address) are kept and announced on
 *   reconnect; topic reads wait.
 *
 * It closes for good on `close()`, or when the reconnect gives up; then it
 * behaves as a `Client` whose link closed.
 */
export class ReconnectingClient extends Client {
  readonly connection: ReconnectingConnection;
  private readonly restoreTimeout: number;
  /** Fetches waiting for an answer: each is failed at once when the connection drops. */
  private readonly inFlight = new Set<(error: ConnectionClosedError) => void>();
  /** The names this client registered, with the address each was registered for. */
  private readonly heldNames = new Map<string, Id>();

  constructor(connection: ReconnectingConnection, options: ReconnectingClientOptions = {}) {
    super(connection.link, { ...options, nameResolver: options.nameResolver ?? discoveryNames });
    this.connection = connection;
    this.restoreTimeout = options.restoreTimeout ?? 5000;
    connection.events.on('status', (status) => {
      if (status.type === 'disconnect') this.failInFlight(status.error);
    });
    connection.events.on('error', (err) => this.events.emit('error', err));
    connection.onRestore((signal) => this.restoreNames(signal));
  }

  /** Whether the connection is up now. */
  get isConnected(): boolean {
    return this.connection.isConnected;
  }

  /** The connection's status changes from now on (nats.js `status()`): `disconnect`, `reconnecting`, `reconnect`, `close`. */
  status(options: { signal?: AbortSignal } = {}): AsyncIterableIterator<ConnectionStatus, undefined> {
    return this.connection.status(options);
  }

  /** Resolves once connected and restored (at once if connected now); rejects once closed. */
  waitConnected(options?: WaitOptions): Promise<void> {
    return this.connection.waitConnected(options);
  }

  /** The names this client registered for its address and restores after a reconnect. */
  get registeredNames(): string[] {
    return [...this.heldNames.keys()];
  }

  override fetch(endpoint: Endpoint, descriptor: string, body: unknown, options?: FetchOptions): Promise<unknown>;
  override fetch<R>(endpoint: Endpoint, descriptor: string, body: unknown, options: CheckedFetchOptions<R>): Promise<R>;
  override async fetch(endpoint: Endpoint, descriptor: string, body: unknown, options: FetchOptions | CheckedFetchOptions<unknown> = {}): Promise<unknown> {
    this.checkConnected(`fetch ${JSON.stringify(descriptor)}`);
    const outer = options.signal;
    if (outer?.aborted) return super.fetch(endpoint, descriptor, body, options);
    const controller = new AbortController();
    const onOuterAbort = () => controller.abort(outer!.reason);
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    let lost: ConnectionClosedError | undefined;
    const onDrop = (error: ConnectionClosedError) => {
      lost = error;
      controller.abort(error);
    };
    this.inFlight.add(onDrop);
    try {
      const answer = await super.fetch(endpoint, descriptor, body, { ...options, signal: controller.signal });
      this.noteRegistration(endpoint, descriptor, body);
      return answer;
    } catch (err) {
      throw lost ?? err;
    } finally {
      this.inFlight.delete(onDrop);
      outer?.removeEventListener('abort', onOuterAbort);
    }
  }

  override sendToTopic(topic: Id, data: unknown): boolean {
    this.checkConnected(`publish on topic ${String(topic)}`);
    return super.sendToTopic(topic, data);
  }

  override sendTopicControl(topic: Id, control: { paused: boolean }): boolean {
    this.checkConnected(`publish the state of topic ${String(topic)}`);
    return super.sendTopicControl(topic, control);
  }

  override sendToAddress(address: Id, port: number, data: unknown): boolean {
    this.checkConnected(`send to ${String(address)}:${port}`);
    return super.sendToAddress(address, port, data);
  }

  override cacheAddressName(name: string, address: Id | undefined): void {
    // Someone else holds the name now (it was replaced): it is no longer ours to restore.
    const held = this.heldNames.get(name);
    if (held !== undefined && address !== undefined && toId(address) !== held) this.heldNames.delete(name);
    super.cacheAddressName(name, address);
  }

  override clearAddressNameCache(name?: string): void {
    // `unregisterAddressName` (and a scoped registration ending) clear the name: it is given up.
    if (name !== undefined) this.heldNames.delete(name);
    super.clearAddressNameCache(name);
  }

  override async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.connection.close();
  }

  /** Throws while the connection is down (a closed link throws its own error further on). */
  private checkConnected(what: string): void {
    if (this.connection.isConnected || this.link.isClosed) return;
    throw new ConnectionClosedError(`cannot ${what}: not connected to ${this.connection.name} (reconnecting)`);
  }

  private failInFlight(reason: Error | undefined): void {
    const error = new ConnectionClosedError(
      `the connection to ${this.connection.name} dropped${reason ? `: ${reason.message}` : ''}`,
      { cause: reason },
    );
    const pending = [...this.inFlight];
    this.inFlight.clear();
    for (const fail of pending) fail(error);
  }

  /** Remembers a name registration that discovery accepted (the only way a name is registered). */
  private noteRegistration(endpoint: Endpoint, descriptor: string, body: unknown): void {
    if (descriptor !== DiscoveryDescriptors.REGISTER_ADDRESS_NAME) return;
    const target = parseEndpoint(endpoint, Ports.FETCH);
    if (target.address !== DISCOVERY_ADDRESS || target.port !== Ports.FETCH) return;
    const { address_name: name, address } = (body ?? {}) as { address_name?: unknown; address?: unknown };
    if (typeof name !== 'string' || (typeof address !== 'number' && typeof address !== 'bigint')) return;
    this.heldNames.set(name, toId(address));
  }

  /** Registers the held names again, once discovery is reachable over the new connection. */
  private async restoreNames(signal: AbortSignal): Promise<void> {
    const own = this.address;
    const names = [...this.heldNames].filter(([, address]) => address === own).map(([name]) => name);
    if (own === undefined || names.length === 0) return;
    await this.waitForDiscovery({ signal, timeout: this.restoreTimeout });
    for (const name of names) {
      try {
        await super.fetch(
          [DISCOVERY_ADDRESS, Ports.FETCH],
          DiscoveryDescriptors.REGISTER_ADDRESS_NAME,
          { address_name: name, address: own },
          { signal, timeout: this.restoreTimeout },
        );
        super.cacheAddressName(name, own);
      } catch (err) {
        if (signal.aborted) return;
        this.heldNames.delete(name);
        const cause = err instanceof Error ? err : new Error(String(err));
        this.events.emit('error', new Error(`could not register the address name "${name}" again after a reconnect: ${cause.message}`, { cause }));
      }
    }
  }

  /** Resolves once the link reaches discovery's address. */
  private waitForDiscovery(options: WaitOptions): Promise<void> {
    if (this.link.addresses.has(DISCOVERY_ADDRESS)) return Promise.resolve();
    return boundedWait<void>('discovery (address 0) to be reachable after a reconnect', options, (resolve) =>
      this.addReceiver((message) => {
        if (message.type === MessageType.AddressesChangedRecv && this.link.addresses.has(DISCOVERY_ADDRESS)) resolve();
      }),
    );
  }
}

import { AddressedMessage, AddressesChangedMessage, ConnectionClosedError, Emitter, InTopicsChangedMessage, MessageType, OutTopicsChangedMessage, RawData, TopicControlMessage, TopicDataMessage, toId, type Id, type Link, type Message, type MessageReceiver, type WaitOptions } from '@streamtasks/link';
import { boundedWait } from '@streamtasks/link/internal';
import { DEFAULT_FETCH_TIMEOUT, DEFAULT_MAX_PENDING_FETCHES, DISCOVERY_ADDRESS, Ports } from './constants.js';
import { formatEndpoint, parseEndpoint, validateAddressName, type Endpoint } from './endpoint.js';
import { AddressNameNotFoundError, ClientStoppedError, FetchError, LimitExceededError, NoAddressError, PortInUseError } from './errors.js';
import { fetchRequestPayload, parseFetchResponse, type FetchResponsePayload } from './fetch-protocol.js';
import { PortAllocator } from './port-allocator.js';

export interface ClientOptions {
  /** Milliseconds a fetch (and a name resolution) waits for its answer by default. Default 10 000. */
  fetchTimeout?: number;
  /** Fetches that may wait for answers at once; one more is refused. Default 10 000. */
  maxPendingFetches?: number;
}

/**
 * Callbacks for one topic (see {@link Client.listenTopic}). Data and control
 * arrive only while the topic is registered as an in-topic.
 */
export interface TopicListener {
  /** A payload was published on the topic. */
  data?(data: RawData, topic: Id): void;
  /** The topic was paused or resumed. */
  control?(paused: boolean, topic: Id): void;
  /** The cost of the topic's cheapest provider changed (`undefined`: no provider). */
  cost?(cost: number | undefined, topic: Id): void;
  /** Someone started (`true`) or stopped (`false`) wanting this client's out-topic. */
  requested?(requested: boolean, topic: Id): void;
}

/** Handles the Addressed messages that reach one port of the client. */
export type PortHandler = (message: AddressedMessage) => void;

/** Options of {@link Client.fetch}. */
export type FetchOptions = WaitOptions;

/** Events of a {@link Client}. */
export interface ClientEvents {
  [event: string]: unknown[];
  start: [];
  stop: [];
  /**
   * The link closed (the node went, the connection dropped, or `close()`);
   * `reason` is the failure, if any. Every wait has already ended with
   * {@link ConnectionClosedError}.
   */
  close: [reason: Error | undefined];
  /** A problem the client survived: an undecodable payload, a throwing listener. */
  error: [error: Error];
  'address-changed': [address: Id | undefined];
}

/**
 * A participant of the network, on one link.
 *
 * The client keeps its registrations (reference counted: only the first
 * register and the last unregister of a topic reach the network), its
 * address, a cache of address names, and the request side of fetch.
 * Messages are consumed between {@link Client.start} and {@link Client.stop};
 * topic data for topics the client did not register as in-topics is dropped.
 *
 * @example
 * ```ts
 * const [switchSide, clientSide] = createQueueLinkPair();
 * hub.addLink(switchSide);
 * const client = new Client(clientSide).start();
 * client.setAddress(10_000);
 * const answer = await client.fetch('echo-service', 'echo', { hello: 'world' }, { timeout: 2000 });
 * ```
 */
export class Client {
  readonly link: Link;
  readonly events = new Emitter<ClientEvents>();
  private readonly fetchTimeout: number;
  private readonly maxPendingFetches: number;
  private readonly inTopicRefs = new Map<Id, number>();
  private readonly outTopicRefs = new Map<Id, number>();
  private readonly topicListeners = new Map<Id, readonly TopicListener[]>();
  private readonly portHandlers = new Map<number, PortHandler>();
  private receivers: readonly MessageReceiver[] = [];
  private readonly ports = new PortAllocator();
  private readonly names = new Map<string, Id>();
  private readonly stopWaiters = new Set<(error: Error) => void>();
  private _address: Id | undefined;
  private running = false;
  private pendingFetches = 0;
  private readonly onMessageBound = (message: Message) => this.onMessage(message);

  constructor(link: Link, options: ClientOptions = {}) {
    this.link = link;
    this.fetchTimeout = options.fetchTimeout ?? DEFAULT_FETCH_TIMEOUT;
    this.maxPendingFetches = options.maxPendingFetches ?? DEFAULT_MAX_PENDING_FETCHES;
    if (!link.isClosed) link.events.on('close', (reason) => this.onLinkClosed(reason));
  }

  /**
   * Resolves when the client's link closes, with the failure that closed it
   * (`undefined` for a clean close). Never rejects. By then every pending
   * wait of the client has rejected with {@link ConnectionClosedError}.
   */
  get closed(): Promise<Error | undefined> {
    return this.link.closed;
  }

  /** The error that waits end with once the link is closed. */
  private linkClosedError(): ConnectionClosedError {
    const reason = this.link.closeReason;
    return new ConnectionClosedError(`the client's link closed${reason ? `: ${reason.message}` : ''}`, { cause: reason });
  }

  /** The link went: nothing can be received any more; every wait ends now, with the cause. */
  private onLinkClosed(reason: Error | undefined): void {
    const error = this.linkClosedError();
    if (this.running) {
      this.running = false;
      const waiters = [...this.stopWaiters];
      this.stopWaiters.clear();
      for (const reject of waiters) reject(error);
      this.events.emit('stop');
    }
    this.events.emit('close', reason);
  }

  /** Whether the client is receiving. */
  get isRunning(): boolean {
    return this.running;
  }

  /** Starts receiving messages. Returns the client, for chaining. */
  start(): this {
    if (this.running) return this;
    if (this.link.isClosed) throw this.linkClosedError();
    this.running = true;
    this.link.setReceiver(this.onMessageBound);
    this.events.emit('start');
    return this;
  }

  /**
   * Stops receiving. Every wait on this client (fetches, topic reads) ends
   * with {@link ClientStoppedError}; registrations stay as they are on the
   * network. Safe to call twice.
   */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    if (!this.link.isClosed) this.link.setReceiver(undefined);
    const waiters = [...this.stopWaiters];
    this.stopWaiters.clear();
    for (const reject of waiters) reject(new ClientStoppedError('the client was stopped'));
    this.events.emit('stop');
  }

  /** Stops the client and closes its link (the network withdraws its topics and address). */
  close(): void {
    this.stop();
    this.link.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  // ---- address ------------------------------------------------------------

  /** The client's own address, if it has one. */
  get address(): Id | undefined {
    return this._address;
  }

  /** Sets (or with `undefined`, drops) the client's address and announces it. */
  setAddress(address: Id | undefined): void {
    const next = address === undefined ? undefined : toId(address);
    const prev = this._address;
    if (next === prev) return;
    // Withdrawing on a closed link only updates the bookkeeping: the network already forgot it.
    if (!(next === undefined && this.link.isClosed)) this.link.send(new AddressesChangedMessage(
      next === undefined ? [] : [{ id: next, cost: 0 }],
      prev === undefined ? [] : [prev],
    ));
    this._address = next;
    this.events.emit('address-changed', next);
  }

  // ---- topics -------------------------------------------------------------

  /** Requests topics (reference counted: the first registration sends the request). */
  registerInTopics(topics: Iterable<Id>): void {
    const added = addRefs(this.inTopicRefs, topics);
    if (added.length > 0) this.link.send(new InTopicsChangedMessage(added, []));
  }

  /** Drops topic requests; the last unregistration (or `force`) withdraws the request. */
  unregisterInTopics(topics: Iterable<Id>, options: { force?: boolean } = {}): void {
    const removed = dropRefs(this.inTopicRefs, topics, options.force ?? false);
    if (removed.length > 0 && !this.link.isClosed) this.link.send(new InTopicsChangedMessage([], removed));
  }

  /** Provides topics (reference counted: the first registration announces them). */
  registerOutTopics(topics: Iterable<Id>): void {
    const added = addRefs(this.outTopicRefs, topics);
    if (added.length > 0) this.link.send(new OutTopicsChangedMessage(added.map((id) => ({ id, cost: 0 })), []));
  }

  /** Stops providing topics; the last unregistration (or `force`) withdraws them. */
  unregisterOutTopics(topics: Iterable<Id>, options: { force?: boolean } = {}): void {
    const removed = dropRefs(this.outTopicRefs, topics, options.force ?? false);
    if (removed.length > 0 && !this.link.isClosed) this.link.send(new OutTopicsChangedMessage([], removed));
  }

  /** Whether the client currently requests a topic. */
  isInTopicRegistered(topic: Id): boolean {
    return this.inTopicRefs.has(topic);
  }

  /** Whether the client currently provides a topic. */
  isOutTopicRegistered(topic: Id): boolean {
    return this.outTopicRefs.has(topic);
  }

  /** Whether someone on the network wants a topic from this client. */
  isRequested(topic: Id): boolean {
    return this.link.inTopics.has(topic);
  }

  /** Cost of the cheapest provider of a topic seen through the link, if any. */
  topicCost(topic: Id): number | undefined {
    return this.link.outTopics.get(topic);
  }

  /** Publishes a payload. Returns false when the link asks to slow down (see `link.drained()`). */
  sendStreamData(topic: Id, data: unknown): boolean {
    return this.link.send(new TopicDataMessage(toId(topic), data instanceof RawData ? data : RawData.from(data)));
  }

  /** Publishes a topic's state. */
  sendStreamControl(topic: Id, control: { paused: boolean }): boolean {
    return this.link.send(new TopicControlMessage(toId(topic), control.paused));
  }

  /**
   * Requests a topic and listens to it in one step. Returns the function
   * that undoes both (safe to call twice).
   */
  subscribe(topic: Id, listener: TopicListener): () => void {
    const off = this.listenTopic(topic, listener);
    this.registerInTopics([topic]);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      off();
      this.unregisterInTopics([topic]);
    };
  }

  /** Calls `listener` for messages about one topic. Returns the function that removes it. */
  listenTopic(topic: Id, listener: TopicListener): () => void {
    const id = toId(topic);
    const list = this.topicListeners.get(id);
    this.topicListeners.set(id, list ? [...list, listener] : [listener]);
    return () => {
      const current = this.topicListeners.get(id);
      if (!current) return;
      const rest = current.filter((l) => l !== listener);
      if (rest.length > 0) this.topicListeners.set(id, rest);
      else this.topicListeners.delete(id);
    };
  }

  // ---- addressed messages -------------------------------------------------

  /** Sends a payload to an address (number or name) and port. Names are resolved first. */
  async sendTo(endpoint: Endpoint, data: unknown, options?: WaitOptions): Promise<void> {
    if (typeof endpoint !== 'string' && !Array.isArray(endpoint)) {
      throw new TypeError('sendTo needs an endpoint with a port: [address, port] or "address:port"');
    }
    const { address, port } = parseEndpoint(endpoint, 0);
    const resolved = typeof address === 'string' ? await this.resolveAddressNameOrThrow(address, options) : address;
    this.sendToAddress(resolved, port, data);
  }

  /** Sends a payload to a numeric address and port. Returns false when the link asks to slow down. */
  sendToAddress(address: Id, port: number, data: unknown): boolean {
    return this.link.send(new AddressedMessage(toId(address), port, data instanceof RawData ? data : RawData.from(data)));
  }

  /**
   * Calls `handler` for every Addressed message to `port`. One handler per
   * port; returns the function that removes it.
   */
  listenPort(port: number, handler: PortHandler): () => void {
    if (this.portHandlers.has(port)) throw new PortInUseError(port);
    this.portHandlers.set(port, handler);
    return () => {
      if (this.portHandlers.get(port) === handler) this.portHandlers.delete(port);
    };
  }

  /** A free dynamic port (10000 and up), unique in this client until released. */
  allocatePort(): number {
    return this.ports.allocate();
  }

  releasePort(port: number): void {
    this.ports.release(port);
  }

  /** Sees every message the client consumes (after dropping data of unrequested topics). */
  addReceiver(receiver: MessageReceiver): () => void {
    this.receivers = [...this.receivers, receiver];
    return () => {
      this.receivers = this.receivers.filter((r) => r !== receiver);
    };
  }

  /**
   * Registers a cleanup to run when the client stops (it receives the
   * {@link ClientStoppedError}) or its link closes (it receives a
   * `ConnectionClosedError` with the cause). Used by waits so none outlives
   * the client.
   * Returns the function that unregisters it.
   */
  onStop(reject: (error: Error) => void): () => void {
    this.stopWaiters.add(reject);
    return () => this.stopWaiters.delete(reject);
  }

  // ---- names ---------------------------------------------------------------

  /** The cached address of a name, if known. */
  cachedAddressName(name: string): Id | undefined {
    return this.names.get(name);
  }

  /**
   * Records (or with `undefined`, forgets) a name's address in the cache.
   * Entries of an address the network withdraws are dropped by themselves.
   */
  cacheAddressName(name: string, address: Id | undefined): void {
    if (address === undefined) this.names.delete(name);
    else this.names.set(name, toId(address));
  }

  /** Forgets one cached name, or all of them. */
  clearAddressNameCache(name?: string): void {
    if (name === undefined) this.names.clear();
    else this.names.delete(name);
  }

  /**
   * Resolves an address name through discovery (cached). Resolves to
   * `undefined` when no such name is registered.
   */
  async resolveAddressName(name: string, options?: FetchOptions): Promise<Id | undefined> {
    validateAddressName(name);
    const cached = this.names.get(name);
    if (cached !== undefined) return cached;
    const answer = await this.fetch<{ address?: unknown }>(
      [DISCOVERY_ADDRESS, Ports.FETCH], 'resolve_address_name', { address_name: name }, options,
    );
    const address = answer?.address;
    if (address === null || address === undefined) return undefined;
    const id = toId(address as number | bigint);
    this.names.set(name, id);
    return id;
  }

  /** Drops the cached names of an address the network withdrew: their holder is gone. */
  private forgetNamesOf(address: Id): void {
    for (const [name, holder] of this.names) if (holder === address) this.names.delete(name);
  }

  private async resolveAddressNameOrThrow(name: string, options?: FetchOptions): Promise<Id> {
    const address = await this.resolveAddressName(name, options);
    if (address === undefined) throw new AddressNameNotFoundError(name);
    return address;
  }

  // ---- fetch -----------------------------------------------------------------

  /**
   * Sends a fetch request and waits for its answer. `endpoint` defaults to
   * the fetch port (100); names are resolved through discovery.
   *
   * Rejects with {@link FetchError} when the server answers with an error,
   * `TimeoutError` after `options.timeout` (default: the client's
   * `fetchTimeout`, 10 s) — the timeout covers name resolution too —,
   * `AbortError` when `options.signal` aborts, {@link NoAddressError} when the
   * client has no address to be answered at, {@link ClientStoppedError}
   * when the client is not running, and `ConnectionClosedError` (with the
   * cause) at once when the link is or becomes closed. An answer that arrives after the fetch
   * gave up is ignored.
   */
  async fetch<R = unknown>(endpoint: Endpoint, descriptor: string, body: unknown, options: FetchOptions = {}): Promise<R> {
    if (this.link.isClosed) throw this.linkClosedError();
    if (!this.running) throw new ClientStoppedError();
    if (this.pendingFetches >= this.maxPendingFetches) {
      throw new LimitExceededError(`too many pending fetches (maxPendingFetches ${this.maxPendingFetches})`);
    }
    const target = parseEndpoint(endpoint, Ports.FETCH);
    const timeout = options.timeout ?? this.fetchTimeout;
    const deadline = Date.now() + timeout;
    this.pendingFetches++;
    try {
      const address = typeof target.address === 'string'
        ? await this.resolveAddressNameOrThrow(target.address, { signal: options.signal, timeout })
        : target.address;
      const own = this._address;
      if (own === undefined) throw new NoAddressError();
      const response = await this.request(address, target.port, descriptor, body, own, {
        signal: options.signal,
        timeout: Math.max(0, deadline - Date.now()),
      }, () => `an answer to fetch ${JSON.stringify(descriptor)} from ${formatEndpoint(target)}`);
      if (response.error) throw new FetchError(response.body);
      return response.body as R;
    } finally {
      this.pendingFetches--;
    }
  }

  private request(
    address: Id,
    port: number,
    descriptor: string,
    body: unknown,
    own: Id,
    options: WaitOptions,
    what: () => string,
  ): Promise<FetchResponsePayload> {
    const returnPort = this.ports.allocate();
    return boundedWait<FetchResponsePayload>(what, options, (resolve, reject) => {
      this.portHandlers.set(returnPort, (message) => {
        let value: unknown;
        try {
          value = message.data.value;
        } catch (err) {
          this.reportError(err);
          return;
        }
        const parsed = parseFetchResponse(value);
        if (parsed) resolve(parsed);
        else this.reportError(new Error(`ignored a malformed fetch response on port ${returnPort}`));
      });
      this.stopWaiters.add(reject);
      try {
        this.sendToAddress(address, port, fetchRequestPayload(own, returnPort, descriptor, body));
      } catch (err) {
        reject(err);
      }
      return () => {
        this.portHandlers.delete(returnPort);
        this.stopWaiters.delete(reject);
        this.ports.release(returnPort);
      };
    });
  }

  // ---- receiving -------------------------------------------------------------

  private onMessage(message: Message): void {
    switch (message.type) {
      case MessageType.TopicData: {
        if (!this.inTopicRefs.has(message.topic)) return;
        const listeners = this.topicListeners.get(message.topic);
        if (listeners) {
          for (let i = 0; i < listeners.length; i++) {
            try {
              listeners[i]!.data?.(message.data, message.topic);
            } catch (err) {
              this.reportError(err);
            }
          }
        }
        break;
      }
      case MessageType.TopicControl: {
        if (!this.inTopicRefs.has(message.topic)) return;
        this.notifyTopic(message.topic, (l) => l.control?.(message.paused, message.topic));
        break;
      }
      case MessageType.Addressed: {
        const handler = this.portHandlers.get(message.port);
        if (handler) {
          try {
            handler(message);
          } catch (err) {
            this.reportError(err);
          }
        }
        break;
      }
      case MessageType.InTopicsChanged:
        for (const t of message.add) this.notifyTopic(t, (l) => l.requested?.(true, t));
        for (const t of message.remove) this.notifyTopic(t, (l) => l.requested?.(false, t));
        break;
      case MessageType.AddressesChangedRecv:
        for (const { id } of message.remove) if (!this.link.addresses.has(id)) this.forgetNamesOf(id);
        break;
      case MessageType.OutTopicsChangedRecv:
        for (const p of message.remove) this.notifyTopic(p.id, (l) => l.cost?.(this.link.outTopics.get(p.id), p.id));
        for (const p of message.add) this.notifyTopic(p.id, (l) => l.cost?.(p.cost, p.id));
        break;
    }
    const receivers = this.receivers;
    for (let i = 0; i < receivers.length; i++) {
      try {
        receivers[i]!(message);
      } catch (err) {
        this.reportError(err);
      }
    }
  }

  private notifyTopic(topic: Id, call: (listener: TopicListener) => void): void {
    const listeners = this.topicListeners.get(topic);
    if (!listeners) return;
    for (const listener of listeners) {
      try {
        call(listener);
      } catch (err) {
        this.reportError(err);
      }
    }
  }

  private reportError(err: unknown): void {
    this.events.emit('error', err instanceof Error ? err : new Error(String(err)));
  }
}

function addRefs(refs: Map<Id, number>, topics: Iterable<Id>): Id[] {
  const added: Id[] = [];
  for (const topic of topics) {
    const id = toId(topic);
    const n = refs.get(id) ?? 0;
    refs.set(id, n + 1);
    if (n === 0) added.push(id);
  }
  return added;
}

function dropRefs(refs: Map<Id, number>, topics: Iterable<Id>, force: boolean): Id[] {
  const removed: Id[] = [];
  for (const topic of topics) {
    const id = toId(topic);
    const n = refs.get(id);
    if (n === undefined) continue;
    if (force || n <= 1) {
      refs.delete(id);
      removed.push(id);
    } else {
      refs.set(id, n - 1);
    }
  }
  return removed;
}

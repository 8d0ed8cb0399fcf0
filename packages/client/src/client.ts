import { MessageType, type Id, type Link, type Message, type WaitOptions } from '@streamtasks/link';
import { DEFAULT_FETCH_TIMEOUT, DEFAULT_MAX_PENDING_FETCHES, DEFAULT_ROUTE_GRACE } from './constants.js';
import { ClientCore } from './core.js';
import { formatEndpoint, parseEndpoint, type Endpoint } from './endpoint.js';
import { FetchRequester } from './fetch/requester.js';
import { AddressNameCache, type NameResolver } from './names.js';
import { reaches, waitForRoute } from './route-wait.js';

export interface ClientOptions {
  /** Milliseconds a fetch (and a name resolution) waits for its answer by default. Default 10 000. */
  fetchTimeout?: number;
  /** Fetches that may wait for answers at once; one more is refused. Default 10 000. */
  maxPendingFetches?: number;
  /** Looks up the address names the cache does not hold (`discoveryNames` of `@streamtasks/discovery`). */
  nameResolver?: NameResolver;
  /**
   * Milliseconds a fetch or `sendTo` waits for a route to an address the link
   * does not reach yet, before it fails with `NoRouteError`. Default 500.
   */
  routeGrace?: number;
}

/** Options of {@link Client.fetch}. */
export type FetchOptions = WaitOptions;

/**
 * Checks an answer and returns it typed, or throws (the `check` helpers of
 * `@streamtasks/fetch` build such functions).
 */
export type AnswerCheck<R> = (value: unknown, path?: string) => R;

/** Options of a {@link Client.fetch} whose answer is checked. */
export interface CheckedFetchOptions<R> extends WaitOptions {
  /** Checks the answer; the fetch resolves with what it returns, or rejects with `InvalidResponseError`. */
  validate: AnswerCheck<R>;
}

/**
 * A participant of the network, on one link.
 *
 * On top of its core (lifecycle, address, reference-counted topic
 * registrations, listeners; see {@link ClientCore}) the client sends to
 * endpoints given by address or name, keeps a cache of address names in
 * front of a pluggable {@link NameResolver}, and makes fetch requests from
 * dynamic return ports.
 *
 * @example
 * ```ts
 * const [switchSide, clientSide] = createQueueLinkPair();
 * hub.addLink(switchSide);
 * const client = new Client(clientSide, { nameResolver: discoveryNames }).start();
 * client.setAddress(10_000);
 * const answer = await client.fetch('echo-service', 'echo', { hello: 'world' }, { timeout: 2000 });
 * ```
 */
export class Client extends ClientCore {
  private readonly names: AddressNameCache;
  private readonly requester: FetchRequester;
  /**
   * Milliseconds a send to an address the link does not reach waits for its
   * route before it fails with `NoRouteError` (`ClientOptions.routeGrace`);
   * also how long discovery calls wait for discovery to be announced before
   * they fail with `NoDiscoveryError`.
   */
  readonly routeGrace: number;

  constructor(link: Link, options: ClientOptions = {}) {
    super(link);
    this.routeGrace = options.routeGrace ?? DEFAULT_ROUTE_GRACE;
    this.names = new AddressNameCache(options.nameResolver);
    this.requester = new FetchRequester({
      client: this,
      closedError: () => this.linkClosedError(),
      reportError: (err) => this.reportError(err),
      resolveName: (name, wait) => this.names.resolveOrThrow(this, name, wait),
      setReturnPortHandler: (handler) => this.fanOut.setOtherPortsHandler(handler),
    }, {
      fetchTimeout: options.fetchTimeout ?? DEFAULT_FETCH_TIMEOUT,
      maxPendingFetches: options.maxPendingFetches ?? DEFAULT_MAX_PENDING_FETCHES,
      routeGrace: this.routeGrace,
    });
  }

  /**
   * Sends a payload to an address (number or name) and port. Names are
   * resolved first; an address the link does not reach is waited for during
   * the route grace period, then the send fails with `NoRouteError`
   * (`sendToAddress` sends without asking, as a datagram). `options` bound it all.
   */
  async sendTo(endpoint: Endpoint, data: unknown, options: WaitOptions = {}): Promise<void> {
    if (typeof endpoint !== 'string' && !Array.isArray(endpoint)) {
      throw new TypeError('sendTo needs an endpoint with a port: [address, port] or "address:port"');
    }
    const target = parseEndpoint(endpoint, 0);
    const { address } = target;
    const resolved = typeof address === 'string' ? await this.names.resolveOrThrow(this, address, options) : address;
    if (!reaches(this, resolved)) await waitForRoute(this, resolved, this.routeGrace, options, () => `a route to ${formatEndpoint(target)}`);
    this.sendToAddress(resolved, target.port, data);
  }

  /** @deprecated Renamed {@link Client.sendToTopic} (the pair of `sendToAddress`); removed in the next minor release. */
  sendStreamData(topic: Id, data: unknown): boolean {
    return this.sendToTopic(topic, data);
  }

  /** @deprecated Renamed {@link Client.sendTopicControl}; removed in the next minor release. */
  sendStreamControl(topic: Id, control: { paused: boolean }): boolean {
    return this.sendTopicControl(topic, control);
  }

  /** A free dynamic port (10000 and up), unique in this client until released. */
  allocatePort(): number {
    return this.requester.allocatePort();
  }

  releasePort(port: number): void {
    this.requester.releasePort(port);
  }

  // ---- names ---------------------------------------------------------------

  /** Looks up the names the cache does not hold; `undefined`: names resolve from the cache only. */
  get nameResolver(): NameResolver | undefined {
    return this.names.resolver;
  }

  set nameResolver(resolver: NameResolver | undefined) {
    this.names.resolver = resolver;
  }

  /** The cached address of a name, if known. */
  cachedAddressName(name: string): Id | undefined {
    return this.names.get(name);
  }

  /**
   * Records (or with `undefined`, forgets) a name's address in the cache.
   * Entries of an address the network withdraws are dropped by themselves.
   */
  cacheAddressName(name: string, address: Id | undefined): void {
    this.names.set(name, address);
  }

  /** Forgets one cached name, or all of them. */
  clearAddressNameCache(name?: string): void {
    this.names.clear(name);
  }

  /**
   * Resolves an address name: from the cache, else through the client's
   * {@link NameResolver} (the answer is cached). Resolves to `undefined` when
   * no such name is registered; rejects with `NoNameResolverError` when the
   * name is not cached and no resolver is installed.
   */
  resolveAddressName(name: string, options: FetchOptions = {}): Promise<Id | undefined> {
    return this.names.resolve(this, name, options);
  }

  // ---- fetch -----------------------------------------------------------------

  /**
   * Sends a fetch request and waits for its answer. `endpoint` defaults to
   * the fetch port (100); names are resolved first (see
   * {@link Client.resolveAddressName}).
   *
   * Rejects with `FetchError` when the server answers with an error,
   * `TimeoutError` after `options.timeout` (default: the client's
   * `fetchTimeout`, 10 s) — the timeout covers name resolution too —,
   * `NoRouteError` when the link does not reach the address and no route
   * to it is announced within the route grace period (`routeGrace`) —
   * `NoDiscoveryError` instead when the address is discovery's (0) and
   * nothing announced discovery —,
   * `AbortError` when `options.signal` aborts, `NoAddressError` when the
   * client has no address to be answered at, `ClientStoppedError`
   * when the client is not running, and `ConnectionClosedError` (with the
   * cause) at once when the link is or becomes closed. An answer that arrives after the fetch
   * gave up is ignored.
   *
   * The answer is `unknown`: a decoded payload from another process. Give
   * `options.validate` (or use {@link Client.fetchAs}) to check it and get it
   * typed; an answer that does not pass rejects with `InvalidResponseError`.
   */
  fetch(endpoint: Endpoint, descriptor: string, body: unknown, options?: FetchOptions): Promise<unknown>;
  fetch<R>(endpoint: Endpoint, descriptor: string, body: unknown, options: CheckedFetchOptions<R>): Promise<R>;
  fetch(endpoint: Endpoint, descriptor: string, body: unknown, options: FetchOptions | CheckedFetchOptions<unknown> = {}): Promise<unknown> {
    return this.requester.fetch(endpoint, descriptor, body, options);
  }

  /**
   * A fetch function whose answers are checked by `validate` and typed by it.
   *
   * @example
   * ```ts
   * const fetchInfo = client.fetchAs(check.object({ topic: check.id() }));
   * const { topic } = await fetchInfo('demo', 'info', null, { timeout: 5000 });
   * ```
   */
  fetchAs<R>(validate: AnswerCheck<R>): (endpoint: Endpoint, descriptor: string, body: unknown, options?: FetchOptions) => Promise<R> {
    return (endpoint, descriptor, body, options) => this.fetch(endpoint, descriptor, body, { ...options, validate });
  }

  /** @internal */
  protected override onMessage(message: Message): void {
    if (message.type === MessageType.AddressesChangedRecv) {
      for (const { id } of message.remove) if (!this.link.addresses.has(id)) this.names.forgetAddress(id);
    }
    super.onMessage(message);
  }
}

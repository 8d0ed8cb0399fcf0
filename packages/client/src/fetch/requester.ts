// The requesting half of fetch: each request gets a fresh dynamic return
// port, waits there for its answer (bounded by a timeout and a signal, see
// pending-fetch.ts) and gives the port back when it settles.
import { AbortError, type AddressedMessage, type Id, type WaitOptions } from '@streamtasks/link';
import { isId } from '@streamtasks/link/internal';
import type { Client } from '../client.js';
import type { PortHandler } from '../fan-out.js';
import { Ports } from '../constants.js';
import { parseEndpoint, type Endpoint, type ParsedEndpoint } from '../endpoint.js';
import { ClientStoppedError, LimitExceededError, NoAddressError } from '../errors.js';
import { PortAllocator } from '../port-allocator.js';
import { reaches, waitForRoute } from '../route-wait.js';
import { PendingFetch, describeFetch, type AnswerValidator } from './pending-fetch.js';
import { fetchRequestPayload, isFetchResponse } from './protocol.js';
import { WaitingFetches } from './waiting-fetches.js';

/** What the requester needs of its client beyond the public API. */
export interface RequesterHost {
  readonly client: Client;
  /** The error a wait ends with once the link is closed. */
  closedError(): Error;
  /** Reports a problem the client survived (an `error` event). */
  reportError(err: unknown): void;
  /** Resolves an address name; throws `AddressNameNotFoundError` when it is not registered. */
  resolveName(name: string, options: WaitOptions): Promise<Id>;
  /** Installs the handler of the Addressed messages to ports without a handler of their own (the return ports). */
  setReturnPortHandler(handler: PortHandler): void;
}

/** The options of one fetch. */
export type FetchCallOptions = WaitOptions & { validate?: AnswerValidator };

export interface FetchRequesterOptions {
  fetchTimeout: number;
  maxPendingFetches: number;
  routeGrace: number;
}

/** Owns a client's dynamic ports and its pending fetch requests. */
export class FetchRequester {
  /** The fetches waiting for an answer, by return port. */
  private readonly waiting = new WaitingFetches<PendingFetch>();
  // A return port is taken while its fetch waits: it is kept in `waiting` alone, not also among the allocated ports.
  private readonly ports = new PortAllocator((port) => this.waiting.has(port));
  /** Fetches started and not yet settled (waiting for an answer, or for a name or a route before that). */
  private pending = 0;
  private offStop: (() => void) | undefined;
  private readonly onStopBound = (error: Error): void => this.onStop(error);
  private readonly endedBound = (pending: PendingFetch): void => this.ended(pending);

  constructor(private readonly host: RequesterHost, private readonly options: FetchRequesterOptions) {
    // Answers reach the return ports through one handler for all of them (the ports without a handler of their own).
    host.setReturnPortHandler((message) => this.onAnswer(message));
  }

  /** Fetches waiting for their answers. */
  get pendingCount(): number {
    return this.pending;
  }

  allocatePort(): number {
    return this.ports.allocate();
  }

  releasePort(port: number): void {
    this.ports.release(port);
  }

  /**
   * See {@link Client.fetch}. A fetch to an address the link reaches is sent
   * at once, and its promise is that of its wait (no async function around
   * it); names and routes still to be waited for take the longer way.
   */
  fetch(endpoint: Endpoint, descriptor: string, body: unknown, options: FetchCallOptions = {}): Promise<unknown> {
    let target: ParsedEndpoint | undefined;
    try {
      this.checkStart();
      // An address number (the common case) is its own parse: no object for it.
      target = typeof endpoint === 'number' && isId(endpoint) ? undefined : parseEndpoint(endpoint, Ports.FETCH);
      const address = target === undefined ? (endpoint as Id) : target.address;
      const { client } = this.host;
      const own = client.address;
      if (typeof address !== 'string' && own !== undefined && reaches(client, address)) {
        const port = target === undefined ? Ports.FETCH : target.port;
        return this.request(address, port, endpoint, descriptor, body, own, options.timeout ?? this.options.fetchTimeout, options.signal, options.validate);
      }
    } catch (err) {
      return Promise.reject(err);
    }
    return this.fetchWaiting(endpoint, target ?? parseEndpoint(endpoint, Ports.FETCH), descriptor, body, options);
  }

  /** A fetch that waits for a name or a route before its request is sent. */
  private async fetchWaiting(endpoint: Endpoint, target: ParsedEndpoint, descriptor: string, body: unknown, options: FetchCallOptions): Promise<unknown> {
    const { client } = this.host;
    const timeout = options.timeout ?? this.options.fetchTimeout;
    const { signal } = options;
    const deadline = Date.now() + timeout;
    let address: Id;
    let own: Id;
    this.pending++;
    try {
      address = typeof target.address === 'string' ? await this.host.resolveName(target.address, { signal, timeout }) : target.address;
      const self = client.address;
      if (self === undefined) throw new NoAddressError();
      own = self;
      if (!reaches(client, address)) {
        await waitForRoute(client, address, this.options.routeGrace, until(deadline, signal), () => describeFetch(descriptor, endpoint));
        this.checkUsable(); // the client may have stopped while the route was awaited
      }
    } finally {
      this.pending--;
    }
    return this.request(address, target.port, endpoint, descriptor, body, own, Math.max(0, deadline - Date.now()), signal, options.validate);
  }

  /** Throws when a fetch cannot start: no answer could arrive, or too many are pending. */
  private checkStart(): void {
    this.checkUsable();
    if (this.pending >= this.options.maxPendingFetches) {
      throw new LimitExceededError(`too many pending fetches (maxPendingFetches ${this.options.maxPendingFetches})`);
    }
  }

  /** Throws when no answer could arrive: the link is closed or the client is not running. */
  private checkUsable(): void {
    if (this.host.client.link.isClosed) throw this.host.closedError();
    if (!this.host.client.isRunning) throw new ClientStoppedError();
  }

  /** Sends the request and waits for its answer on a fresh return port. */
  private request(
    address: Id,
    port: number,
    endpoint: Endpoint,
    descriptor: string,
    body: unknown,
    own: Id,
    timeout: number | undefined,
    signal: AbortSignal | undefined,
    validate: AnswerValidator | undefined,
  ): Promise<unknown> {
    if (signal?.aborted) return Promise.reject(new AbortError(describeFetch(descriptor, endpoint), { cause: signal.reason }));
    const { client } = this.host;
    const returnPort = this.ports.take();
    const pending = new PendingFetch(returnPort, endpoint, descriptor, validate, this.endedBound);
    this.waiting.add(pending);
    this.pending++;
    // One registration serves every pending fetch (made by the first, removed when none is left).
    this.offStop ??= client.onStop(this.onStopBound);
    try {
      client.sendToAddress(address, port, fetchRequestPayload(own, returnPort, descriptor, body));
    } catch (err) {
      pending.reject(err);
      return pending.promise;
    }
    pending.bound(timeout, signal);
    return pending.promise;
  }

  /** An Addressed message to a port without a handler of its own: the answer to a pending fetch, or nothing. */
  private onAnswer(message: AddressedMessage): void {
    const pending = this.waiting.get(message.port);
    if (pending === undefined) return;
    let value: unknown;
    try {
      value = message.data.value;
    } catch (err) {
      this.host.reportError(err);
      return;
    }
    if (isFetchResponse(value)) pending.answer(value.body, value.error === true);
    else this.host.reportError(new Error(`ignored a malformed fetch response on port ${message.port}`));
  }

  /** The client stopped or its link closed: every pending fetch ends with `error`. */
  private onStop(error: Error): void {
    this.offStop = undefined; // the client dropped its registrations
    for (const pending of this.waiting.values()) pending.reject(error);
  }

  /** A fetch's wait ended: its port is given back. */
  private ended(pending: PendingFetch): void {
    this.waiting.delete(pending);
    this.pending--;
    if (this.waiting.size === 0 && this.offStop !== undefined) {
      this.offStop();
      this.offStop = undefined;
    }
  }
}

/** Wait options for what is left of a fetch's time. */
function until(deadline: number, signal: AbortSignal | undefined): WaitOptions {
  return { signal, timeout: Math.max(0, deadline - Date.now()) };
}

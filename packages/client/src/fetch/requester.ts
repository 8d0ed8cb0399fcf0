// The requesting half of fetch: each request gets a fresh dynamic return
// port, waits there for its answer (bounded by a timeout and a signal, see
// pending-fetch.ts) and gives the port back when it settles.
import { AbortError, type AddressedMessage, type Id, type WaitOptions } from '@streamtasks/link';
import type { Client } from '../client.js';
import type { PortHandler } from '../fan-out.js';
import { Ports } from '../constants.js';
import { formatEndpoint, parseEndpoint, type Endpoint } from '../endpoint.js';
import { ClientStoppedError, FetchError, InvalidResponseError, LimitExceededError, NoAddressError } from '../errors.js';
import { PortAllocator } from '../port-allocator.js';
import { reaches, waitForRoute } from '../route-wait.js';
import { PendingFetch } from './pending-fetch.js';
import { fetchRequestPayload, parseFetchResponse, type FetchResponsePayload } from './protocol.js';

/** What the requester needs of its client beyond the public API. */
export interface RequesterHost {
  readonly client: Client;
  /** The error a wait ends with once the link is closed. */
  closedError(): Error;
  /** Reports a problem the client survived (an `error` event). */
  reportError(err: unknown): void;
  /** Resolves an address name; throws `AddressNameNotFoundError` when it is not registered. */
  resolveName(name: string, options: WaitOptions): Promise<Id>;
  /** Sets (or with `undefined`, removes) the handler of a return port. */
  setPortHandler(port: number, handler: PortHandler | undefined): void;
}

export interface FetchRequesterOptions {
  fetchTimeout: number;
  maxPendingFetches: number;
  routeGrace: number;
}

/** Owns a client's dynamic ports and its pending fetch requests. */
export class FetchRequester {
  private readonly ports = new PortAllocator();
  private pending = 0;
  /** The fetches waiting for an answer, by return port. */
  private readonly waiting = new Map<number, PendingFetch>();
  private offStop: (() => void) | undefined;
  private readonly onAnswerBound = (message: AddressedMessage): void => this.onAnswer(message);
  private readonly onStopBound = (error: Error): void => this.onStop(error);
  private readonly endedBound = (pending: PendingFetch): void => this.ended(pending);

  constructor(private readonly host: RequesterHost, private readonly options: FetchRequesterOptions) {}

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

  /** See {@link Client.fetch}. */
  async fetch(endpoint: Endpoint, descriptor: string, body: unknown, options: WaitOptions & { validate?: (value: unknown, path?: string) => unknown } = {}): Promise<unknown> {
    const { client } = this.host;
    this.checkUsable();
    if (this.pending >= this.options.maxPendingFetches) {
      throw new LimitExceededError(`too many pending fetches (maxPendingFetches ${this.options.maxPendingFetches})`);
    }
    const target = parseEndpoint(endpoint, Ports.FETCH);
    const timeout = options.timeout ?? this.options.fetchTimeout;
    const { signal } = options;
    // The clock is read only when something is awaited before the request
    // (a name, a route): a fetch to a known route starts its wait at once.
    let deadline: number | undefined;
    this.pending++;
    try {
      let address: Id;
      if (typeof target.address === 'string') {
        deadline = Date.now() + timeout;
        address = await this.host.resolveName(target.address, { signal, timeout });
      } else {
        address = target.address;
      }
      const own = client.address;
      if (own === undefined) throw new NoAddressError();
      const what = () => `an answer to fetch ${JSON.stringify(descriptor)} from ${formatEndpoint(target)}`;
      // No await when the route is known: the request is then registered at once, so a stop() right after the call ends it.
      if (!reaches(client, address)) {
        deadline ??= Date.now() + timeout;
        await waitForRoute(client, address, this.options.routeGrace, until(deadline, signal), what);
        this.checkUsable(); // the client may have stopped while the route was awaited
      }
      const waitOptions = deadline === undefined ? { signal, timeout } : until(deadline, signal);
      const response = await this.request(address, target.port, descriptor, body, own, waitOptions, what);
      if (response.error) throw new FetchError(response.body);
      return options.validate ? checked(options.validate, response.body, descriptor) : response.body;
    } finally {
      this.pending--;
    }
  }

  /** Throws when no answer could arrive: the link is closed or the client is not running. */
  private checkUsable(): void {
    if (this.host.client.link.isClosed) throw this.host.closedError();
    if (!this.host.client.isRunning) throw new ClientStoppedError();
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
    const { signal, timeout } = options;
    if (signal?.aborted) return Promise.reject(new AbortError(what(), { cause: signal.reason }));
    const { client } = this.host;
    const returnPort = this.ports.allocate();
    let pending!: PendingFetch;
    const answer = new Promise<FetchResponsePayload>((resolve, reject) => {
      pending = new PendingFetch(returnPort, resolve, reject, this.endedBound, what);
    });
    this.waiting.set(returnPort, pending);
    this.host.setPortHandler(returnPort, this.onAnswerBound);
    // One registration serves every pending fetch (made by the first, removed when none is left).
    this.offStop ??= client.onStop(this.onStopBound);
    try {
      client.sendToAddress(address, port, fetchRequestPayload(own, returnPort, descriptor, body));
    } catch (err) {
      pending.fail(err);
      return answer;
    }
    pending.bound(timeout, signal);
    return answer;
  }

  /** An answer on a return port. */
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
    const parsed = parseFetchResponse(value);
    if (parsed) pending.answer(parsed);
    else this.host.reportError(new Error(`ignored a malformed fetch response on port ${message.port}`));
  }

  /** The client stopped or its link closed: every pending fetch ends with `error`. */
  private onStop(error: Error): void {
    this.offStop = undefined; // the client dropped its registrations
    for (const pending of [...this.waiting.values()]) pending.fail(error);
  }

  /** A fetch's wait ended: its port is given back. */
  private ended(pending: PendingFetch): void {
    const port = pending.port;
    this.waiting.delete(port);
    this.host.setPortHandler(port, undefined);
    this.ports.release(port);
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

/** The answer as `validate` returns it; what it throws becomes an {@link InvalidResponseError}. */
function checked(validate: (value: unknown, path?: string) => unknown, answer: unknown, descriptor: string): unknown {
  try {
    return validate(answer, 'answer');
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new InvalidResponseError(`unexpected answer to fetch ${JSON.stringify(descriptor)}: ${reason}`, { cause });
  }
}

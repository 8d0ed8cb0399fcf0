import { ConnectionClosedError, DecodeError, Emitter, type Id, type RawData, type WaitOptions } from '@streamtasks/link';
import { QueuedIterator } from '@streamtasks/link/internal';
import { DISCOVERY_ADDRESS, Ports, parseEndpoint, type Client, type Endpoint } from '@streamtasks/client';
import { fetchAs } from '@streamtasks/fetch';
import { ReceiverStoppedError } from './errors.js';
import { GET_TOPICS, NamespaceTopics } from './protocol.js';

export interface BroadcastReceiverOptions<T = unknown> {
  /** The broadcasting server: an address or name (port 102) or `[address, port]`. Default discovery, `0:102`. */
  endpoint?: Endpoint;
  /** Items kept for a slow consumer; beyond, the oldest are dropped (and counted in `overflow`). Default 1024. */
  maxBuffered?: number;
  /**
   * Turns each decoded payload into what the receiver yields (checks it,
   * picks fields, builds an object). Whatever it throws skips that payload
   * and is reported as an `error` event; the receiver keeps receiving.
   */
  transformData?: (data: unknown, namespace: string) => T;
}

/** Events of a {@link BroadcastReceiver}. */
export interface BroadcastReceiverEvents {
  /** A payload could not be decoded (`DecodeError`) or `transformData` threw; it was skipped. */
  error: [error: Error];
  /** The buffer was full: the oldest item was dropped. */
  overflow: [dropped: number];
}

/**
 * Receives what broadcasting servers publish on a set of namespaces. It asks
 * the server for their topics, subscribes to them and yields
 * `[namespace, data]`; iterate it with `for await`, or call
 * {@link BroadcastReceiver.recv}. {@link BroadcastReceiver.stop} (also
 * `break` out of the loop, or `await using`) unsubscribes and ends the
 * iteration; nothing is received after it.
 *
 * @example
 * ```ts
 * await using receiver = await new BroadcastReceiver(client, ['address-name/registered']).start({ timeout: 2000 });
 * for await (const [namespace, data] of receiver) {
 *   console.log(namespace, data);
 * }
 * ```
 */
export class BroadcastReceiver<T = unknown> implements AsyncIterable<[string, T]>, AsyncDisposable {
  readonly client: Client;
  readonly events = new Emitter<BroadcastReceiverEvents>();
  private readonly namespaceList: readonly string[];
  private readonly endpoint: Endpoint;
  private readonly transformData: ((data: unknown, namespace: string) => T) | undefined;
  private readonly topicOfNamespace = new Map<string, Id>();
  private readonly namespaceOfTopic = new Map<Id, string>();
  /** Received items in order, and the waiting reads. */
  private readonly queue: QueuedIterator<[string, T]>;
  private readonly cleanups: Array<() => void> = [];
  private readonly startAbort = new AbortController();
  private state: 'new' | 'starting' | 'running' | 'stopped' = 'new';

  constructor(client: Client, namespaces: Iterable<string>, options: BroadcastReceiverOptions<T> = {}) {
    this.client = client;
    this.namespaceList = [...new Set(namespaces)];
    const { address, port } = parseEndpoint(options.endpoint ?? DISCOVERY_ADDRESS, Ports.BROADCAST);
    this.endpoint = [address, port];
    this.transformData = options.transformData;
    this.queue = new QueuedIterator<[string, T]>({
      maxPending: options.maxBuffered ?? 1024,
      onDrop: () => this.events.emit('overflow', 1),
      onReturn: () => this.stop(),
      closedError: () => new ReceiverStoppedError(),
      description: `broadcast data on ${this.namespaceList.map((ns) => JSON.stringify(ns)).join(', ')}`,
    });
  }

  /** The namespaces this receiver listens to. */
  get namespaces(): readonly string[] {
    return this.namespaceList;
  }

  /** Namespace → topic, as the server answered (empty before start). */
  get topics(): ReadonlyMap<string, Id> {
    return this.topicOfNamespace;
  }

  get isRunning(): boolean {
    return this.state === 'running';
  }

  /** Items received and not consumed yet. */
  get bufferedCount(): number {
    return this.queue.pending;
  }

  /**
   * Resolves once the receiver is stopped: with the `ConnectionClosedError`
   * when the client's link closed, `undefined` when it was stopped by
   * {@link BroadcastReceiver.stop} (or a loop left early) or its client
   * stopped. Never rejects.
   */
  get closed(): Promise<Error | undefined> {
    return this.queue.closed;
  }

  /** Whether the receiver is stopped (see {@link BroadcastReceiver.closed}). */
  get isClosed(): boolean {
    return this.state === 'stopped';
  }

  /**
   * Asks the server for the topics of the namespaces and subscribes to them.
   * `options` bound the fetch. Rejects with {@link ReceiverStoppedError} when
   * the receiver is (or gets) stopped meanwhile.
   */
  async start(options: WaitOptions = {}): Promise<this> {
    if (this.state !== 'new') {
      if (this.state === 'stopped') throw new ReceiverStoppedError();
      throw new Error('start() was already called');
    }
    this.state = 'starting';
    this.cleanups.push(this.client.onStop((err) => this.halt(err instanceof ConnectionClosedError ? err : undefined)));
    const signal = options.signal ? AbortSignal.any([options.signal, this.startAbort.signal]) : this.startAbort.signal;
    let answer: Record<string, Id>;
    try {
      answer = await fetchAs(this.client, this.endpoint, GET_TOPICS, this.namespaceList, NamespaceTopics, {
        timeout: options.timeout,
        signal,
      });
    } catch (err) {
      if (this.isClosed) throw this.queue.error ?? new ReceiverStoppedError('the broadcast receiver was stopped while starting', { cause: err });
      this.stop();
      throw err;
    }
    if (this.isClosed) throw this.queue.error ?? new ReceiverStoppedError('the broadcast receiver was stopped while starting');
    for (const ns of this.namespaceList) {
      const topic = answer[ns];
      if (topic === undefined || !Object.prototype.hasOwnProperty.call(answer, ns)) continue;
      this.topicOfNamespace.set(ns, topic);
      this.namespaceOfTopic.set(topic, ns);
    }
    const topics = [...this.namespaceOfTopic.keys()];
    for (const topic of topics) {
      this.cleanups.push(this.client.listenTopic(topic, { data: (data, t) => this.onData(data, t) }));
    }
    this.client.registerInTopics(topics);
    this.cleanups.push(() => {
      if (!this.client.link.isClosed) this.client.unregisterInTopics(topics);
    });
    this.state = 'running';
    return this;
  }

  /**
   * The next `[namespace, data]`. Rejects with {@link ReceiverStoppedError}
   * once the receiver is stopped and its buffer is empty, and with
   * `TimeoutError` / `AbortError` per `options` (nothing is lost then).
   */
  recv(options?: WaitOptions): Promise<[string, T]> {
    return this.queue.recv(options);
  }

  /**
   * Unsubscribes and ends the iteration; pending `recv` calls reject with
   * {@link ReceiverStoppedError}. Safe to call twice. (When the client's link
   * closes, the receiver stops by itself and they reject with its
   * `ConnectionClosedError`, which also ends an iteration by being thrown.)
   */
  stop(): void {
    this.halt(undefined);
  }

  private halt(lost: ConnectionClosedError | undefined): void {
    if (this.isClosed) return;
    this.state = 'stopped';
    this.startAbort.abort();
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.queue.stop(lost);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.stop();
  }

  /**
   * Iterates over `[namespace, data]` until the receiver stops. Leaving the
   * loop (`break`, `return`, a throw) stops it; a lost link ends the loop by
   * throwing its `ConnectionClosedError`.
   */
  [Symbol.asyncIterator](): AsyncIterator<[string, T]> {
    return this.queue[Symbol.asyncIterator]();
  }

  private onData(data: RawData, topic: Id): void {
    const namespace = this.namespaceOfTopic.get(topic);
    if (namespace === undefined || this.state !== 'running') return;
    let value: T;
    try {
      value = data.value as T;
    } catch (cause) {
      this.events.emit('error', new DecodeError(`skipped an undecodable broadcast on ${JSON.stringify(namespace)}`, { cause }));
      return;
    }
    if (this.transformData) {
      try {
        value = this.transformData(value, namespace);
      } catch (err) {
        this.events.emit('error', err instanceof Error ? err : new Error(String(err)));
        return;
      }
    }
    this.queue.push([namespace, value]);
  }
}

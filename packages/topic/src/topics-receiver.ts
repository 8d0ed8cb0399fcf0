import { ConnectionClosedError, Emitter, toId, type Id, type RawData, type WaitOptions } from '@streamtasks/link';
import { QueuedIterator, SKIP } from '@streamtasks/link/internal';
import type { Client } from '@streamtasks/client';
import { TopicControlData } from './control.js';
import { TopicClosedError } from './errors.js';

export interface TopicsReceiverOptions {
  /** Request the topics right away. Default true. */
  register?: boolean;
  /**
   * Received items kept for a reader that does not keep up, over all the
   * topics together. Beyond it the oldest item is dropped, counted in
   * `dropped`, and a `slow-consumer` event is emitted (the rule of
   * `InTopic`). Default 65 536.
   */
  maxQueued?: number;
}

/** Events of a {@link TopicsReceiver}. */
export interface TopicsReceiverEvents {
  [event: string]: unknown[];
  /** Items were dropped because the reader did not keep up; `dropped` is the running total. */
  'slow-consumer': [dropped: number];
  /** A payload could not be decoded; it was skipped. */
  error: [error: Error];
}

/** One received item: the topic, and a payload or a control state. */
type Entry = [topic: Id, item: RawData | TopicControlData];

/**
 * Several topics received as one stream of `[topic, data]` pairs, in the
 * order they arrived (the Python client's `TopicsReceiver`). Everything goes
 * through one bounded queue; `recvDataControl()` also hands out the control
 * states (paused / resumed) in their place.
 *
 * @example
 * ```ts
 * await using received = new TopicsReceiver(client, [100_000, 100_001]);
 * for await (const [topic, data] of received) console.log(topic, data);
 * ```
 */
export class TopicsReceiver<T = unknown> implements AsyncIterable<[Id, T]>, AsyncDisposable, Disposable {
  readonly topics: readonly Id[];
  readonly events = new Emitter<TopicsReceiverEvents>();
  private readonly client: Client;
  /** Received entries in order; iteration hands out `[topic, payload]`. */
  private readonly queue: QueuedIterator<Entry, [Id, T]>;
  private readonly offListeners: Array<() => void>;
  private readonly offStop: () => void;
  private _registered = false;
  /** What reads end with once the receiver is closed. */
  private closedError: Error | undefined;

  constructor(client: Client, topics: Iterable<Id>, options: TopicsReceiverOptions = {}) {
    this.client = client;
    this.topics = [...new Set([...topics].map((t) => toId(t)))];
    this.queue = new QueuedIterator<Entry, [Id, T]>({
      maxPending: options.maxQueued ?? 65_536,
      onDrop: (dropped) => this.events.emit('slow-consumer', dropped),
      map: (entry) => this.payloadOf(entry),
      onReturn: () => this.close(),
      closedError: () => this.closedError ?? new TopicClosedError('the topics receiver is closed'),
      description: () => `data on topics ${this.topics.join(', ')}`,
    });
    this.offListeners = this.topics.map((topic) =>
      client.listenTopic(topic, {
        data: (data) => this.queue.push([topic, data]),
        control: (paused) => this.queue.push([topic, new TopicControlData(paused)]),
      }),
    );
    this.offStop = client.onStop((err) => this.end(err));
    if (options.register ?? true) this.register();
  }

  get registered(): boolean {
    return this._registered;
  }

  /** Items dropped so far because the reader did not keep up. */
  get dropped(): number {
    return this.queue.dropped;
  }

  /** Items received and not read yet. */
  get queued(): number {
    return this.queue.pending;
  }

  /**
   * Resolves once the receiver is closed: with the `ConnectionClosedError`
   * when the client's link closed, `undefined` when it was closed by
   * {@link TopicsReceiver.close} (or a loop left early) or its client
   * stopped. Never rejects.
   */
  get closed(): Promise<Error | undefined> {
    return this.queue.closed;
  }

  get isClosed(): boolean {
    return this.queue.isClosed;
  }

  /** Requests the topics (no-op when already requested). */
  register(): void {
    if (this.isClosed) throw new TopicClosedError('the topics receiver is closed');
    if (this._registered) return;
    this.client.registerInTopics(this.topics);
    this._registered = true;
  }

  /** Withdraws the requests (no-op when not requested). */
  unregister(): void {
    if (!this._registered) return;
    this._registered = false;
    this.client.unregisterInTopics(this.topics);
  }

  /** The next `[topic, payload]` (control states are skipped, undecodable payloads reported and skipped). */
  async recv(options?: WaitOptions): Promise<[Id, T]> {
    for (;;) {
      const [topic, item] = await this.recvDataControl(options);
      if (!(item instanceof TopicControlData)) return [topic, item];
    }
  }

  /** The next `[topic, payload or control state]`, in arrival order. */
  async recvDataControl(options?: WaitOptions): Promise<[Id, T | TopicControlData]> {
    for (;;) {
      const entry = this.queue.shift() ?? (await this.queue.recv(options));
      if (entry[1] instanceof TopicControlData) return entry as [Id, TopicControlData];
      const payload = this.payloadOf(entry);
      if (payload !== SKIP) return payload;
    }
  }

  /**
   * Iterates over `[topic, payload]` pairs until the receiver closes (or its
   * client stops). Leaving the loop (`break`, `return`, a throw) closes the
   * receiver. When the client's link closes the loop ends by throwing its
   * `ConnectionClosedError`.
   */
  [Symbol.asyncIterator](): AsyncIterator<[Id, T]> {
    return this.queue[Symbol.asyncIterator]();
  }

  /** Withdraws the requests and ends every read. Safe to call twice. */
  close(): void {
    if (this.isClosed) return;
    if (!this.client.link.isClosed) this.unregister();
    this.end(new TopicClosedError('the topics receiver is closed'));
  }

  [Symbol.dispose](): void {
    this.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  /** `[topic, payload]`; SKIP for a control state or an undecodable payload (reported). */
  private payloadOf([topic, item]: Entry): [Id, T] | typeof SKIP {
    if (item instanceof TopicControlData) return SKIP;
    try {
      return [topic, item.value as T];
    } catch (err) {
      this.events.emit('error', err as Error);
      return SKIP;
    }
  }

  /** Ends every read with `error`; only a lost link ends a loop by throwing. */
  private end(error: Error): void {
    if (this.isClosed) return;
    this.closedError = error;
    for (const off of this.offListeners) off();
    this.offStop();
    this.queue.stop(error instanceof ConnectionClosedError ? error : undefined);
  }
}

/** A registered {@link TopicsReceiver} (the Python client's `TopicsReceiver(client, topics)`). */
export function receiveTopics<T = unknown>(client: Client, topics: Iterable<Id>, options?: TopicsReceiverOptions): TopicsReceiver<T> {
  return new TopicsReceiver<T>(client, topics, options);
}

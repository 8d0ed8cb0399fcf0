import { ConnectionClosedError, Emitter, toId, type Id, type RawData, type WaitOptions } from '@streamtasks/link';
import { QueuedIterator, SKIP } from '@streamtasks/link/internal';
import type { Client } from '@streamtasks/client';
import { TopicControlData } from './control.js';
import { TopicClosedError } from './errors.js';
import { AwaitableFlag } from './flag.js';

export interface InTopicOptions {
  /** Request the topic right away. Default true. */
  register?: boolean;
  /**
   * Received items kept for a reader that does not keep up. Beyond it the
   * oldest item is dropped, counted in `dropped`, and a `slow-consumer` event
   * is emitted. Default 65 536.
   */
  maxQueued?: number;
}

/** Events of an {@link InTopic}. */
export interface InTopicEvents {
  [event: string]: unknown[];
  /** Items were dropped because the reader did not keep up; `dropped` is the running total. */
  'slow-consumer': [dropped: number];
  /** A payload could not be decoded; it was skipped. */
  error: [error: Error];
  /** The cost of the topic's provider changed (`undefined`: no provider). */
  cost: [cost: number | undefined];
}

/** One received item: a payload, or a control state in order with the payloads. */
export type InTopicItem = RawData | TopicControlData;

/**
 * A topic this client subscribes to.
 *
 * Received payloads and control states queue up in order; read them with
 * {@link InTopic.recvData}, {@link InTopic.recvDataControl} or
 * `for await (const data of topic)`. `paused` is the latest state the
 * publisher announced, `cost` the cost of the current provider.
 *
 * @example
 * ```ts
 * await using topic = new InTopic(client, 100_000);
 * for await (const data of topic) console.log(data);
 * ```
 */
export class InTopic<T = unknown> implements AsyncIterable<T>, AsyncDisposable, Disposable {
  readonly topic: Id;
  readonly events = new Emitter<InTopicEvents>();
  protected readonly client: Client;
  /** Received items in order; iteration hands out their payloads. */
  private readonly queue: QueuedIterator<InTopicItem, T>;
  private readonly pausedFlag = new AwaitableFlag(false);
  private readonly offListener: () => void;
  private readonly offStop: () => void;
  private readonly ended = new AbortController();
  private _registered = false;
  /** What reads end with once the topic is closed. */
  private closedError: Error | undefined;
  private _cost: number | undefined;

  constructor(client: Client, topic: Id, options: InTopicOptions = {}) {
    this.client = client;
    this.topic = toId(topic);
    this.queue = new QueuedIterator<InTopicItem, T>({
      maxPending: options.maxQueued ?? 65_536,
      onDrop: (dropped) => this.events.emit('slow-consumer', dropped),
      map: (item) => this.dataOf(item),
      // Leaving a loop releases the topic: it is unregistered, and a synchronized sibling is not held back by it.
      onReturn: () => this.close(),
      closedError: () => this.closedError ?? new TopicClosedError(),
      description: `data on topic ${String(this.topic)}`,
    });
    this._cost = client.topicCost(this.topic);
    this.offListener = client.listenTopic(this.topic, {
      data: (data) => this.queue.push(data),
      control: (paused) => {
        this.pausedFlag.set(paused);
        this.queue.push(new TopicControlData(paused));
      },
      cost: (cost) => {
        this._cost = cost;
        this.events.emit('cost', cost);
      },
    });
    this.offStop = client.onStop((err) => this.end(err));
    if (options.register ?? true) this.register();
  }

  get registered(): boolean {
    return this._registered;
  }

  /** The latest state the publisher announced. */
  get paused(): boolean {
    return this.pausedFlag.value;
  }

  /** Cost of the current provider, `undefined` when there is none. */
  get cost(): number | undefined {
    return this._cost;
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
   * Resolves once the topic is closed: with the `ConnectionClosedError` when
   * the client's link closed, `undefined` when it was closed by
   * {@link InTopic.close} (or a loop left early) or its client stopped.
   * Never rejects.
   */
  get closed(): Promise<Error | undefined> {
    return this.queue.closed;
  }

  get isClosed(): boolean {
    return this.queue.isClosed;
  }

  /** Requests the topic on the network (no-op when already requested). */
  register(): void {
    if (this.isClosed) throw new TopicClosedError();
    if (this._registered) return;
    this.client.registerInTopics([this.topic]);
    this._registered = true;
  }

  /** Withdraws the request (no-op when not requested). */
  unregister(): void {
    if (!this._registered) return;
    this._registered = false;
    this.client.unregisterInTopics([this.topic]);
  }

  /** Resolves once `paused` equals `value` (default true). */
  waitPaused(value = true, options?: WaitOptions): Promise<void> {
    if (this.closedError) return Promise.reject(this.closedError);
    return this.pausedFlag.wait(value, `topic ${String(this.topic)} to be ${value ? 'paused' : 'resumed'}`, options);
  }

  /** The next payload (control states are applied and skipped). Undecodable payloads are reported and skipped. */
  async recvData(options?: WaitOptions): Promise<T> {
    for (;;) {
      const item = await this.recvDataControl(options);
      if (!(item instanceof TopicControlData)) return item;
    }
  }

  /** The next payload or control state, in the order they arrived. */
  async recvDataControl(options?: WaitOptions): Promise<T | TopicControlData> {
    for (;;) {
      const item = this.queue.shift() ?? (await this.queue.recv(options));
      if (item instanceof TopicControlData) {
        if (await this.accept(item, undefined, options)) return item;
        continue;
      }
      let value: T;
      try {
        value = item.value as T;
      } catch (err) {
        this.events.emit('error', err as Error);
        continue;
      }
      if (await this.accept(item, value, options)) return value;
    }
  }

  /**
   * Iterates over the payloads (what {@link InTopic.recvData} returns) until
   * the topic closes. Leaving the loop early (`break`, `return`, a throw)
   * closes the topic: it is unregistered. When the client's link closes the
   * loop ends by throwing its `ConnectionClosedError`. Queued payloads are
   * handed out without a wait, and a waiting iteration is woken directly by
   * the next payload.
   */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.queue[Symbol.asyncIterator]();
  }

  /** Withdraws the request and ends every read. Safe to call twice. */
  close(): void {
    if (this.isClosed) return;
    if (!this.client.link.isClosed) this.unregister();
    this.end(new TopicClosedError());
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Decides whether an item read with {@link InTopic.recvDataControl} is
   * handed to the reader. Synchronized topics override it to hold payloads
   * back until their turn (and iterate through `recvData`).
   */
  protected accept(_item: InTopicItem, _value: T | undefined, _options?: WaitOptions): Promise<boolean> | boolean {
    return true;
  }

  /** Puts an item back at the front of the queue (it was taken but not handed out). */
  protected unshift(item: InTopicItem): void {
    this.queue.unshift(item);
  }

  /** Aborted when the topic closes (or its client stops), so subclass waits end with it. */
  protected get closedSignal(): AbortSignal {
    return this.ended.signal;
  }

  /** What iteration hands out for an item: its payload; SKIP for a control state or an undecodable payload (reported). */
  private dataOf(item: InTopicItem): T | typeof SKIP {
    if (item instanceof TopicControlData) return SKIP;
    try {
      return item.value as T;
    } catch (err) {
      this.events.emit('error', err as Error);
      return SKIP;
    }
  }

  /** Ends every read with `error`; only a lost link ends a loop by throwing. */
  private end(error: Error): void {
    if (this.isClosed) return;
    this.closedError = error;
    this.offListener();
    this.offStop();
    this.queue.stop(error instanceof ConnectionClosedError ? error : undefined);
    this.ended.abort(error);
    this.pausedFlag.fail(error);
  }
}

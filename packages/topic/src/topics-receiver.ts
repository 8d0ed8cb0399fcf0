import { Emitter, toId, type Id, type RawData, type WaitOptions } from '@streamtasks/link';
import { boundedWait } from '@streamtasks/link/internal';
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
  private readonly maxQueued: number;
  private queue: Entry[] = [];
  private head = 0;
  private readonly waiters: Array<(entry: Entry) => void> = [];
  private readonly enders = new Set<(error: Error) => void>();
  private readonly offListeners: Array<() => void>;
  private readonly offStop: () => void;
  private _registered = false;
  private _closed: Error | undefined;
  private _dropped = 0;

  constructor(client: Client, topics: Iterable<Id>, options: TopicsReceiverOptions = {}) {
    this.client = client;
    this.topics = [...new Set([...topics].map((t) => toId(t)))];
    this.maxQueued = options.maxQueued ?? 65_536;
    this.offListeners = this.topics.map((topic) =>
      client.listenTopic(topic, {
        data: (data) => this.push([topic, data]),
        control: (paused) => this.push([topic, new TopicControlData(paused)]),
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
    return this._dropped;
  }

  /** Items received and not read yet. */
  get queued(): number {
    return this.queue.length - this.head;
  }

  get closed(): boolean {
    return this._closed !== undefined;
  }

  /** Requests the topics (no-op when already requested). */
  register(): void {
    if (this._closed) throw new TopicClosedError('the topics receiver is closed');
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
      const [topic, item] = await this.take(options);
      if (item instanceof TopicControlData) return [topic, item];
      try {
        return [topic, item.value as T];
      } catch (err) {
        this.events.emit('error', err as Error);
      }
    }
  }

  /**
   * Iterates over `[topic, payload]` pairs until the receiver closes (or its
   * client stops). Leaving the loop (`break`, `return`, a throw) closes the
   * receiver.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<[Id, T], void, undefined> {
    try {
      for (;;) {
        let entry: [Id, T];
        try {
          entry = await this.recv();
        } catch (err) {
          if (this._closed) return;
          throw err;
        }
        yield entry;
      }
    } finally {
      this.close();
    }
  }

  /** Withdraws the requests and ends every read. Safe to call twice. */
  close(): void {
    if (this._closed) return;
    if (!this.client.link.isClosed) this.unregister();
    this.end(new TopicClosedError('the topics receiver is closed'));
  }

  [Symbol.dispose](): void {
    this.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  private push(entry: Entry): void {
    if (this._closed) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter(entry);
      return;
    }
    if (this.queued >= this.maxQueued) {
      this.queue[this.head++] = undefined as never;
      this._dropped++;
      this.events.emit('slow-consumer', this._dropped);
    }
    this.queue.push(entry);
  }

  private take(options?: WaitOptions): Promise<Entry> | Entry {
    if (this.head < this.queue.length) {
      const entry = this.queue[this.head]!;
      this.queue[this.head++] = undefined as never;
      if (this.head === this.queue.length) {
        this.queue = [];
        this.head = 0;
      } else if (this.head > 4096 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      return entry;
    }
    if (this._closed) return Promise.reject(this._closed);
    return boundedWait<Entry>(() => `data on topics ${this.topics.join(', ')}`, options, (resolve, reject) => {
      this.waiters.push(resolve);
      this.enders.add(reject);
      return () => {
        this.enders.delete(reject);
        const i = this.waiters.indexOf(resolve);
        if (i >= 0) this.waiters.splice(i, 1);
      };
    });
  }

  private end(error: Error): void {
    if (this._closed) return;
    this._closed = error;
    for (const off of this.offListeners) off();
    this.offStop();
    this.queue = [];
    this.head = 0;
    this.waiters.length = 0;
    const enders = [...this.enders];
    this.enders.clear();
    for (const reject of enders) reject(error);
  }
}

/** A registered {@link TopicsReceiver} (the Python client's `TopicsReceiver(client, topics)`). */
export function receiveTopics<T = unknown>(client: Client, topics: Iterable<Id>, options?: TopicsReceiverOptions): TopicsReceiver<T> {
  return new TopicsReceiver<T>(client, topics, options);
}

import { ConnectionClosedError, Emitter, toId, type Id, type RawData, type WaitOptions } from '@streamtasks/link';
import { boundedWait } from '@streamtasks/link/internal';
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

const NOTHING = Symbol('nothing');

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
export class InTopic<T = unknown> implements AsyncIterable<T> {
  readonly topic: Id;
  readonly events = new Emitter<InTopicEvents>();
  protected readonly client: Client;
  private readonly maxQueued: number;
  private queue: InTopicItem[] = [];
  private head = 0;
  private readonly waiters: Array<(item: InTopicItem) => void> = [];
  private readonly pausedFlag = new AwaitableFlag(false);
  private readonly offListener: () => void;
  private readonly offStop: () => void;
  private _registered = false;
  private _closed: Error | undefined;
  private _cost: number | undefined;
  private _dropped = 0;

  constructor(client: Client, topic: Id, options: InTopicOptions = {}) {
    this.client = client;
    this.topic = toId(topic);
    this.maxQueued = options.maxQueued ?? 65_536;
    this._cost = client.topicCost(this.topic);
    this.offListener = client.listenTopic(this.topic, {
      data: (data) => this.push(data),
      control: (paused) => {
        this.pausedFlag.set(paused);
        this.push(new TopicControlData(paused));
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
    return this._dropped;
  }

  /** Items received and not read yet. */
  get queued(): number {
    return this.queue.length - this.head;
  }

  get closed(): boolean {
    return this._closed !== undefined;
  }

  /** Requests the topic on the network (no-op when already requested). */
  register(): void {
    if (this._closed) throw new TopicClosedError();
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
    if (this._closed) return Promise.reject(this._closed);
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
      const item = await this.take(options);
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
   * closes the topic: it is unregistered, and a synchronized sibling is no
   * longer held back. When the client's link closes the loop ends by
   * throwing its `ConnectionClosedError`. A plain topic hands out queued payloads without going
   * through `recvData`'s promises, and a waiting iteration is woken directly
   * by the next payload.
   */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.accept !== InTopic.prototype.accept) return this.iterateWithRecvData();
    const done: IteratorReturnResult<undefined> = { value: undefined, done: true };
    let finished = false;
    /** The waiting `next()`, if any, and what ends it when the topic closes. */
    let pending: ((result: IteratorResult<T>) => void) | undefined;
    let waiting: Promise<IteratorResult<T>> | undefined;
    let offEnd: (() => void) | undefined;
    let fail: ((error: unknown) => void) | undefined;
    const finish = () => {
      finished = true;
      offEnd?.();
      offEnd = undefined;
      const wake = pending;
      const wakeWithError = fail;
      pending = waiting = fail = undefined;
      // A lost link ends the loop by throwing its error; a closed topic ends it quietly.
      const lost = this._closed instanceof ConnectionClosedError ? this._closed : undefined;
      if (lost && wakeWithError) wakeWithError(lost);
      else wake?.(done);
    };
    const waiter = (item: InTopicItem) => {
      const data = this.dataOf(item);
      if (data === NOTHING) {
        this.waiters.push(waiter);
        return;
      }
      const wake = pending!;
      pending = waiting = undefined;
      wake({ value: data, done: false });
    };
    const next = (): Promise<IteratorResult<T>> => {
      // A next() called while another waits takes its turn after it.
      if (waiting) return waiting.then(next);
      if (finished || this._closed) {
        const lost = !finished && this._closed instanceof ConnectionClosedError ? this._closed : undefined;
        finish();
        return lost ? Promise.reject(lost) : Promise.resolve(done);
      }
      const value = this.takeQueuedData();
      if (value !== NOTHING) return Promise.resolve({ value, done: false });
      offEnd ??= this.endWaiters.add(finish);
      waiting = new Promise<IteratorResult<T>>((resolve, reject) => {
        pending = resolve;
        fail = reject;
      });
      this.waiters.push(waiter);
      return waiting;
    };
    return {
      next,
      // Leaving the loop (`break`, `return`, a throw) releases the topic, as a broadcast receiver does.
      return: (): Promise<IteratorResult<T>> => {
        const at = pending ? this.waiters.indexOf(waiter) : -1;
        if (at >= 0) this.waiters.splice(at, 1);
        finished = true;
        finish();
        this.close();
        return Promise.resolve(done);
      },
    };
  }

  /** Iteration for topics that decide what to hand out ({@link InTopic.accept}). */
  private async *iterateWithRecvData(): AsyncGenerator<T> {
    try {
      for (;;) {
        let data: T;
        try {
          data = await this.recvData();
        } catch (err) {
          if (err instanceof ConnectionClosedError) throw err;
          if (err instanceof TopicClosedError || this._closed) return;
          throw err;
        }
        yield data;
      }
    } finally {
      // Leaving the loop releases the topic: a synchronized sibling is not held back by it.
      this.close();
    }
  }

  /** The next queued payload, skipping control states and undecodable payloads; NOTHING when none is queued. */
  private takeQueuedData(): T | typeof NOTHING {
    while (this.head < this.queue.length) {
      const data = this.dataOf(this.take() as InTopicItem);
      if (data !== NOTHING) return data;
    }
    return NOTHING;
  }

  /** An item's payload; NOTHING for a control state or a payload that cannot be decoded (reported). */
  private dataOf(item: InTopicItem): T | typeof NOTHING {
    if (item instanceof TopicControlData) return NOTHING;
    try {
      return item.value as T;
    } catch (err) {
      this.events.emit('error', err as Error);
      return NOTHING;
    }
  }

  /** Withdraws the request and ends every read. Safe to call twice. */
  close(): void {
    if (this._closed) return;
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
   * Decides whether an item read from the queue is handed to the reader.
   * Synchronized topics override it to hold payloads back until their turn.
   */
  protected accept(_item: InTopicItem, _value: T | undefined, _options?: WaitOptions): Promise<boolean> | boolean {
    return true;
  }

  /** Puts an item back at the front of the queue (it was taken but not handed out). */
  protected unshift(item: InTopicItem): void {
    if (this.head > 0) this.queue[--this.head] = item;
    else this.queue.unshift(item);
  }

  private push(item: InTopicItem): void {
    if (this._closed) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter(item);
      return;
    }
    if (this.queued >= this.maxQueued) {
      this.queue[this.head++] = undefined as never;
      this._dropped++;
      this.events.emit('slow-consumer', this._dropped);
    }
    this.queue.push(item);
  }

  private take(options?: WaitOptions): Promise<InTopicItem> | InTopicItem {
    if (this.head < this.queue.length) {
      const item = this.queue[this.head]!;
      this.queue[this.head++] = undefined as never;
      if (this.head === this.queue.length) {
        this.queue = [];
        this.head = 0;
      } else if (this.head > 4096 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      return item;
    }
    if (this._closed) return Promise.reject(this._closed);
    return boundedWait<InTopicItem>(`data on topic ${String(this.topic)}`, options, (resolve, reject) => {
      this.waiters.push(resolve);
      const offEnd = this.endWaiters.add(reject);
      return () => {
        offEnd();
        const i = this.waiters.indexOf(resolve);
        if (i >= 0) this.waiters.splice(i, 1);
      };
    });
  }

  private readonly endWaiters = new RejectSet();
  private readonly ended = new AbortController();

  /** Aborted when the topic closes (or its client stops), so subclass waits end with it. */
  protected get closedSignal(): AbortSignal {
    return this.ended.signal;
  }

  private end(error: Error): void {
    if (this._closed) return;
    this._closed = error;
    this.ended.abort(error);
    this.offListener();
    this.offStop();
    this.queue = [];
    this.head = 0;
    this.waiters.length = 0;
    this.endWaiters.rejectAll(error);
    this.pausedFlag.fail(error);
  }
}

/** Rejections to run when a topic ends. */
class RejectSet {
  private readonly set = new Set<(error: unknown) => void>();
  add(reject: (error: unknown) => void): () => void {
    this.set.add(reject);
    return () => this.set.delete(reject);
  }
  rejectAll(error: Error): void {
    const all = [...this.set];
    this.set.clear();
    for (const reject of all) reject(error);
  }
}

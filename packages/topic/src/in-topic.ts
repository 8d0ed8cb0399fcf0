import { Emitter, toId, type Id, type RawData, type WaitOptions } from '@streamtasks/link';
import { SKIP } from '@streamtasks/link/internal';
import type { Client } from '@streamtasks/client';
import { TopicControlData } from './control.js';
import { AwaitableFlag } from './flag.js';
import { TopicSubscription } from './subscription.js';

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
export class InTopic<T = unknown> extends TopicSubscription<InTopicItem, T> {
  readonly topic: Id;
  readonly events = new Emitter<InTopicEvents>();
  private readonly pausedFlag = new AwaitableFlag(false);
  private readonly offListener: () => void;
  private readonly ended = new AbortController();
  private _cost: number | undefined;

  constructor(client: Client, topic: Id, options: InTopicOptions = {}) {
    const id = toId(topic);
    super(client, [id], options, 'the topic is closed');
    this.topic = id;
    this._cost = client.topicCost(this.topic);
    this.offListener = client.listenTopic(this.topic, {
      data: (data) => this.enqueue(data),
      control: (paused) => {
        this.pausedFlag.set(paused);
        this.enqueue(new TopicControlData(paused));
      },
      cost: (cost) => {
        this._cost = cost;
        this.events.emit('cost', cost);
      },
    });
    if (options.register ?? true) this.register();
  }

  /** The latest state the publisher announced. */
  get paused(): boolean {
    return this.pausedFlag.value;
  }

  /** Cost of the current provider, `undefined` when there is none. */
  get cost(): number | undefined {
    return this._cost;
  }

  /** Resolves once `paused` equals `value` (default true). */
  waitPaused(value = true, options?: WaitOptions): Promise<void> {
    const closed = this.closeError;
    if (closed) return Promise.reject(closed);
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
   * Decides whether an item read with {@link InTopic.recvDataControl} is
   * handed to the reader. Synchronized topics override it to hold payloads
   * back until their turn (and iterate through `recvData`).
   */
  protected accept(_item: InTopicItem, _value: T | undefined, _options?: WaitOptions): Promise<boolean> | boolean {
    return true;
  }

  /** Aborted when the topic closes (or its client stops), so subclass waits end with it. */
  protected get closedSignal(): AbortSignal {
    return this.ended.signal;
  }

  /** An item's payload; SKIP for a control state or a payload that cannot be decoded (reported). @internal */
  protected handOut(item: InTopicItem): T | typeof SKIP {
    if (item instanceof TopicControlData) return SKIP;
    try {
      return item.value as T;
    } catch (err) {
      this.events.emit('error', err as Error);
      return SKIP;
    }
  }

  /** @internal */
  protected reportDrop(dropped: number): void {
    this.events.emit('slow-consumer', dropped);
  }

  /** @internal */
  protected release(error: Error): void {
    this.offListener();
    this.ended.abort(error);
    this.pausedFlag.fail(error);
  }
}

import { Emitter, toId, type Id, type RawData, type WaitOptions } from '@streamtasks/link';
import { SKIP } from '@streamtasks/link/internal';
import type { Client } from '@streamtasks/client';
import { TopicControlData } from './control.js';
import { TopicSubscription } from './subscription.js';

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
export class TopicsReceiver<T = unknown> extends TopicSubscription<Entry, [Id, T]> {
  readonly topics: readonly Id[];
  readonly events = new Emitter<TopicsReceiverEvents>();
  private readonly offListeners: Array<() => void>;

  constructor(client: Client, topics: Iterable<Id>, options: TopicsReceiverOptions = {}) {
    const ids = [...new Set([...topics].map((t) => toId(t)))];
    super(client, ids, options, 'the topics receiver is closed');
    this.topics = ids;
    this.offListeners = ids.map((topic) =>
      client.listenTopic(topic, {
        data: (data) => this.enqueue([topic, data]),
        control: (paused) => this.enqueue([topic, new TopicControlData(paused)]),
      }),
    );
    if (options.register ?? true) this.register();
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
      const entry = await this.take(options);
      if (entry[1] instanceof TopicControlData) return entry as [Id, TopicControlData];
      const payload = this.handOut(entry);
      if (payload !== SKIP) return payload;
    }
  }

  /** `[topic, payload]`; SKIP for a control state or an undecodable payload (reported). @internal */
  protected handOut([topic, item]: Entry): [Id, T] | typeof SKIP {
    if (item instanceof TopicControlData) return SKIP;
    try {
      return [topic, item.value as T];
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
  protected release(): void {
    for (const off of this.offListeners) off();
  }
}

/** A registered {@link TopicsReceiver} (the Python client's `TopicsReceiver(client, topics)`). */
export function receiveTopics<T = unknown>(client: Client, topics: Iterable<Id>, options?: TopicsReceiverOptions): TopicsReceiver<T> {
  return new TopicsReceiver<T>(client, topics, options);
}

import { ConnectionClosedError, type Id, type WaitOptions } from '@streamtasks/link';
import type { Client } from '@streamtasks/client';
import { TopicControlData } from './control.js';
import { InTopic, type InTopicItem, type InTopicOptions } from './in-topic.js';
import type { InTopicSynchronizer } from './synchronizer.js';
import { getTimestamp } from './timestamp.js';

/**
 * An {@link InTopic} whose payloads are released in timestamp order together
 * with the other topics of the same synchronizer. Payloads without a
 * `timestamp` are skipped; control states pause and resume the topic in the
 * synchronizer.
 *
 * @example
 * ```ts
 * const sync = new SequentialInTopicSynchronizer();
 * const a = new SynchronizedInTopic(client, 100_001, sync);
 * const b = new SynchronizedInTopic(client, 100_002, sync);
 * ```
 */
export class SynchronizedInTopic<T = unknown> extends InTopic<T> {
  private readonly sync: InTopicSynchronizer;

  constructor(client: Client, topic: Id, sync: InTopicSynchronizer, options?: InTopicOptions) {
    super(client, topic, options);
    this.sync = sync;
    // A closed topic no longer holds the others back.
    this.closedSignal.addEventListener('abort', () => sync.setPaused(this.topic, true), { once: true });
  }

  /**
   * Iterates over the payloads in their turn. Each step waits for the
   * synchronizer, so it goes through {@link InTopic.recvData}; otherwise as
   * for any topic: leaving the loop closes the topic, a lost link ends it by
   * throwing its `ConnectionClosedError`.
   */
  override async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    try {
      for (;;) {
        let data: T;
        try {
          data = await this.recvData();
        } catch (err) {
          if (this.isClosed && !(err instanceof ConnectionClosedError)) return;
          throw err;
        }
        yield data;
      }
    } finally {
      this.close();
    }
  }

  protected override async accept(item: InTopicItem, value: T | undefined, options?: WaitOptions): Promise<boolean> {
    if (item instanceof TopicControlData) {
      this.sync.setPaused(this.topic, item.paused);
      return true;
    }
    const timestamp = getTimestamp(value);
    if (timestamp === undefined) return false;
    try {
      const signal = options?.signal ? AbortSignal.any([options.signal, this.closedSignal]) : this.closedSignal;
      return await this.sync.waitFor(this.topic, timestamp, { timeout: options?.timeout, signal });
    } catch (err) {
      if (this.closedSignal.aborted) throw this.closedSignal.reason;
      // Timed out or aborted while held back: keep the payload for the next read.
      this.unshift(item);
      throw err;
    }
  }
}

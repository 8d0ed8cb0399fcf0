import { type Id, type WaitOptions } from '@streamtasks/link';
import { boundedWait } from '@streamtasks/link/internal';

/** Orders the payloads of several synchronized in-topics (see {@link SequentialInTopicSynchronizer}). */
export interface InTopicSynchronizer {
  /**
   * Called with each payload's timestamp; resolves `true` when the payload
   * may be released, `false` when it must be dropped (older than the topic's
   * previous one).
   */
  waitFor(topic: Id, timestamp: number, options?: WaitOptions): Promise<boolean>;
  /** A topic was paused (it leaves the active set) or resumed. */
  setPaused(topic: Id, paused: boolean): void;
}

/**
 * A payload held back by a synchronizer: its topic, its timestamp and how to
 * release (`true`) or drop (`false`) it. Subclasses that override
 * `isHeld` or `ordered` see these.
 */
export interface Waiter {
  topic: Id;
  timestamp: number;
  resolve: (ok: boolean) => void;
}

/**
 * Releases the payloads of several topics in timestamp order.
 *
 * For every active topic (one that has offered a payload) it keeps the
 * timestamp of the last payload offered. A payload with timestamp `t` is
 * released once the minimum over the active topics is >= `t`: it waits until
 * every other active topic has offered a payload at `t` or later. A payload
 * older than its topic's last is dropped. A paused topic leaves the active
 * set; when it resumes it re-enters at the current minimum.
 */
export class SequentialInTopicSynchronizer implements InTopicSynchronizer {
  protected readonly timestamps = new Map<Id, number>();
  protected readonly waiters = new Set<Waiter>();

  /** The minimum timestamp over the active topics (0 when none is active). */
  get minTimestamp(): number {
    let min = Infinity;
    for (const ts of this.timestamps.values()) if (ts < min) min = ts;
    return min === Infinity ? 0 : min;
  }

  waitFor(topic: Id, timestamp: number, options?: WaitOptions): Promise<boolean> {
    if (timestamp < (this.timestamps.get(topic) ?? 0)) return Promise.resolve(false);
    this.timestamps.set(topic, timestamp);
    return boundedWait<boolean>(`topic ${String(topic)} to reach timestamp ${timestamp}`, options, (resolve) => {
      const waiter: Waiter = { topic, timestamp, resolve };
      this.waiters.add(waiter);
      this.release();
      return () => this.waiters.delete(waiter);
    });
  }

  setPaused(topic: Id, paused: boolean): void {
    if (paused) this.timestamps.delete(topic);
    else this.timestamps.set(topic, this.minTimestamp);
    this.release();
  }

  /** Whether a waiting payload must wait longer. */
  protected isHeld(waiter: Waiter, min: number): boolean {
    return min < waiter.timestamp;
  }

  /** Resolves every waiter that may go, in the order they should go. */
  protected release(): void {
    const min = this.minTimestamp;
    for (const waiter of this.ordered()) {
      if (!this.isHeld(waiter, min)) {
        this.waiters.delete(waiter);
        waiter.resolve(true);
      }
    }
  }

  protected ordered(): Iterable<Waiter> {
    return [...this.waiters];
  }
}

/**
 * A {@link SequentialInTopicSynchronizer} with a priority per topic (default
 * 0): of several topics holding payloads at the same minimum timestamp, the
 * one with the higher priority is released first. A topic that has nothing
 * waiting does not hold the others back.
 */
export class PrioritizedSequentialInTopicSynchronizer extends SequentialInTopicSynchronizer {
  private readonly priorities = new Map<Id, number>();

  setPriority(topic: Id, priority: number): void {
    this.priorities.set(topic, priority);
    this.release();
  }

  priority(topic: Id): number {
    return this.priorities.get(topic) ?? 0;
  }

  protected override isHeld(waiter: Waiter, min: number): boolean {
    if (min < waiter.timestamp) return true;
    const mine = this.priority(waiter.topic);
    for (const other of this.waiters) {
      if (other !== waiter && other.topic !== waiter.topic && other.timestamp === waiter.timestamp && this.priority(other.topic) > mine) {
        return true;
      }
    }
    return false;
  }

  /** Higher priority first, so that one release pass frees ties in priority order. */
  protected override ordered(): Iterable<Waiter> {
    return [...this.waiters].sort((a, b) => this.priority(b.topic) - this.priority(a.topic));
  }
}

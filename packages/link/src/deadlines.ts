/**
 * Timeouts of waits, served by one platform timer at a time.
 *
 * A wait that settles in microseconds (a fetch answered in process, a link
 * that drains at once) would otherwise create and clear a timer each time,
 * which costs more than the wait itself in Node. Here a timeout is an entry
 * in a FIFO per duration (deadlines of one duration come in order), and one
 * timer is armed for the earliest deadline. Cancelling marks the entry; the
 * timer is left armed, unreferenced while no timeout is pending so it never
 * keeps a process alive. A timeout never fires early: an entry expires when
 * the timer finds its deadline passed on the clock the timer runs on.
 *
 * The FIFOs are {@link Fifo}s, the storage of {@link QueuedIterator}, but not
 * queued iterators: nothing consumes them by waiting, the timer inspects their
 * heads and drops cancelled entries in place, which an iterator cannot do.
 */
import { Fifo } from './fifo.js';

/** What a deadline calls when it passes: an object, so a wait needs no closure per timeout. */
export interface DeadlineTarget {
  onDeadline(): void;
}

/** A pending timeout; cancel it with {@link Deadlines.cancel}. */
export interface Deadline {
  readonly at: number;
  /** Replaced by a no-op once cancelled: a settled entry still queued must not keep its wait's objects alive. */
  target: DeadlineTarget;
  done: boolean;
  readonly queue: Queue;
}

/** The entries of one duration, in deadline order. */
interface Queue {
  readonly duration: number;
  readonly owner: Deadlines;
  readonly items: Fifo<Deadline>;
}

type TimerHandle = ReturnType<typeof setTimeout>;

/** Queued entries beyond which cancelled ones behind a long wait are removed. */
const TRIM_AT = 1024;

const isPending = (entry: Deadline): boolean => !entry.done;
const NOBODY: DeadlineTarget = Object.freeze({ onDeadline(): void {} });

class Deadlines {
  private readonly queues = new Map<number, Queue>();
  private timer: TimerHandle | undefined;
  private armedAt = Infinity;
  private referenced = false;
  private live = 0;

  constructor(
    private readonly set: typeof setTimeout,
    private readonly clear: typeof clearTimeout,
    private readonly now: () => number,
  ) {}

  add(duration: number, target: DeadlineTarget): Deadline {
    let queue = this.queues.get(duration);
    if (queue === undefined) {
      queue = { duration, owner: this, items: new Fifo() };
      this.queues.set(duration, queue);
    }
    const entry: Deadline = { at: this.now() + duration, target, done: false, queue };
    queue.items.push(entry);
    this.live++;
    if (entry.at < this.armedAt) this.arm(entry.at);
    else if (!this.referenced) this.reference(true);
    return entry;
  }

  cancel(entry: Deadline): void {
    if (entry.done) return;
    entry.done = true;
    entry.target = NOBODY;
    this.live--;
    const items = entry.queue.items;
    while (items.size > 0 && items.peek()!.done) items.shift();
    // Settled entries behind a long wait would otherwise pile up until it ends.
    if (items.size > TRIM_AT && items.size > 4 * this.live) items.retain(isPending);
    if (this.live === 0) this.reference(false);
  }

  private arm(at: number): void {
    // Called as plain functions: browsers throw "Illegal invocation" when
    // setTimeout/clearTimeout run with another `this` than the global object.
    const { set, clear } = this;
    if (this.timer !== undefined) clear(this.timer);
    this.armedAt = at;
    this.timer = set(this.fire, Math.max(0, at - this.now()));
    this.referenced = true;
    if (this.live === 0) this.reference(false);
  }

  /** Keeps the process alive while timeouts are pending, and only then (where timers can be unreferenced). */
  private reference(on: boolean): void {
    this.referenced = on;
    const timer = this.timer as { ref?: () => void; unref?: () => void } | undefined;
    if (typeof timer === 'object' && timer !== null) {
      if (on) timer.ref?.();
      else timer.unref?.();
    }
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.armedAt = Infinity;
    const now = this.now();
    const expired: Deadline[] = [];
    let next = Infinity;
    for (const [duration, queue] of this.queues) {
      const items = queue.items;
      for (let entry = items.peek(); entry !== undefined; entry = items.peek()) {
        if (!entry.done && entry.at > now) break;
        items.shift();
        if (!entry.done) {
          entry.done = true;
          this.live--;
          expired.push(entry);
        }
      }
      const first = items.peek();
      if (first === undefined) this.queues.delete(duration);
      else next = Math.min(next, first.at);
    }
    if (next !== Infinity) this.arm(next);
    if (expired.length > 1) expired.sort((a, b) => a.at - b.at);
    for (const entry of expired) {
      try {
        entry.target.onDeadline();
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  };
}

const clock = (): (() => number) => {
  const perf = (globalThis as { performance?: { now(): number } }).performance;
  return perf && typeof perf.now === 'function' ? () => perf.now() : () => Date.now();
};

let currentSet: typeof setTimeout | undefined;
let current: Deadlines | undefined;
/** One scheduler per timer implementation (test suites swap in fake timers and back). */
const byTimer = new WeakMap<typeof setTimeout, Deadlines>();

function scheduler(): Deadlines {
  const set = globalThis.setTimeout;
  if (set === currentSet) return current!;
  let found = byTimer.get(set);
  if (found === undefined) {
    found = new Deadlines(set, globalThis.clearTimeout, clock());
    byTimer.set(set, found);
  }
  currentSet = set;
  current = found;
  return found;
}

/** Calls `target.onDeadline()` once `duration` milliseconds have passed, unless cancelled first. */
export function addDeadline(duration: number, target: DeadlineTarget): Deadline {
  return scheduler().add(duration, target);
}

/** Cancels a deadline (no-op once it expired or was cancelled). */
export function cancelDeadline(deadline: Deadline): void {
  if (deadline.done) return;
  deadline.queue.owner.cancel(deadline);
}

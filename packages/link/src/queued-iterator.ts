import { Fifo } from './fifo.js';
import { boundedWait, type WaitOptions } from './wait.js';

/** What a {@link QueuedIteratorOptions.map} returns for an item that is not handed out. */
export const SKIP: unique symbol = Symbol('skip');

export interface QueuedIteratorOptions<T, R> {
  /**
   * Items kept for a consumer that does not keep up (default unbounded).
   * Overflow rule: pushing onto a full queue drops the *oldest* item, counts
   * it in {@link QueuedIterator.dropped} and calls `onDrop`; the newest item
   * is always kept.
   */
  maxPending?: number;
  /** Called after an item was dropped, with the running total. */
  onDrop?: (dropped: number) => void;
  /**
   * What iteration hands out for an item, or {@link SKIP} to go on to the
   * next one (called when the item is taken, once per item). Default: the
   * item itself. {@link QueuedIterator.recv} and {@link QueuedIterator.shift}
   * hand out the items as they are.
   */
  map?: (item: T) => R | typeof SKIP;
  /** Called when a `for await` loop is left early (`break`, `return`, a throw): release what the loop held. */
  onReturn?: () => void;
  /** The error a wait ends with once the queue is stopped without one (default `Error('the queue is stopped')`). */
  closedError?: () => Error;
  /** What a wait waits for, named in its timeout and abort errors. */
  description?: string | (() => string);
}

/** A consumer waiting for an item, in a list in arrival order. */
abstract class Waiter<T> {
  before: Waiter<T> | undefined = undefined;
  after: Waiter<T> | undefined = undefined;
  linked = false;
  /** Takes an item (it is off the list when this is called). */
  abstract offer(item: T): void;
  /** The queue stopped, with `error` if it stopped because of one. */
  abstract end(error: Error | undefined): void;
}

/** Waiting consumers in arrival order: a linked list, so leaving it (a timeout, a `break`) is O(1). */
class WaiterList<T> {
  first: Waiter<T> | undefined;
  last: Waiter<T> | undefined;

  add(waiter: Waiter<T>): void {
    waiter.linked = true;
    waiter.before = this.last;
    if (this.last) this.last.after = waiter;
    else this.first = waiter;
    this.last = waiter;
  }

  /** No-op for a waiter that is not on the list. */
  remove(waiter: Waiter<T>): void {
    if (!waiter.linked) return;
    waiter.linked = false;
    const { before, after } = waiter;
    if (before) before.after = after;
    else this.first = after;
    if (after) after.before = before;
    else this.last = before;
    waiter.before = waiter.after = undefined;
  }

  /** Empties the list, ending every waiter. */
  endAll(error: Error | undefined): void {
    let waiter = this.first;
    this.first = this.last = undefined;
    while (waiter !== undefined) {
      const after = waiter.after;
      waiter.before = waiter.after = undefined;
      waiter.linked = false;
      waiter.end(error);
      waiter = after;
    }
  }
}

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };
const defaultClosedError = (): Error => new Error('the queue is stopped');

/**
 * A queue that producers push to and consumers take from: with
 * {@link QueuedIterator.recv} (bounded by a timeout or an `AbortSignal`), with
 * {@link QueuedIterator.shift} (never waits) or with `for await`.
 *
 * An item pushed while a consumer waits goes straight to that consumer;
 * otherwise it is queued, and a consumer that is behind takes queued items
 * without any wait (an iteration step then costs only the promise the async
 * iterator protocol requires). Nothing here allocates per item beyond that.
 *
 * {@link QueuedIterator.stop} ends it: pushes are ignored from then on, every
 * waiting consumer ends at once — iterations by throwing the error the queue
 * was stopped with, or quietly without one; `recv` by rejecting with that
 * error or `closedError()` — and {@link QueuedIterator.closed} resolves.
 * Sibling packages use it through `@streamtasks/link/internal`.
 */
export class QueuedIterator<T extends NonNullable<unknown>, R = T> implements AsyncIterable<R> {
  /** Most items kept (`Infinity`: unbounded). */
  readonly maxPending: number;
  private readonly items = new Fifo<T>();
  private readonly waiters = new WaiterList<T>();
  private readonly onDrop: ((dropped: number) => void) | undefined;
  private readonly map: ((item: T) => R | typeof SKIP) | undefined;
  private readonly onReturn: (() => void) | undefined;
  private readonly closedError: () => Error;
  private readonly description: string | (() => string);
  private _dropped = 0;
  private stopped = false;
  private _error: Error | undefined;
  private closedPromise: Promise<Error | undefined> | undefined;
  private resolveClosed: ((error: Error | undefined) => void) | undefined;

  constructor(options: QueuedIteratorOptions<T, R> = {}) {
    const max = options.maxPending ?? Infinity;
    if (!(max >= 1)) throw new RangeError(`maxPending must be at least 1, got ${max}`);
    this.maxPending = max;
    this.onDrop = options.onDrop;
    this.map = options.map;
    this.onReturn = options.onReturn;
    this.closedError = options.closedError ?? defaultClosedError;
    this.description = options.description ?? 'an item';
  }

  /** Items queued and not taken yet. */
  get pending(): number {
    return this.items.size;
  }

  /** Items dropped so far by the overflow rule. */
  get dropped(): number {
    return this._dropped;
  }

  get isClosed(): boolean {
    return this.stopped;
  }

  /** The error the queue was stopped with, if any. */
  get error(): Error | undefined {
    return this._error;
  }

  /** Resolves once the queue is stopped, with the error it was stopped with, if any. Never rejects. */
  get closed(): Promise<Error | undefined> {
    if (this.closedPromise === undefined) {
      this.closedPromise = this.stopped
        ? Promise.resolve(this._error)
        : new Promise((resolve) => (this.resolveClosed = resolve));
    }
    return this.closedPromise;
  }

  /** Hands an item to the first waiting consumer, or queues it. Ignored once stopped. */
  push(item: T): void {
    if (this.stopped) return;
    const waiter = this.waiters.first;
    if (waiter !== undefined) {
      this.waiters.remove(waiter);
      waiter.offer(item);
      return;
    }
    this.items.push(item);
    if (this.items.size > this.maxPending) {
      this.items.shift();
      this._dropped++;
      this.onDrop?.(this._dropped);
    }
  }

  /** Puts an item taken but not used back in front (it may exceed `maxPending` by one). */
  unshift(item: T): void {
    if (!this.stopped || this.items.size > 0) this.items.unshift(item);
  }

  /** The next queued item, or `undefined` when none is queued. Never waits. */
  shift(): T | undefined {
    return this.items.shift();
  }

  /**
   * The next item, waiting for one if none is queued. Rejects with a
   * `TimeoutError` or `AbortError` per `options` (the item that comes later
   * stays queued: nothing is lost), and once the queue is stopped and empty
   * with the error it was stopped with or `closedError()`.
   */
  recv(options?: WaitOptions): Promise<T> {
    if (this.items.size > 0) return Promise.resolve(this.items.shift()!);
    if (this.stopped) return Promise.reject(this._error ?? this.closedError());
    return boundedWait<T>(this.description, options, (resolve, reject) => {
      const waiter = new RecvWaiter(resolve, reject, this.closedError);
      this.waiters.add(waiter);
      return () => this.waiters.remove(waiter);
    });
  }

  /**
   * Ends the queue: `error`, when given, is the failure that ended it
   * (iterations throw it, waits reject with it). Queued items are dropped,
   * unless `drain` is set: they can then still be taken, and consumers end
   * after the last of them. Safe to call twice (later calls do nothing).
   */
  stop(error?: Error, options?: { drain?: boolean }): void {
    if (this.stopped) return;
    this.stopped = true;
    this._error = error;
    if (!options?.drain) this.items.clear();
    this.waiters.endAll(error);
    this.resolveClosed?.(error);
    this.resolveClosed = undefined;
  }

  /**
   * Iterates over the items (each through `map`) until the queue is stopped
   * and empty. Leaving the loop early runs `onReturn`.
   */
  [Symbol.asyncIterator](): AsyncIterator<R> {
    return new QueueIteration<T, R>(this, this.waiters, this.map, this.onReturn);
  }
}

/** A pending {@link QueuedIterator.recv}. */
class RecvWaiter<T> extends Waiter<T> {
  constructor(
    private readonly resolve: (item: T) => void,
    private readonly reject: (error: unknown) => void,
    private readonly closedError: () => Error,
  ) {
    super();
  }

  offer(item: T): void {
    this.resolve(item);
  }

  end(error: Error | undefined): void {
    this.reject(error ?? this.closedError());
  }
}

/**
 * One `for await` over a queue. It is its own waiter, so a waiting step
 * costs one promise and no closure per item.
 */
class QueueIteration<T extends NonNullable<unknown>, R> extends Waiter<T> implements AsyncIterator<R> {
  private finished = false;
  private waiting: Promise<IteratorResult<R>> | undefined;
  private resolve: ((result: IteratorResult<R>) => void) | undefined;
  private reject: ((error: unknown) => void) | undefined;
  private readonly nextStep = (): Promise<IteratorResult<R>> => this.next();

  constructor(
    private readonly queue: QueuedIterator<T, R>,
    private readonly waiters: WaiterList<T>,
    private readonly map: ((item: T) => R | typeof SKIP) | undefined,
    private readonly onReturn: (() => void) | undefined,
  ) {
    super();
  }

  next(): Promise<IteratorResult<R>> {
    // A next() called while another waits takes its turn after it.
    if (this.waiting) return this.waiting.then(this.nextStep);
    if (this.finished) return Promise.resolve(DONE);
    const { queue, map } = this;
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
      const value = map ? map(item) : (item as unknown as R);
      if (value !== SKIP) return Promise.resolve({ value, done: false });
      // map may have stopped the queue (a listener closed it): fall through.
    }
    if (queue.isClosed) {
      this.finished = true;
      const error = queue.error;
      return error ? Promise.reject(error) : Promise.resolve(DONE);
    }
    this.waiting = new Promise<IteratorResult<R>>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.waiters.add(this);
    return this.waiting;
  }

  return(): Promise<IteratorResult<R>> {
    const wasFinished = this.finished;
    this.finished = true;
    this.waiters.remove(this);
    this.settle(DONE);
    if (!wasFinished) this.onReturn?.();
    return Promise.resolve(DONE);
  }

  offer(item: T): void {
    const value = this.map ? this.map(item) : (item as unknown as R);
    if (value === SKIP) {
      // Still waiting: back on the list, unless map stopped the queue meanwhile.
      if (!this.waiting) return;
      if (this.queue.isClosed) this.end(this.queue.error);
      else this.waiters.add(this);
      return;
    }
    this.settle({ value, done: false });
  }

  end(error: Error | undefined): void {
    this.finished = true;
    if (error && this.reject) {
      const reject = this.reject;
      this.waiting = this.resolve = this.reject = undefined;
      reject(error);
    } else {
      this.settle(DONE);
    }
  }

  private settle(result: IteratorResult<R>): void {
    const resolve = this.resolve;
    this.waiting = this.resolve = this.reject = undefined;
    resolve?.(result);
  }
}

/**
 * A first-in first-out queue on a growable ring buffer: push, shift and
 * unshift in O(1) with no per-item allocation and no compaction pass (the
 * slots of taken items are reused, never left behind a moving head).
 *
 * The storage of {@link QueuedIterator} and of the deadline queues: the one
 * place with a rule for how queue memory grows and shrinks.
 */
export class Fifo<T> {
  private items: (T | undefined)[];
  /** Index of the first item. */
  private head = 0;
  private count = 0;
  /** `items.length - 1`; the length is a power of two. */
  private mask: number;

  constructor() {
    this.items = new Array<T | undefined>(MIN_CAPACITY);
    this.mask = MIN_CAPACITY - 1;
  }

  /** Items in the queue. */
  get size(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.count === this.items.length) this.grow();
    this.items[(this.head + this.count) & this.mask] = item;
    this.count++;
  }

  /** Puts an item back in front of the others. */
  unshift(item: T): void {
    if (this.count === this.items.length) this.grow();
    this.head = (this.head - 1) & this.mask;
    this.items[this.head] = item;
    this.count++;
  }

  /** The first item, without taking it; `undefined` when empty. */
  peek(): T | undefined {
    return this.count === 0 ? undefined : this.items[this.head];
  }

  /** Takes the first item; `undefined` when empty. */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    if (--this.count === 0) this.reset();
    return item;
  }

  /** Keeps only the items `keep` accepts, in order. Linear; for rare clean-ups. */
  retain(keep: (item: T) => boolean): void {
    const kept: T[] = [];
    for (let i = 0; i < this.count; i++) {
      const item = this.items[(this.head + i) & this.mask] as T;
      if (keep(item)) kept.push(item);
    }
    this.clear();
    for (const item of kept) this.push(item);
  }

  clear(): void {
    if (this.count > 0) this.items.fill(undefined);
    this.count = 0;
    this.reset();
  }

  /** Doubles the buffer, moving the items to its start in order. */
  private grow(): void {
    const old = this.items;
    const items = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.count; i++) items[i] = old[(this.head + i) & this.mask];
    this.items = items;
    this.head = 0;
    this.mask = items.length - 1;
  }

  /**
   * An empty queue (its slots all cleared) starts again at the front; one
   * that grew for a burst gives its large buffer back, so a burst does not
   * pin its memory.
   */
  private reset(): void {
    this.head = 0;
    if (this.items.length > MAX_IDLE_CAPACITY) {
      this.items = new Array<T | undefined>(MIN_CAPACITY);
      this.mask = MIN_CAPACITY - 1;
    }
  }
}

/** Slots of a new queue (a power of two). */
const MIN_CAPACITY = 16;
/** Largest buffer an empty queue keeps (a power of two): enough for the bursts of a busy link. */
const MAX_IDLE_CAPACITY = 4096;

// The fetches waiting for their answers, by return port. Every fetch adds
// one entry and removes it again, and a Map that churns like that
// reallocates its storage every few dozen calls (deleted entries keep their
// slots until it rehashes). Return ports come from a counter, so the ports
// waiting at one time are nearly consecutive: each entry takes the slot of
// a small ring that its port falls on, and only an entry whose slot is
// still held (by a fetch older than the last RING_SIZE ones) goes to a Map
// beside it.

/** Slots of the ring (a power of two): far more than the fetches usually in flight. */
const RING_SIZE = 256;
const MASK = RING_SIZE - 1;

/** What an entry carries: the return port it waits on. */
export interface PortEntry {
  readonly port: number;
}

export class WaitingFetches<T extends PortEntry> {
  /** Made by the first fetch: a client that never fetches keeps no ring. */
  private ring: (T | undefined)[] | undefined;
  private readonly overflow = new Map<number, T>();
  private count = 0;

  /** Entries waiting. */
  get size(): number {
    return this.count;
  }

  get(port: number): T | undefined {
    const entry = this.ring?.[port & MASK];
    if (entry !== undefined && entry.port === port) return entry;
    return this.overflow.size === 0 ? undefined : this.overflow.get(port);
  }

  has(port: number): boolean {
    return this.get(port) !== undefined;
  }

  /** Adds an entry whose port is not waiting already. */
  add(entry: T): void {
    const ring = (this.ring ??= new Array<T | undefined>(RING_SIZE).fill(undefined));
    const slot = entry.port & MASK;
    if (ring[slot] === undefined) ring[slot] = entry;
    else this.overflow.set(entry.port, entry);
    this.count++;
  }

  /** Removes an entry that was added (once). */
  delete(entry: T): void {
    const ring = this.ring!;
    const slot = entry.port & MASK;
    if (ring[slot] === entry) ring[slot] = undefined;
    else this.overflow.delete(entry.port);
    this.count--;
  }

  /** A snapshot of the entries (removing entries while going through it is safe). */
  values(): T[] {
    const out: T[] = [];
    if (this.count === 0) return out;
    for (const entry of this.ring!) if (entry !== undefined) out.push(entry);
    for (const entry of this.overflow.values()) out.push(entry);
    return out;
  }
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Resolves after pending I/O callbacks and microtasks ran (not a timed sleep). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Resolves with the next emission of an emitter event. */
export function nextEvent<A extends unknown[]>(on: (listener: (...args: A) => void) => () => void): Promise<A> {
  return new Promise((resolve) => {
    const off = on((...args) => {
      off();
      resolve(args);
    });
  });
}

/** Re-checks `check` after every turn of the event loop until it holds; fails after `timeout` ms. */
export async function eventually(check: () => boolean, timeout = 5000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await settle();
  }
}

/** A deterministic PRNG (mulberry32), so "random" tests replay exactly. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

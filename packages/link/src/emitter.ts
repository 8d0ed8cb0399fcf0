/**
 * An event map: each event name of `E` maps to the argument tuple of its
 * listeners. Written as a mapped type over `E`'s own keys (not an index
 * signature), so an emitter accepts exactly the events its map names:
 * `on('eror', …)` does not compile.
 */
export type EventMap<E> = { [K in keyof E]: unknown[] };

/**
 * A minimal typed event emitter that runs the same in Node and browsers.
 * `on` returns the function that removes the listener. A throwing listener
 * does not stop the others; its error is rethrown asynchronously so it is
 * seen without breaking the emitter's caller.
 */
export class Emitter<E extends EventMap<E>> {
  private readonly listeners = new Map<keyof E, Array<(...args: never[]) => void>>();

  on<K extends keyof E>(event: K, listener: (...args: E[K]) => void): () => void {
    const list = this.listeners.get(event);
    // Copy on write: emitting iterates a snapshot even if listeners change meanwhile.
    this.listeners.set(event, list ? [...list, listener as never] : [listener as never]);
    return () => this.off(event, listener);
  }

  once<K extends keyof E>(event: K, listener: (...args: E[K]) => void): () => void {
    const off = this.on(event, ((...args: E[K]) => {
      off();
      listener(...args);
    }) as (...args: E[K]) => void);
    return off;
  }

  off<K extends keyof E>(event: K, listener: (...args: E[K]) => void): void {
    const list = this.listeners.get(event);
    if (!list) return;
    const next = list.filter((l) => l !== (listener as never));
    if (next.length === 0) this.listeners.delete(event);
    else this.listeners.set(event, next);
  }

  /** Number of listeners of an event. */
  listenerCount(event: keyof E): number {
    return this.listeners.get(event)?.length ?? 0;
  }

  emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const list = this.listeners.get(event);
    if (!list) return;
    for (const listener of list) {
      try {
        (listener as unknown as (...a: E[K]) => void)(...args);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  removeAllListeners(): void {
    this.listeners.clear();
  }
}

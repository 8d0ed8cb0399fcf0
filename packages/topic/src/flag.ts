import { type WaitOptions } from '@streamtasks/link';
import { boundedWait } from '@streamtasks/link/internal';

/**
 * A boolean that can be awaited: `wait(true)` resolves as soon as the value
 * is (or becomes) true. Waits end with `fail(error)`.
 */
export class AwaitableFlag {
  private current: boolean;
  private waiters = new Set<{ value: boolean; resolve: () => void; reject: (e: unknown) => void }>();

  constructor(initial = false) {
    this.current = initial;
  }

  get value(): boolean {
    return this.current;
  }

  set(value: boolean): void {
    if (value === this.current) return;
    this.current = value;
    for (const w of [...this.waiters]) if (w.value === value) w.resolve();
  }

  wait(value: boolean, what: string, options?: WaitOptions): Promise<void> {
    if (this.current === value) return Promise.resolve();
    return boundedWait<void>(what, options, (resolve, reject) => {
      const waiter = { value, resolve: () => resolve(), reject };
      this.waiters.add(waiter);
      return () => this.waiters.delete(waiter);
    });
  }

  /** Ends every wait with `error`. */
  fail(error: Error): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w.reject(error);
  }
}

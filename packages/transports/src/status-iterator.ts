// Browser-safe: turns a stream of status events into an async iterable.
import { QueuedIterator } from '@streamtasks/link/internal';

/**
 * The statuses that `subscribe` delivers from now on, as an async iterable
 * that ends after the status `isLast` accepts, when `signal` aborts, or when
 * the loop is left (which unsubscribes). `ended` starts it ended (the source
 * is already done). Statuses are rare and the source ends, so the queue of
 * unread ones is not bounded.
 */
export function iterateStatuses<S extends object>(
  subscribe: (push: (status: S) => void) => () => void,
  isLast: (status: S) => boolean,
  options: { ended?: boolean; signal?: AbortSignal } = {},
): AsyncIterableIterator<S, undefined> {
  const { signal } = options;
  let off = (): void => {};
  const release = (): void => {
    off();
    signal?.removeEventListener('abort', onAbort);
  };
  // An abort ends the loop at once: unread statuses are dropped.
  const onAbort = (): void => {
    queue.stop();
    release();
  };
  const queue = new QueuedIterator<S>({ onReturn: release });
  if (options.ended === true || signal?.aborted === true) {
    queue.stop();
  } else {
    off = subscribe((status) => {
      queue.push(status);
      if (!isLast(status)) return;
      // The last status is still handed out; then the loop ends.
      queue.stop(undefined, { drain: true });
      release();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  }
  const iteration = queue[Symbol.asyncIterator]();
  return {
    next: () => iteration.next() as Promise<IteratorResult<S, undefined>>,
    return: () => iteration.return!() as Promise<IteratorReturnResult<undefined>>,
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

// Browser-safe: turns a stream of status events into an async iterable.

/**
 * The statuses that `subscribe` delivers from now on, as an async iterable
 * that ends after the status `isLast` accepts, when `signal` aborts, or when
 * the loop is left (which unsubscribes). `ended` starts it ended (the source
 * is already done). Statuses are rare and the source ends, so the queue of
 * unread ones is not bounded.
 */
export function iterateStatuses<S>(
  subscribe: (push: (status: S) => void) => () => void,
  isLast: (status: S) => boolean,
  options: { ended?: boolean; signal?: AbortSignal } = {},
): AsyncIterableIterator<S, undefined> {
  const { signal } = options;
  const queue: S[] = [];
  let ended = options.ended === true || signal?.aborted === true;
  let wake: (() => void) | undefined;
  const off = ended
    ? () => {}
    : subscribe((status) => {
        if (ended) return;
        queue.push(status);
        if (isLast(status)) ended = true;
        wake?.();
      });
  const onAbort = () => {
    ended = true;
    queue.length = 0;
    wake?.();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const finish = (): IteratorReturnResult<undefined> => {
    ended = true;
    queue.length = 0;
    off();
    signal?.removeEventListener('abort', onAbort);
    wake?.();
    return { value: undefined, done: true };
  };
  if (ended) finish();
  return {
    async next(): Promise<IteratorResult<S, undefined>> {
      while (queue.length === 0 && !ended) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      if (queue.length === 0) return finish();
      return { value: queue.shift()!, done: false };
    },
    async return(): Promise<IteratorReturnResult<undefined>> {
      return finish();
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

import { AbortError, TimeoutError } from './errors.js';

/** Options every waiting call accepts. */
export interface WaitOptions {
  /** Milliseconds to wait at most. */
  timeout?: number;
  /** Cancels the wait; it then rejects with an {@link AbortError}. */
  signal?: AbortSignal;
}

/**
 * Runs a wait bounded by `options.timeout` and `options.signal`.
 *
 * `start` registers whatever completes the wait and returns its cleanup; the
 * cleanup runs exactly once however the wait ends (settled, timed out,
 * aborted), so no listener or timer is left behind. `what` names what is
 * waited for in the errors. A signal that is already aborted rejects at once
 * without calling `start`.
 */
export function boundedWait<T>(
  what: string,
  options: WaitOptions | undefined,
  start: (resolve: (value: T) => void, reject: (error: unknown) => void) => (() => void) | void,
  defaultTimeout?: number,
): Promise<T> {
  const signal = options?.signal;
  const timeout = options?.timeout ?? defaultTimeout;
  if (signal?.aborted) return Promise.reject(new AbortError(what, { cause: signal.reason }));
  return new Promise<T>((resolve, reject) => {
    let done = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let cleanup: (() => void) | void = undefined;
    const finish = () => {
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (cleanup) cleanup();
    };
    const onAbort = () => {
      if (done) return;
      finish();
      reject(new AbortError(what, { cause: signal!.reason }));
    };
    const ok = (value: T) => {
      if (done) return;
      finish();
      resolve(value);
    };
    const fail = (error: unknown) => {
      if (done) return;
      finish();
      reject(error);
    };
    cleanup = start(ok, fail);
    if (done) {
      if (cleanup) cleanup();
      return;
    }
    if (timeout !== undefined && Number.isFinite(timeout)) {
      timer = setTimeout(() => {
        if (done) return;
        finish();
        reject(new TimeoutError(what, timeout));
      }, timeout);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

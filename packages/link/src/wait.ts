import { addDeadline, cancelDeadline, type Deadline } from './deadlines.js';
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
 * aborted), so no listener is left behind and no timer keeps the process
 * alive. `what` names what is waited for in the errors (a function is called
 * only when an error needs the name). A signal that is already aborted
 * rejects at once without calling `start`.
 */
export function boundedWait<T>(
  what: string | (() => string),
  options: WaitOptions | undefined,
  start: (resolve: (value: T) => void, reject: (error: unknown) => void) => (() => void) | void,
  defaultTimeout?: number,
): Promise<T> {
  const signal = options?.signal;
  const timeout = options?.timeout ?? defaultTimeout;
  // `what` may be given as a function: it is then built only for an error.
  const describe = typeof what === 'string' ? () => what : what;
  if (signal?.aborted) return Promise.reject(new AbortError(describe(), { cause: signal.reason }));
  return new Promise<T>((resolve, reject) => {
    let done = false;
    let deadline: Deadline | undefined;
    let cleanup: (() => void) | void = undefined;
    const finish = () => {
      done = true;
      if (deadline !== undefined) cancelDeadline(deadline);
      signal?.removeEventListener('abort', onAbort);
      if (cleanup) cleanup();
    };
    const onAbort = () => {
      if (done) return;
      finish();
      reject(new AbortError(describe(), { cause: signal!.reason }));
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
      // One shared timer serves every wait (see deadlines.ts): a wait that
      // settles at once costs no timer of its own.
      deadline = addDeadline(timeout, () => {
        if (done) return;
        finish();
        reject(new TimeoutError(describe(), timeout));
      });
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

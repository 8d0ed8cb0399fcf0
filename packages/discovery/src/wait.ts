import { AbortError, TimeoutError, type WaitOptions } from '@streamtasks/link';
import { DEFAULT_FETCH_TIMEOUT } from '@streamtasks/client';

/**
 * Default bound of every discovery wait that is not a single fetch (address
 * requests by signal, waiting for a name or for the lighthouse): 10 s, the
 * client's default fetch timeout. Pass `timeout: Infinity` to wait without
 * a time limit (an AbortSignal still ends the wait).
 */
export const DEFAULT_WAIT_TIMEOUT = DEFAULT_FETCH_TIMEOUT;

/** A deadline shared by the steps of one wait. */
export class Deadline {
  readonly timeout: number;
  private readonly end: number;

  constructor(options: WaitOptions | undefined) {
    this.timeout = options?.timeout ?? DEFAULT_WAIT_TIMEOUT;
    this.end = Date.now() + this.timeout;
  }

  /** Milliseconds left (Infinity without a limit). */
  remaining(): number {
    return Number.isFinite(this.end) ? Math.max(0, this.end - Date.now()) : Infinity;
  }
}

/**
 * Re-labels a timeout or abort of one step of a wait with what the whole
 * wait was for (the step's error stays as `cause`); other errors pass.
 */
export function relabel(error: unknown, what: string, timeout: number): unknown {
  if (error instanceof TimeoutError) return new TimeoutError(what, timeout, { cause: error });
  if (error instanceof AbortError) return new AbortError(what, { cause: error });
  return error;
}

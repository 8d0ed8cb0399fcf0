import { AbortError, TimeoutError, type WaitOptions } from '@streamtasks/link';
import { DEFAULT_FETCH_TIMEOUT, NoDiscoveryError, type Client } from '@streamtasks/client';
import { discoveryAnnounced } from '@streamtasks/client/internal';

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

/** Longest delay a timer takes; a longer one would fire at once. */
const MAX_TIMER_DELAY = 2 ** 31 - 1;

/**
 * Rejects with {@link NoDiscoveryError} once the client's route grace period
 * is over, if its link has heard of no discovery by then; the same verdict
 * a fetch to address 0 reaches. Returns the function that cancels it.
 */
export function failWithoutDiscovery(client: Client, reject: (error: Error) => void): () => void {
  const grace = client.routeGrace;
  if (!(grace <= MAX_TIMER_DELAY)) return () => undefined; // an endless grace: only the wait's own bound ends it
  const timer = setTimeout(() => {
    if (!discoveryAnnounced(client)) reject(new NoDiscoveryError(grace));
  }, grace);
  return () => clearTimeout(timer);
}

// One fetch waiting for its answer on its return port. One object holds
// what settles it (the answer, its timeout, its signal, the client's stop)
// instead of a closure for each way it can end: a fetch is the hot path of
// request/reply, and every closure per call is allocated and collected.
import { AbortError, TimeoutError } from '@streamtasks/link';
import { addDeadline, cancelDeadline, type Deadline } from '@streamtasks/link/internal';
import type { FetchResponsePayload } from './protocol.js';

export class PendingFetch {
  private done = false;
  private deadline: Deadline | undefined;
  private signal: AbortSignal | undefined;
  private onAbort: (() => void) | undefined;

  /**
   * @param port the return port the answer arrives on
   * @param resolve settles the fetch's wait with the answer
   * @param reject settles it with an error
   * @param ended called once when the wait ends, however it ends (gives the port back)
   * @param what names what is waited for in a timeout or abort error; called only then
   */
  constructor(
    readonly port: number,
    private readonly resolve: (answer: FetchResponsePayload) => void,
    private readonly reject: (error: unknown) => void,
    private readonly ended: (pending: PendingFetch) => void,
    private readonly what: () => string,
  ) {}

  /** Bounds the wait by `timeout` milliseconds and `signal`, once the request is sent; a no-op once it ended. */
  bound(timeout: number | undefined, signal: AbortSignal | undefined): void {
    if (this.done) return;
    if (timeout !== undefined && Number.isFinite(timeout)) {
      // The shared deadlines (one timer for all waits): an answer within microseconds costs no timer of its own.
      this.deadline = addDeadline(timeout, () => this.fail(new TimeoutError(this.what(), timeout)));
    }
    if (signal !== undefined) {
      const onAbort = (): void => this.fail(new AbortError(this.what(), { cause: signal.reason }));
      this.signal = signal;
      this.onAbort = onAbort;
      signal.addEventListener('abort', onAbort, { once: true });
    }
  }

  answer(answer: FetchResponsePayload): void {
    if (this.done) return;
    this.finish();
    this.resolve(answer);
  }

  fail(error: unknown): void {
    if (this.done) return;
    this.finish();
    this.reject(error);
  }

  private finish(): void {
    this.done = true;
    if (this.deadline !== undefined) cancelDeadline(this.deadline);
    if (this.onAbort !== undefined) this.signal!.removeEventListener('abort', this.onAbort);
    this.ended(this);
  }
}

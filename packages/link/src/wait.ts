import { addDeadline, cancelDeadline, type Deadline, type DeadlineTarget } from './deadlines.js';
import { AbortError, TimeoutError } from './errors.js';

/** Options every waiting call accepts. */
export interface WaitOptions {
  /** Milliseconds to wait at most. */
  timeout?: number;
  /** Cancels the wait; it then rejects with an {@link AbortError}. */
  signal?: AbortSignal;
}

// The resolving functions of the promise being made, handed over by an
// executor that is one function for all waits instead of a closure per wait.
let resolving: ((value: unknown) => void) | undefined;
let rejecting: ((error: unknown) => void) | undefined;
function capture(resolve: (value: unknown) => void, reject: (error: unknown) => void): void {
  resolving = resolve;
  rejecting = reject;
}

/**
 * One wait bounded by a timeout and an abort signal, as one object: its
 * promise, the deadline and the abort listener (the object itself, by
 * `handleEvent`) and its end, with no closure per wait. Subclasses settle it
 * with {@link Wait.resolve} / {@link Wait.reject}, name what is waited for in
 * {@link Wait.describe} (called only for an error) and release what they
 * registered in {@link Wait.ended}, which runs exactly once, before the
 * promise settles, however the wait ends.
 */
export abstract class Wait<T> implements DeadlineTarget {
  readonly promise: Promise<T>;
  private resolveWith: (value: T) => void;
  private rejectWith: (error: unknown) => void;
  private done = false;
  private deadline: Deadline | undefined = undefined;
  private timeout = 0;
  private signal: AbortSignal | undefined = undefined;

  constructor() {
    this.promise = new Promise<T>(capture as (resolve: (value: T) => void, reject: (error: unknown) => void) => void);
    this.resolveWith = resolving!;
    this.rejectWith = rejecting!;
    resolving = rejecting = undefined;
  }

  /** What is waited for, for a timeout or abort error. */
  protected abstract describe(): string;

  /** The wait ended (settled, timed out, aborted); runs once, before the promise settles. */
  protected ended(): void {}

  /** Whether the wait has ended. */
  get isDone(): boolean {
    return this.done;
  }

  /**
   * Bounds the wait by `timeout` milliseconds (none when undefined or
   * infinite) and by `signal`; a no-op once the wait ended. A signal that is
   * aborted already ends it at once.
   */
  bound(timeout: number | undefined, signal: AbortSignal | undefined): void {
    if (this.done) return;
    if (signal?.aborted) {
      this.reject(new AbortError(this.describe(), { cause: signal.reason }));
      return;
    }
    if (timeout !== undefined && Number.isFinite(timeout)) {
      // One shared timer serves every wait (see deadlines.ts): a wait that
      // settles at once costs no timer of its own.
      this.timeout = timeout;
      this.deadline = addDeadline(timeout, this);
    }
    if (signal !== undefined) {
      this.signal = signal;
      signal.addEventListener('abort', this, { once: true });
    }
  }

  resolve(value: T): void {
    if (this.done) return;
    this.end();
    this.resolveWith(value);
  }

  reject(error: unknown): void {
    if (this.done) return;
    this.end();
    this.rejectWith(error);
  }

  /** The deadline passed (see {@link DeadlineTarget}). */
  onDeadline(): void {
    if (!this.done) this.reject(new TimeoutError(this.describe(), this.timeout));
  }

  /** The signal aborted (the wait is its own listener object). */
  handleEvent(): void {
    if (!this.done) this.reject(new AbortError(this.describe(), { cause: this.signal!.reason }));
  }

  private end(): void {
    this.done = true;
    if (this.deadline !== undefined) cancelDeadline(this.deadline);
    if (this.signal !== undefined) this.signal.removeEventListener('abort', this);
    this.ended();
  }
}

/** The wait of {@link boundedWait}: settled by the functions handed to its `start`, released by what `start` returned. */
class StartedWait<T> extends Wait<T> {
  cleanup: (() => void) | void = undefined;

  constructor(private readonly what: string | (() => string)) {
    super();
  }

  protected describe(): string {
    return typeof this.what === 'string' ? this.what : this.what();
  }

  protected override ended(): void {
    if (this.cleanup) this.cleanup();
  }
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
  const wait = new StartedWait<T>(what);
  if (signal?.aborted) {
    // Ended before `start` runs: bound() rejects it at once with the AbortError.
    wait.bound(timeout, signal);
    return wait.promise;
  }
  let cleanup: (() => void) | void;
  try {
    cleanup = start(
      (value) => wait.resolve(value),
      (error) => wait.reject(error),
    );
  } catch (err) {
    // As from a promise's executor: what `start` throws rejects the wait.
    wait.reject(err);
    return wait.promise;
  }
  if (wait.isDone) {
    // Settled inside `start`, before its cleanup was known: released now.
    if (cleanup) cleanup();
  } else {
    wait.cleanup = cleanup;
    wait.bound(timeout, signal);
  }
  return wait.promise;
}

// Browser-safe: keeps a connection up, given a way to open it.
import { AbortError, ConnectionClosedError, Emitter, type Link, type Switch, type WaitOptions } from '@streamtasks/link';
import { boundedWait } from '@streamtasks/link/internal';
import { iterateStatuses } from './status-iterator.js';

/** What a {@link Reconnector} is doing. */
export type ReconnectorState = 'connecting' | 'connected' | 'disconnected' | 'retrying' | 'stopped';

/** One change of a {@link Reconnector}'s state, as emitted in `status` events. */
export type ReconnectorStatus =
  | { readonly state: 'connecting'; readonly attempt: number }
  | { readonly state: 'connected'; readonly link: Link }
  /** The link closed; `reason` is the failure that closed it, if any. */
  | { readonly state: 'disconnected'; readonly reason: Error | undefined }
  /** The next attempt starts after `delay` ms; `error` is why the last attempt failed, if it did. */
  | { readonly state: 'retrying'; readonly attempt: number; readonly delay: number; readonly error: Error | undefined }
  /** Stopped by `stop()` (no `error`), or because it gave up (see `maxAttempts`, `maxDowntime`). */
  | { readonly state: 'stopped'; readonly error?: ConnectionClosedError };

export interface ReconnectorEvents {
  status: [status: ReconnectorStatus];
}

export interface ReconnectorOptions {
  /** Each new link is added to this switch, which re-announces its topics and addresses over it. */
  switch?: Switch;
  /** Called with each new link (with or instead of `switch`). */
  onLink?: (link: Link) => void;
  /** Milliseconds before the first retry. Default 1000. */
  delay?: number;
  /** Upper bound of the delay. Default 30 000. */
  maxDelay?: number;
  /** Factor applied to the delay after each failed attempt. Default 2. */
  backoff?: number;
  /**
   * Failed attempts in a row after which it gives up and stops, with a
   * `ConnectionClosedError` in the `stopped` status. Default: no bound.
   */
  maxAttempts?: number;
  /**
   * Milliseconds without a connection (since the link dropped, or since the
   * start) after which it gives up instead of waiting for the next attempt.
   * Default: no bound.
   */
  maxDowntime?: number;
  /** Stops the reconnector when aborted, like {@link Reconnector.stop}. */
  signal?: AbortSignal;
}

/**
 * Keeps one connection up: connects, attaches the link, and when it drops
 * (or an attempt fails) waits and connects again — until stopped, or until
 * `maxAttempts` failed attempts in a row or `maxDowntime` ms without a
 * connection make it give up. The wait starts at `delay`, is multiplied by
 * `backoff` after each failed attempt up to `maxDelay`, and starts over after
 * a successful connection.
 *
 * What was registered through the switch is not lost on a drop: the switch
 * withdraws the dead link's routes and announces everything it knows over
 * the new link, so subscriptions and provided topics come back by themselves.
 * Messages sent while disconnected are not kept.
 */
export class Reconnector {
  readonly events = new Emitter<ReconnectorEvents>();
  private readonly connect: (signal: AbortSignal) => Promise<Link>;
  private readonly options: ReconnectorOptions;
  private readonly stopper = new AbortController();
  private readonly done: Promise<void>;
  private _state: ReconnectorState = 'connecting';
  private _link: Link | undefined;
  private offExternalAbort: (() => void) | undefined;

  constructor(connect: (signal: AbortSignal) => Promise<Link>, options: ReconnectorOptions = {}) {
    this.connect = connect;
    this.options = options;
    const external = options.signal;
    if (external) {
      const onAbort = () => void this.stop();
      if (external.aborted) this.stopper.abort();
      else {
        external.addEventListener('abort', onAbort, { once: true });
        this.offExternalAbort = () => external.removeEventListener('abort', onAbort);
      }
    }
    // Started on a microtask, so listeners added right after construction see the first status.
    this.done = Promise.resolve().then(() => this.run());
  }

  get state(): ReconnectorState {
    return this._state;
  }

  /** The current link, while connected. */
  get link(): Link | undefined {
    return this._link;
  }

  /** Resolves with the link once connected (at once if connected now). */
  waitConnected(options?: WaitOptions): Promise<Link> {
    if (this._link && !this._link.isClosed) return Promise.resolve(this._link);
    if (this._state === 'stopped') return Promise.reject(new AbortError('the reconnector to connect (it is stopped)'));
    return boundedWait<Link>('the reconnector to connect', options, (resolve, reject) =>
      this.events.on('status', (status) => {
        if (status.state === 'connected') resolve(status.link);
        else if (status.state === 'stopped') reject(status.error ?? new AbortError('the reconnector to connect'));
      }),
    );
  }

  /**
   * The status changes from now on, as an async iterable. It ends after the
   * `stopped` status, when `signal` aborts, or when the loop is left.
   *
   * @example
   * ```ts
   * for await (const status of reconnector.statuses()) console.log(status.state);
   * ```
   */
  statuses(options: { signal?: AbortSignal } = {}): AsyncIterableIterator<ReconnectorStatus, undefined> {
    return iterateStatuses<ReconnectorStatus>(
      (push) => this.events.on('status', push),
      (status) => status.state === 'stopped',
      { ended: this._state === 'stopped', signal: options.signal },
    );
  }

  /** Stops reconnecting and closes the current link. Resolves when no timer or socket is left. Safe to call twice. */
  stop(): Promise<void> {
    this.stopper.abort();
    return this.done;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  private setStatus(status: ReconnectorStatus): void {
    this._state = status.state;
    this.events.emit('status', status);
  }

  private async run(): Promise<void> {
    const signal = this.stopper.signal;
    const base = this.options.delay ?? 1000;
    const maxDelay = this.options.maxDelay ?? 30_000;
    const backoff = this.options.backoff ?? 2;
    const maxAttempts = this.options.maxAttempts ?? Infinity;
    const maxDowntime = this.options.maxDowntime ?? Infinity;
    let failures = 0;
    let downSince = Date.now();
    let gaveUp: ConnectionClosedError | undefined;
    try {
      while (!signal.aborted) {
        this.setStatus({ state: 'connecting', attempt: failures + 1 });
        let link: Link;
        try {
          link = await this.connect(signal);
        } catch (err) {
          if (signal.aborted) break;
          failures++;
          const error = err instanceof Error ? err : new Error(String(err));
          const delay = Math.min(maxDelay, base * backoff ** (failures - 1));
          const down = Date.now() - downSince;
          if (failures >= maxAttempts || down + delay > maxDowntime) {
            gaveUp = new ConnectionClosedError(
              `gave up connecting after ${failures} failed attempt(s) in ${down} ms: ${error.message}`,
              { cause: error },
            );
            break;
          }
          this.setStatus({ state: 'retrying', attempt: failures + 1, delay, error });
          await sleep(delay, signal);
          continue;
        }
        if (signal.aborted) {
          link.close();
          break;
        }
        failures = 0;
        const reason = await this.hold(link, signal);
        if (signal.aborted) break;
        downSince = Date.now();
        this.setStatus({ state: 'disconnected', reason });
        this.setStatus({ state: 'retrying', attempt: 1, delay: base, error: undefined });
        await sleep(base, signal);
      }
    } finally {
      this.offExternalAbort?.();
      this._link = undefined;
      this.setStatus(gaveUp ? { state: 'stopped', error: gaveUp } : { state: 'stopped' });
      this.events.removeAllListeners();
    }
  }

  /** Attaches a link and waits until it closes (or the reconnector stops, which closes it). */
  private async hold(link: Link, signal: AbortSignal): Promise<Error | undefined> {
    this._link = link;
    const onStop = () => {
      if (this.options.switch) this.options.switch.removeLink(link);
      else link.close();
    };
    signal.addEventListener('abort', onStop, { once: true });
    try {
      this.options.switch?.addLink(link);
      try {
        this.options.onLink?.(link);
      } catch (err) {
        link.close(err instanceof Error ? err : new Error(String(err)));
      }
      this.setStatus({ state: 'connected', link });
      return await link.closed;
    } finally {
      signal.removeEventListener('abort', onStop);
      this._link = undefined;
    }
  }
}

/** Waits `ms`, or less when `signal` aborts; never rejects and leaves no timer behind. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

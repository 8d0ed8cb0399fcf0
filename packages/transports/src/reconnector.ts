// Browser-safe: keeps a connection up, given a way to open it.
import { AbortError, Emitter, type Link, type Switch, type WaitOptions } from '@streamtasks/link';
import { boundedWait } from '@streamtasks/link/internal';

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
  | { readonly state: 'stopped' };

export interface ReconnectorEvents {
  [event: string]: unknown[];
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
  /** Stops the reconnector when aborted, like {@link Reconnector.stop}. */
  signal?: AbortSignal;
}

/**
 * Keeps one connection up: connects, attaches the link, and when it drops
 * (or an attempt fails) waits and connects again — forever, until stopped.
 * The wait starts at `delay`, is multiplied by `backoff` after each failed
 * attempt up to `maxDelay`, and starts over after a successful connection.
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
        else if (status.state === 'stopped') reject(new AbortError('the reconnector to connect'));
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
    const { signal } = options;
    const queue: ReconnectorStatus[] = [];
    let ended = this._state === 'stopped' || signal?.aborted === true;
    let wake: (() => void) | undefined;
    const off = this.events.on('status', (status) => {
      queue.push(status);
      if (status.state === 'stopped') ended = true;
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
      off();
      signal?.removeEventListener('abort', onAbort);
      wake?.();
      return { value: undefined, done: true };
    };
    return {
      async next(): Promise<IteratorResult<ReconnectorStatus, undefined>> {
        while (queue.length === 0 && !ended) await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        const status = queue.shift();
        return status ? { value: status, done: false } : finish();
      },
      async return(): Promise<IteratorReturnResult<undefined>> {
        return finish();
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
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
    let failures = 0;
    try {
      while (!signal.aborted) {
        this.setStatus({ state: 'connecting', attempt: failures + 1 });
        let link: Link;
        try {
          link = await this.connect(signal);
        } catch (err) {
          if (signal.aborted) break;
          failures++;
          const delay = Math.min(maxDelay, base * backoff ** (failures - 1));
          this.setStatus({ state: 'retrying', attempt: failures + 1, delay, error: err instanceof Error ? err : new Error(String(err)) });
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
        this.setStatus({ state: 'disconnected', reason });
        this.setStatus({ state: 'retrying', attempt: 1, delay: base, error: undefined });
        await sleep(base, signal);
      }
    } finally {
      this.offExternalAbort?.();
      this._link = undefined;
      this.setStatus({ state: 'stopped' });
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

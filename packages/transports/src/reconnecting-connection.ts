// Browser-safe: one link that outlives its connections, for a client that reconnects.
import { AbortError, Emitter, Switch, addLocalLink, type Link, type WaitOptions } from '@streamtasks/link';
import { boundedWait } from '@streamtasks/link/internal';
import { Reconnector, type ReconnectorStatus } from './reconnector.js';
import { iterateStatuses } from './status-iterator.js';

/**
 * One change of a {@link ReconnectingConnection}, named as nats.js names
 * them: `disconnect`, `reconnecting` (before each attempt), `reconnect`
 * (after the restore hooks ran) and, last, `close`.
 */
export type ConnectionStatus =
  /** The connection dropped; `error` is why, if known. */
  | { readonly type: 'disconnect'; readonly error: Error | undefined }
  /** Attempt `attempt` starts after `delay` ms; `error` is why the previous attempt failed, if one did. */
  | { readonly type: 'reconnecting'; readonly attempt: number; readonly delay: number; readonly error: Error | undefined }
  /** Connected again, and every restore hook has finished. */
  | { readonly type: 'reconnect' }
  /** Closed for good: by `close()` (`error` undefined), or because it gave up reconnecting. */
  | { readonly type: 'close'; readonly error: Error | undefined };

export interface ReconnectingConnectionEvents {
  status: [status: ConnectionStatus];
  /** A restore hook failed; the connection stays up. */
  error: [error: Error];
}

/** Backoff and bounds of a {@link ReconnectingConnection}. */
export interface ReconnectingOptions {
  /** Milliseconds before the first attempt after a drop. Default 250. */
  delay?: number;
  /** Upper bound of the delay. Default 5000. */
  maxDelay?: number;
  /** Factor applied to the delay after each failed attempt. Default 2. */
  backoff?: number;
  /** Failed attempts in a row after which it gives up and closes. Default: no bound. */
  maxAttempts?: number;
  /** Milliseconds without a connection after which it gives up and closes. Default 60 000. */
  maxDowntime?: number;
  /** How errors name the connection: its URL. Default "the connection". */
  name?: string;
}

/** Restores what the network forgot about this side; runs after each reconnect, before the `reconnect` status. */
export type RestoreHook = (signal: AbortSignal) => Promise<void>;

/**
 * A connection that comes back: {@link ReconnectingConnection.link} is one
 * link that stays open across reconnects, for a client (or a switch) to
 * use as if the connection never dropped.
 *
 * The link is the local end of a private `Switch`, and a {@link Reconnector}
 * attaches each new connection to that switch. The switch keeps what was
 * announced over the link — the client's address, provided and requested
 * topics — and announces it over every new connection, so routes to the
 * address (fetch and signal servers on it) and subscriptions come back by
 * themselves. What the network itself must be told again (address names)
 * is left to {@link ReconnectingConnection.onRestore} hooks.
 *
 * While disconnected, the link stays open; messages sent into it reach no
 * one. It closes only with the connection: after `close()`, or when the
 * reconnect gives up (`maxAttempts`, `maxDowntime`), with the reason.
 */
export class ReconnectingConnection {
  readonly events = new Emitter<ReconnectingConnectionEvents>();
  /** The link for the client; open until the connection is closed for good. */
  readonly link: Link;
  /** How errors name the connection (its URL, when opened by `connectReconnecting`). */
  readonly name: string;
  private readonly hub = new Switch();
  private readonly reconnector: Reconnector;
  private readonly hooks = new Set<RestoreHook>();
  private readonly done: Promise<void>;
  /** Aborted when the current connection drops: ends the restore hooks of that connection. */
  private current: AbortController | undefined;
  private connections = 0;
  private restoring = false;
  private _closed = false;

  /**
   * @param open opens one connection (`connect(url, { signal })`, or `connectWebSocket` in browsers).
   */
  constructor(open: (signal: AbortSignal) => Promise<Link>, options: ReconnectingOptions = {}) {
    this.link = addLocalLink(this.hub);
    this.name = options.name ?? 'the connection';
    this.reconnector = new Reconnector(open, {
      switch: this.hub,
      delay: options.delay ?? 250,
      maxDelay: options.maxDelay ?? 5000,
      backoff: options.backoff,
      maxAttempts: options.maxAttempts,
      maxDowntime: options.maxDowntime ?? 60_000,
    });
    let stopped!: () => void;
    this.done = new Promise<void>((resolve) => (stopped = resolve));
    this.reconnector.events.on('status', (status) => {
      this.onStatus(status);
      if (status.state === 'stopped') stopped();
    });
    // The client closed the link: nothing is left to keep up.
    this.link.events.on('close', () => void this.close());
  }

  /** Whether a connection is up now. */
  get isConnected(): boolean {
    return this.current !== undefined && !this._closed;
  }

  /** Whether the connection is closed for good. */
  get isClosed(): boolean {
    return this._closed;
  }

  /**
   * The status changes from now on, as an async iterable (nats.js
   * `status()`). It ends after `close`, when `signal` aborts, or when the
   * loop is left.
   *
   * @example
   * ```ts
   * for await (const s of connection.status()) console.log(s.type);
   * ```
   */
  status(options: { signal?: AbortSignal } = {}): AsyncIterableIterator<ConnectionStatus, undefined> {
    return iterateStatuses<ConnectionStatus>(
      (push) => this.events.on('status', push),
      (status) => status.type === 'close',
      { ended: this._closed, signal: options.signal },
    );
  }

  /**
   * Resolves once connected — after a reconnect, once the restore hooks ran
   * (at once if connected now); rejects once closed.
   */
  waitConnected(options?: WaitOptions): Promise<void> {
    if (this.isConnected && !this.restoring) return Promise.resolve();
    if (this._closed) return Promise.reject(new AbortError('the connection to come back (it is closed)'));
    return boundedWait<void>('the connection to come back', options, (resolve, reject) => {
      const offStatus = this.events.on('status', (status) => {
        if (status.type === 'reconnect') resolve();
        else if (status.type === 'close') reject(status.error ?? new AbortError('the connection to come back (it was closed)'));
      });
      // The first connection has no `reconnect` status.
      const offFirst = this.reconnector.events.on('status', (status) => {
        if (status.state === 'connected' && this.connections === 1) resolve();
      });
      return () => {
        offStatus();
        offFirst();
      };
    });
  }

  /**
   * Adds a hook that runs after every reconnect, before the `reconnect`
   * status; its signal aborts if the connection drops meanwhile. Returns the
   * function that removes it.
   */
  onRestore(hook: RestoreHook): () => void {
    this.hooks.add(hook);
    return () => this.hooks.delete(hook);
  }

  /** Stops reconnecting and closes the link. Resolves when no socket or timer is left. Safe to call twice. */
  close(): Promise<void> {
    void this.reconnector.stop();
    return this.done;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private onStatus(status: ReconnectorStatus): void {
    switch (status.state) {
      case 'connected': {
        const current = new AbortController();
        this.current = current;
        if (this.connections++ > 0) void this.restore(current.signal);
        break;
      }
      case 'disconnected':
        this.restoring = false;
        this.current?.abort();
        this.current = undefined;
        this.emit({ type: 'disconnect', error: status.reason });
        break;
      case 'retrying':
        this.emit({ type: 'reconnecting', attempt: status.attempt, delay: status.delay, error: status.error });
        break;
      case 'stopped':
        this.current?.abort();
        this.current = undefined;
        this._closed = true;
        this.link.close(status.error);
        this.hub.close();
        this.emit({ type: 'close', error: status.error });
        this.events.removeAllListeners();
        break;
      case 'connecting':
        break;
    }
  }

  private async restore(signal: AbortSignal): Promise<void> {
    this.restoring = true;
    await Promise.all([...this.hooks].map(async (hook) => {
      try {
        await hook(signal);
      } catch (err) {
        if (!signal.aborted) this.events.emit('error', err instanceof Error ? err : new Error(String(err)));
      }
    }));
    if (signal.aborted) return;
    this.restoring = false;
    this.emit({ type: 'reconnect' });
  }

  private emit(status: ConnectionStatus): void {
    this.events.emit('status', status);
  }
}

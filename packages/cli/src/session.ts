// What every connecting command shares: one deadline for the whole command,
// and a connection whose loss ends every wait at once.
import { ConnectionClosedError } from '@streamtasks/link';
import type { Client } from '@streamtasks/client';
import { openClient } from './remote-client.js';
import { formatReason } from './log.js';

/** How long a command may take to connect when no `--timeout` bounds it. */
export const DEFAULT_CONNECT_TIMEOUT = 10_000;

/** One deadline for a whole command: connect, handshake, address and the command's own waits. */
export class CommandDeadline {
  private readonly end: number | undefined;

  /** `timeout` in ms; undefined: no bound. */
  constructor(readonly timeout: number | undefined) {
    this.end = timeout === undefined ? undefined : Date.now() + timeout;
  }

  /** Milliseconds left (never negative), or `fallback` when the command has no bound. */
  remaining(fallback?: number): number | undefined {
    return this.end === undefined ? fallback : Math.max(0, this.end - Date.now());
  }
}

export interface SessionOptions {
  /** Ask discovery for an address (needed for fetch, names and signals by name). */
  address?: boolean;
  /** Bounds connecting (default {@link DEFAULT_CONNECT_TIMEOUT}). */
  deadline: CommandDeadline;
  signal: AbortSignal;
}

/** A connected client whose link loss is an error every guarded wait ends with. */
export class Session implements AsyncDisposable {
  private closing = false;
  private readonly lost: Promise<never>;

  constructor(readonly client: Client, readonly url: string) {
    this.lost = new Promise<never>((_resolve, reject) => {
      void client.closed.then(() => {
        if (!this.closing) reject(this.lostError(undefined));
      });
    });
    this.lost.catch(() => undefined); // rejected only while someone may be waiting; seen through guard()
  }

  /**
   * Settles as `wait` does, or rejects as soon as the link closes. Either
   * way a lost link is reported as one `ConnectionClosedError` that names
   * the URL and the cause.
   */
  async guard<T>(wait: Promise<T>): Promise<T> {
    try {
      return await Promise.race([wait, this.lost]);
    } catch (err) {
      if (err instanceof ConnectionClosedError && !this.closing && this.client.link.isClosed) throw this.lostError(err);
      throw err;
    }
  }

  private lostError(cause: unknown): ConnectionClosedError {
    const reason = this.client.link.closeReason;
    return new ConnectionClosedError(`the connection to ${this.url} closed${formatReason(reason)}`, { cause: cause ?? reason });
  }

  close(): void {
    this.closing = true;
    this.client.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}

/** Connects for a command, bounded by its deadline and its abort signal. */
export async function openSession(url: string, options: SessionOptions): Promise<Session> {
  const client = await openClient(url, {
    address: options.address,
    signal: options.signal,
    timeout: options.deadline.remaining(DEFAULT_CONNECT_TIMEOUT),
  });
  return new Session(client, url);
}

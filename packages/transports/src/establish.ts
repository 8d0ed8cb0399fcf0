// Browser-safe: the client side of a connection, once its transport is opening.
import type { FrameChannel } from './channel.js';
import { ConnectionLink, type ConnectionLinkOptions } from './connection-link.js';
import { DEFAULT_HANDSHAKE_TIMEOUT } from './constants.js';
import { clientHandshake } from './handshake.js';
import type { ConnectionUrl } from './url.js';

/** Options of every client connect function. */
export interface ClientOptions extends ConnectionLinkOptions {
  /** Milliseconds that connecting and the handshake may take together. Default 10 000. */
  timeout?: number;
  /** Cancels connecting; the promise then rejects with `AbortError`. */
  signal?: AbortSignal;
  /** Sent as `auth` in the handshake, instead of the URL's `auth` parameter. */
  auth?: string;
  /** Largest frame accepted from the server. Default 16 MiB. */
  maxFrameSize?: number;
}

/**
 * Runs the client handshake on a channel that is opening and returns the
 * link. On failure the channel is closed and the error rethrown.
 */
export async function establish(channel: FrameChannel, target: ConnectionUrl, options: ClientOptions): Promise<ConnectionLink> {
  const hello = new Map(target.handshakeData);
  if (options.auth !== undefined) hello.set('auth', options.auth);
  try {
    await clientHandshake(channel, hello, { timeout: options.timeout ?? DEFAULT_HANDSHAKE_TIMEOUT, signal: options.signal });
  } catch (err) {
    channel.close(err instanceof Error ? err : new Error(String(err)));
    throw err;
  }
  return new ConnectionLink(channel, {
    cost: options.cost ?? target.cost,
    highWaterMark: options.highWaterMark,
    maxBufferedBytes: options.maxBufferedBytes,
    maxQueuedMessages: options.maxQueuedMessages,
  });
}

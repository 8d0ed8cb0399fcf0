// Browser-safe: connects with the platform's WebSocket (or one passed in).
import { AbortError } from '@streamtasks/link';
import { checkConnectionLinkOptions, type ConnectionLink } from './connection-link.js';
import { DEFAULT_MAX_FRAME_SIZE } from './constants.js';
import { InvalidUrlError } from './errors.js';
import { establish, type ClientOptions } from './establish.js';
import { parseUrl, type ConnectionUrl } from './url.js';
import { WebSocketChannel, type WebSocketLike } from './websocket-channel.js';

/** A WebSocket constructor, such as a browser's `WebSocket`. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface WebSocketConnectOptions extends ClientOptions {
  /** The WebSocket class to use. Default: `globalThis.WebSocket`. */
  WebSocket?: WebSocketConstructor;
}

/**
 * Connects to a `ws://` or `wss://` server with a browser-style WebSocket
 * and performs the handshake. Runs in browsers (and in Node versions that
 * have a global `WebSocket`); in Node, `connect()` from this package uses the
 * `ws` package instead.
 */
export async function connectWebSocket(url: string | ConnectionUrl, options: WebSocketConnectOptions = {}): Promise<ConnectionLink> {
  const target = typeof url === 'string' ? parseUrl(url) : url;
  if (target.scheme !== 'ws' && target.scheme !== 'wss') throw new InvalidUrlError(target.href, 'expected a ws:// or wss:// URL');
  const Ctor = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!Ctor) throw new InvalidUrlError(target.href, 'no WebSocket implementation is available; pass options.WebSocket');
  checkConnectionLinkOptions(options);
  if (options.signal?.aborted) throw new AbortError(`a connection to ${target.display}`, { cause: options.signal.reason });
  const maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
  const channel = new WebSocketChannel(new Ctor(webSocketAddress(target)), { maxFrameSize, description: target.display });
  return establish(channel, target, options);
}

/** The address to open: the URL without user info (credentials travel in the handshake, not in HTTP headers). */
export function webSocketAddress(target: ConnectionUrl): string {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  const port = target.port === undefined ? '' : `:${target.port}`;
  const query = target.query ? `?${target.query}` : '';
  return `${target.scheme}://${host}${port}${target.path}${query}`;
}

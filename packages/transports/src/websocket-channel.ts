// Browser-safe: no Node imports here. Works with a browser's native WebSocket
// and with the `ws` package's WebSocket in Node.
import { ConnectionClosedError, DecodeError, SlowConsumerError } from '@streamtasks/link';
import { HandlerSlot, type FrameChannel, type FrameChannelHandler } from './channel.js';
import { DEFAULT_CLOSE_TIMEOUT, DEFAULT_MAX_FRAME_SIZE } from './constants.js';
import { FrameTooLargeError } from './errors.js';

/**
 * The part of the browser `WebSocket` interface used here. A browser's
 * `WebSocket` and the `ws` package's `WebSocket` both fit. (Handler
 * parameters are typed `never` so that either kind of event type is
 * accepted; the events are narrowed where they are read.)
 */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  onopen: ((event: never) => unknown) | null;
  onmessage: ((event: never) => unknown) | null;
  onclose: ((event: never) => unknown) | null;
  onerror: ((event: never) => unknown) | null;
  /** Browsers accept only views of a (non-shared) ArrayBuffer, hence the type argument. */
  send(data: Uint8Array<ArrayBuffer>): void;
  close(code?: number, reason?: string): void;
}

/** Extras of the `ws` package's WebSocket, used when present. */
interface NodeWebSocketExtras {
  terminate?: () => void;
  pause?: () => void;
  resume?: () => void;
}

const CONNECTING = 0;
const OPEN = 1;

/** Close codes we send (applications may use 4000–4999; browsers allow only those and 1000). */
export const CLOSE_CODES = {
  NORMAL: 1000,
  FAILURE: 4000,
  MALFORMED: 4001,
  TOO_LARGE: 4002,
  SLOW_CONSUMER: 4003,
} as const;

export interface WebSocketChannelOptions {
  /** Largest message accepted. Default 16 MiB. */
  maxFrameSize?: number;
  /** Milliseconds between checks of `bufferedAmount` while a drain is awaited (browsers have no drain event). Default 10. */
  drainPollInterval?: number;
  /** For messages; defaults to the socket's URL. */
  description?: string;
  /**
   * Milliseconds the peer gets to answer our close frame before the socket
   * is dropped (where it can be: the `ws` package's sockets). A peer that
   * never answers would otherwise hold the connection for the library's
   * 30 s. Default {@link DEFAULT_CLOSE_TIMEOUT}.
   */
  closeTimeout?: number;
}

/**
 * A {@link FrameChannel} over a WebSocket: one binary message per frame;
 * text messages are ignored. Frames sent before the socket is open are
 * queued and sent when it opens.
 */
export class WebSocketChannel implements FrameChannel {
  readonly description: string;
  readonly released: Promise<void>;
  maxFrameSize: number;
  private readonly ws: WebSocketLike & NodeWebSocketExtras;
  private readonly slot = new HandlerSlot();
  private readonly pollInterval: number;
  private beforeOpen: Uint8Array[] = [];
  private beforeOpenBytes = 0;
  private closed = false;
  private lastError: unknown;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;
  private closeTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly closeTimeout: number;
  private resolveReleased!: () => void;

  constructor(ws: WebSocketLike, options: WebSocketChannelOptions = {}) {
    this.ws = ws;
    this.maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
    this.pollInterval = options.drainPollInterval ?? 10;
    this.closeTimeout = options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT;
    this.description = options.description ?? `websocket ${(ws as { url?: string }).url ?? ''}`.trim();
    this.released = new Promise((resolve) => (this.resolveReleased = resolve));
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => this.onOpen();
    ws.onmessage = ((event: { data: unknown }) => this.onMessage(event.data)) as (event: never) => void;
    ws.onerror = ((event: { error?: unknown; message?: string }) => {
      this.lastError ??= event.error ?? event.message;
    }) as (event: never) => void;
    ws.onclose = ((event: { code: number; reason: string }) => this.onClose(event.code, event.reason)) as (
      event: never,
    ) => void;
    if (ws.readyState > OPEN) queueMicrotask(() => this.onClose(1006, 'already closed'));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get bufferedAmount(): number {
    return this.beforeOpenBytes + this.ws.bufferedAmount;
  }

  send(payload: Uint8Array): void {
    if (this.closed) return;
    if (this.ws.readyState === CONNECTING) {
      this.beforeOpen.push(payload);
      this.beforeOpenBytes += payload.length;
      return;
    }
    // Encoded messages are never backed by a SharedArrayBuffer.
    this.ws.send(payload as Uint8Array<ArrayBuffer>);
  }

  setHandler(handler: FrameChannelHandler | undefined): void {
    this.slot.set(handler);
  }

  requestDrain(): void {
    if (this.closed || this.pollTimer !== undefined) return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      if (!this.closed) this.slot.drain();
    }, this.pollInterval);
  }

  pause(): void {
    this.ws.pause?.();
  }

  resume(): void {
    if (!this.closed) this.ws.resume?.();
  }

  close(reason?: Error): void {
    if (this.closed) return;
    this.shutdown(reason);
    this.slot.clear();
  }

  private onOpen(): void {
    const queued = this.beforeOpen;
    this.beforeOpen = [];
    this.beforeOpenBytes = 0;
    if (this.closed) return;
    for (const payload of queued) this.ws.send(payload as Uint8Array<ArrayBuffer>);
  }

  private onMessage(data: unknown): void {
    if (this.closed) return;
    let payload: Uint8Array;
    if (data instanceof ArrayBuffer) payload = new Uint8Array(data);
    else if (ArrayBuffer.isView(data)) payload = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    else return; // text messages carry nothing for us
    if (payload.length > this.maxFrameSize) {
      this.fail(new FrameTooLargeError(payload.length, this.maxFrameSize));
      return;
    }
    this.slot.frame(payload);
  }

  private onClose(code: number, text: string): void {
    this.stopPolling();
    if (this.closeTimer !== undefined) clearTimeout(this.closeTimer);
    this.resolveReleased();
    if (this.closed) return;
    this.closed = true;
    this.beforeOpen = [];
    this.beforeOpenBytes = 0;
    let reason: Error | undefined;
    if (code !== CLOSE_CODES.NORMAL && code !== 1001 && code !== 1005) {
      const cause = this.lastError;
      const detail = cause instanceof Error ? cause.message : text || (typeof cause === 'string' ? cause : '');
      reason = new ConnectionClosedError(
        `${this.description} closed with code ${code}${detail ? `: ${detail}` : ''}`,
        cause === undefined ? undefined : { cause },
      );
    }
    this.slot.close(reason);
  }

  /** Ends the connection because of a failure found here, and reports it. */
  private fail(reason: Error): void {
    if (this.closed) return;
    this.shutdown(reason);
    this.slot.close(reason);
  }

  private shutdown(reason: Error | undefined): void {
    this.closed = true;
    this.stopPolling();
    this.beforeOpen = [];
    this.beforeOpenBytes = 0;
    if (reason instanceof SlowConsumerError && this.ws.terminate) {
      // The peer does not read: a closing handshake would wait behind everything buffered.
      this.ws.terminate();
      return;
    }
    try {
      this.ws.close(closeCode(reason), closeText(reason));
      const terminate = this.ws.terminate?.bind(this.ws);
      if (terminate) {
        this.closeTimer = setTimeout(terminate, this.closeTimeout);
        (this.closeTimer as { unref?: () => void }).unref?.();
      }
    } catch {
      // A socket that is still connecting may refuse to close with a code; it is going away either way.
      this.ws.terminate?.();
    }
  }

  private stopPolling(): void {
    if (this.pollTimer !== undefined) clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
  }
}

function closeCode(reason: Error | undefined): number {
  if (!reason) return CLOSE_CODES.NORMAL;
  if (reason instanceof DecodeError) return CLOSE_CODES.MALFORMED;
  if (reason instanceof FrameTooLargeError) return CLOSE_CODES.TOO_LARGE;
  if (reason instanceof SlowConsumerError) return CLOSE_CODES.SLOW_CONSUMER;
  return CLOSE_CODES.FAILURE;
}

/** A close reason must fit in 123 bytes of UTF-8. */
function closeText(reason: Error | undefined): string | undefined {
  if (!reason) return undefined;
  const text = reason.message;
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= 123) return text;
  return new TextDecoder().decode(bytes.subarray(0, 120)).replace(/\uFFFD$/, '') + '...';
}

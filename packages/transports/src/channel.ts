import { joinBytes } from '@streamtasks/link/internal';
/** What a {@link FrameChannel} reports to its current handler. */
export interface FrameChannelHandler {
  /**
   * One complete frame (a handshake map or a message) arrived. The payload is
   * the handler's: the channel never writes to it again, and it shares no
   * memory with the transport's read buffers (the link decodes a message's
   * small bins as views of it).
   */
  frame(payload: Uint8Array): void;
  /**
   * A large frame arrived in pieces (`length` bytes in all), views of read
   * buffers that are never written again: the handler may keep and forward
   * them without joining. Without this method, the channel joins them and
   * calls {@link FrameChannelHandler.frame}.
   */
  frameParts?(parts: readonly Uint8Array[], length: number): void;
  /** Buffered outgoing bytes may have dropped (after {@link FrameChannel.requestDrain}). */
  drain(): void;
  /** The transport closed; `reason` is set when it closed because of a failure. Called once. */
  close(reason: Error | undefined): void;
  /** A problem the connection survived (e.g. skipped garbage bytes). */
  warning(error: Error): void;
}

/**
 * A connection that carries whole frames: a byte stream with sync-word
 * framing, or a WebSocket with one binary message per frame. The handshake
 * and then a {@link ConnectionLink} use it in turn.
 *
 * While no handler is set, received frames and the close are queued and
 * handed to the next handler, so nothing is lost between the handshake and
 * the link taking over.
 */
export interface FrameChannel {
  /** Describes the peer, for messages (e.g. `tcp 127.0.0.1:5000`). */
  readonly description: string;
  /** Whether {@link FrameChannel.close} was called or the transport closed. */
  readonly isClosed: boolean;
  /** Outgoing bytes accepted by `send` that the transport has not handed to the operating system yet. */
  readonly bufferedAmount: number;
  /** Resolves once the transport has released its socket (after a close). */
  readonly released: Promise<void>;
  /** Largest frame accepted from the peer; frames above it close the channel with `FrameTooLargeError`. */
  maxFrameSize: number;
  /** Sends one frame. The payload must not be modified afterwards. Ignored once closed. */
  send(payload: Uint8Array): void;
  /**
   * Sends one frame whose payload is the concatenation of `parts` (`length`
   * bytes), without joining them. Only channels over a byte stream have it.
   */
  sendParts?(parts: readonly Uint8Array[], length: number): void;
  /** Sets (or, with undefined, clears) the receiver of frames and events; queued ones are delivered at once. */
  setHandler(handler: FrameChannelHandler | undefined): void;
  /** Asks for one `drain` call once buffered bytes may have dropped. */
  requestDrain(): void;
  /** Stops reading from the peer (backpressure towards it); a no-op where the transport cannot. */
  pause(): void;
  resume(): void;
  /**
   * Closes the transport. Without a reason what was sent is flushed first;
   * with one the connection is ended at once. The handler is not called for
   * a close requested here.
   */
  close(reason?: Error): void;
}

/**
 * Queues what arrives while a channel has no handler. Shared by the channel
 * implementations.
 */
export class HandlerSlot {
  private handler: FrameChannelHandler | undefined;
  private frames: Uint8Array[] = [];
  private closed: { reason: Error | undefined } | undefined;

  set(handler: FrameChannelHandler | undefined): void {
    this.handler = handler;
    while (this.handler === handler && handler && this.frames.length > 0) handler.frame(this.frames.shift()!);
    if (this.handler === handler && handler && this.closed) {
      const { reason } = this.closed;
      this.handler = undefined;
      handler.close(reason);
    }
  }

  frameParts(parts: readonly Uint8Array[], length: number): void {
    if (this.closed) return;
    const handler = this.handler;
    // Queued frames first, in order; a handler that takes no pieces gets them joined.
    if (handler?.frameParts !== undefined && this.frames.length === 0) handler.frameParts(parts, length);
    else this.frame(joinBytes(parts, 0, length));
  }

  frame(payload: Uint8Array): void {
    if (this.closed) return;
    if (this.handler && this.frames.length === 0) this.handler.frame(payload);
    else this.frames.push(payload);
  }

  drain(): void {
    this.handler?.drain();
  }

  warning(error: Error): void {
    this.handler?.warning(error);
  }

  /** Reports the close to the handler now, or to the next one. */
  close(reason: Error | undefined): void {
    if (this.closed) return;
    this.closed = { reason };
    const handler = this.handler;
    if (handler) {
      this.handler = undefined;
      handler.close(reason);
    }
  }

  /** Forgets everything: the close was requested locally, nobody needs to hear of it. */
  clear(): void {
    this.closed ??= { reason: undefined };
    this.handler = undefined;
    this.frames = [];
  }
}

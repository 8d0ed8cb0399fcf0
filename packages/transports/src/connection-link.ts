// Browser-safe: a link over any FrameChannel (byte stream or WebSocket).
import {
  Link,
  MAX_COST,
  SlowConsumerError,
  encodeMessage,
  type LinkOptions,
  type Message,
} from '@streamtasks/link';
import { decodeOwnedMessage, decodeOwnedParts, largeFrameParts, totalLength } from '@streamtasks/link/internal';
import type { FrameChannel, FrameChannelHandler } from './channel.js';
import { DEFAULT_HIGH_WATER_MARK, DEFAULT_MAX_BUFFERED_BYTES, DEFAULT_MAX_QUEUED_MESSAGES } from './constants.js';

export interface ConnectionLinkOptions extends LinkOptions {
  /** Buffered outgoing bytes at which `send()` starts returning false. Default 1 MiB. */
  highWaterMark?: number;
  /** Buffered outgoing bytes beyond which the link closes with `SlowConsumerError`. Default 64 MiB. */
  maxBufferedBytes?: number;
  /** Received messages waiting to be consumed at which reading from the peer pauses. Default 4096. */
  maxQueuedMessages?: number;
}

/**
 * A link whose messages travel serialized over a connection to another
 * process (TCP, unix socket or WebSocket, through a {@link FrameChannel}).
 * Created by `connect()` and by servers after a successful handshake.
 *
 * - **Backpressure out:** `send()` returns false once the bytes buffered for
 *   the peer reach `highWaterMark`; `drain` is emitted (and `drained()`
 *   resolves) when they fall below it again. Past `maxBufferedBytes` the
 *   peer counts as a slow consumer: the link closes with
 *   `SlowConsumerError` and that send throws it, so a peer that stops
 *   reading can never make this process buffer without bound.
 * - **Backpressure in:** while more than `maxQueuedMessages` received
 *   messages wait to be consumed (pull mode), reading from the peer pauses.
 * - **Malformed input:** a frame that is not a valid message closes this
 *   link (only this one) with the `DecodeError`; `closed` resolves with it.
 *   Skipped garbage bytes are reported as `error` events.
 * - **Peer closes:** messages that arrived before the connection ended stay
 *   readable with `recv()`.
 */
export class ConnectionLink extends Link {
  /** Describes the peer, e.g. `tcp 127.0.0.1:5000`. */
  readonly description: string;
  readonly highWaterMark: number;
  readonly maxBufferedBytes: number;
  private readonly channel: FrameChannel;
  private readonly maxQueued: number;
  private blocked = false;
  private readingPaused = false;

  constructor(channel: FrameChannel, options: ConnectionLinkOptions = {}) {
    super(options);
    this.channel = channel;
    this.description = channel.description;
    checkConnectionLinkOptions(options);
    this.highWaterMark = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    this.maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    this.maxQueued = options.maxQueuedMessages ?? DEFAULT_MAX_QUEUED_MESSAGES;
    // Last: frames that arrived during the handshake are delivered right here.
    channel.setHandler(new ConnectionLink.ChannelHandler(this));
  }

  /**
   * What the channel calls: one object with methods per connection instead
   * of four closures and their context (a node holds one per connection).
   * Nested so that it reaches the link's private handlers.
   */
  private static readonly ChannelHandler = class implements FrameChannelHandler {
    constructor(private readonly link: ConnectionLink) {}

    frame(payload: Uint8Array): void {
      this.link.onFrame(payload);
    }

    frameParts(parts: readonly Uint8Array[], length: number): void {
      this.link.onFrameParts(parts, length);
    }

    drain(): void {
      this.link.onDrain();
    }

    /** The connection ended from outside: what already arrived stays readable. */
    close(reason: Error | undefined): void {
      this.link.closeFromPeer(reason);
    }

    warning(error: Error): void {
      this.link.reportError(error);
    }
  };

  /** The transport: `tcp`, `unix`, `ws` or `wss` (from the URL or the accepting server). */
  override get kind(): string {
    return describePeer(this.description)[0];
  }

  /** The peer: the URL connected to, or the remote address of an accepted connection. */
  override get remoteAddress(): string | undefined {
    return describePeer(this.description)[1];
  }

  /** Outgoing bytes not yet handed to the operating system. */
  get bufferedAmount(): number {
    return this.channel.bufferedAmount;
  }

  override get needsDrain(): boolean {
    return this.channel.bufferedAmount >= this.highWaterMark;
  }

  protected transmit(message: Message): boolean {
    const parts = largeFrameParts(message);
    const channel = this.channel;
    let length: number;
    if (parts !== undefined && channel.sendParts !== undefined) {
      // A large frame that arrived in pieces leaves in the same pieces: never joined here.
      length = totalLength(parts);
      this.checkRoom(length);
      channel.sendParts(parts, length);
    } else {
      const bytes = encodeMessage(message);
      length = bytes.length;
      this.checkRoom(length);
      channel.send(bytes);
    }
    if (this.counting) this.counters.countBytesOut(message.type, length);
    if (channel.bufferedAmount < this.highWaterMark) return true;
    if (!this.blocked) {
      this.blocked = true;
      this.counters.backpressure++;
      this.channel.requestDrain();
    }
    return false;
  }

  /** Closes the link with `SlowConsumerError` (and throws it) if `length` more bytes would exceed `maxBufferedBytes`. */
  private checkRoom(length: number): void {
    const buffered = this.channel.bufferedAmount;
    if (buffered + length <= this.maxBufferedBytes) return;
    this.counters.slowConsumer++;
    const error = new SlowConsumerError(
      `${this.description}: ${buffered} bytes are waiting for the peer; sending ${length} more would exceed ${this.maxBufferedBytes}`,
    );
    this.close(error);
    throw error;
  }

  protected onClose(reason: Error | undefined): void {
    this.channel.close(reason);
  }

  protected override consumed(): void {
    if (this.readingPaused && this.queuedCount <= this.maxQueued / 2) {
      this.readingPaused = false;
      this.channel.resume();
    }
  }

  private onFrame(payload: Uint8Array): void {
    let message: Message;
    try {
      // Channels hand out every frame as a copy of its own (FrameChannel.setHandler).
      message = decodeOwnedMessage(payload);
    } catch (err) {
      this.decodeFailed(err as Error);
      return;
    }
    this.accept(message, payload.length);
  }

  /** A large frame in pieces: routed on its header, its payload left in the pieces (see `decodeOwnedParts`). */
  private onFrameParts(parts: readonly Uint8Array[], length: number): void {
    let message: Message;
    try {
      message = decodeOwnedParts(parts, length);
    } catch (err) {
      this.decodeFailed(err as Error);
      return;
    }
    this.accept(message, length);
  }

  private decodeFailed(err: Error): void {
    // Only this connection is affected; the reason is what `closed` resolves with.
    this.counters.decodeErrors++;
    this.closeFromPeer(err);
  }

  private accept(message: Message, length: number): void {
    if (this.counting) this.counters.countBytesIn(message.type, length);
    this.receive(message);
    if (!this.readingPaused && this.queuedCount >= this.maxQueued && !this.isClosed) {
      this.readingPaused = true;
      this.channel.pause();
    }
  }

  private onDrain(): void {
    if (!this.blocked || this.isClosed) return;
    if (this.channel.bufferedAmount >= this.highWaterMark) {
      this.channel.requestDrain();
      return;
    }
    this.blocked = false;
    this.events.emit('drain');
  }
}

/**
 * Throws a `RangeError` for options a {@link ConnectionLink} cannot use, so
 * that connect functions and servers can refuse them before opening a socket.
 */
export function checkConnectionLinkOptions(options: ConnectionLinkOptions): void {
  const { cost, highWaterMark = DEFAULT_HIGH_WATER_MARK, maxBufferedBytes = DEFAULT_MAX_BUFFERED_BYTES } = options;
  if (cost !== undefined && (!Number.isInteger(cost) || cost < 1 || cost > MAX_COST)) {
    throw new RangeError(`link cost must be an integer from 1 to ${MAX_COST}, got ${cost}`);
  }
  if (!(highWaterMark > 0)) throw new RangeError(`highWaterMark must be positive, got ${highWaterMark}`);
  if (!(maxBufferedBytes >= highWaterMark)) {
    throw new RangeError(`maxBufferedBytes (${maxBufferedBytes}) must be at least highWaterMark (${highWaterMark})`);
  }
  const queued = options.maxQueuedMessages;
  if (queued !== undefined && !(queued >= 1)) throw new RangeError(`maxQueuedMessages must be at least 1, got ${queued}`);
}

/** Splits a channel description (`tcp://host:port`, `tcp 1.2.3.4:5000`, `websocket 1.2.3.4:5000`) into kind and peer. */
function describePeer(description: string): [kind: string, peer: string | undefined] {
  const scheme = /^([a-z]+):\/\//.exec(description);
  if (scheme) return [scheme[1]!, description];
  const space = description.indexOf(' ');
  const word = space < 0 ? description : description.slice(0, space);
  return [word === 'websocket' ? 'ws' : word, space < 0 ? undefined : description.slice(space + 1)];
}

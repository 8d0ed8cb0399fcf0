import type { Socket } from 'node:net';
import { ConnectionClosedError, SlowConsumerError } from '@streamtasks/link';
import { HandlerSlot, type FrameChannel, type FrameChannelHandler } from './channel.js';
import { DEFAULT_CLOSE_TIMEOUT, DEFAULT_MAX_FRAME_SIZE, FRAME_HEADER_SIZE } from './constants.js';
import { SkippedBytesError } from './errors.js';
import { WORTH_A_WRITE, flushHold, type HeldChannel } from './flush-hold.js';
import { FrameParser } from './frame-parser.js';
import { writeFrameHeader } from './framing.js';
import { StreamStartCheck } from './stream-start.js';

export interface SocketChannelOptions {
  /** Largest frame accepted. Default 16 MiB. */
  maxFrameSize?: number;
  /** Milliseconds a graceful close may take to flush before the socket is destroyed. Default 5000. */
  closeTimeout?: number;
  /** For messages; defaults to the socket's remote address. */
  description?: string;
}

/**
 * Payloads up to this size are copied into a shared write buffer; larger ones
 * are written as they are. Not copying matters for a payload sent to many
 * sockets at once (a switch's route announcement, encoded once): each copy
 * would live until its socket has written it.
 */
const COALESCE_LIMIT = 8 * 1024;
/** Size of the shared write buffers. */
const BATCH_SIZE = 256 * 1024;

/**
 * A {@link FrameChannel} over a TCP or unix `net.Socket` with sync-word framing.
 *
 * Frames sent during one tick are written together when the tick ends (small
 * ones copied into one buffer, large payloads passed through uncopied, all
 * under one cork), so a burst of messages costs one system call, not one each.
 * Frames sent while the process works through a large socket read are written
 * later, bounded in loop turns and bytes (see {@link FlushHold}).
 */
export class SocketChannel implements FrameChannel, HeldChannel {
  readonly description: string;
  readonly released: Promise<void>;
  private readonly socket: Socket;
  private readonly parser: FrameParser;
  private readonly slot = new HandlerSlot();
  private readonly closeTimeout: number;
  /** Checks the stream's first bytes; dropped once they were the sync word. */
  private start: StreamStartCheck | undefined = new StreamStartCheck();
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** The part of `pendingBytes` that the flush copies (frames up to COALESCE_LIMIT). */
  private pendingCopied = 0;
  private flushScheduled = false;
  /** The scheduled flush is held by {@link flushHold} (not a microtask). */
  private held = false;
  private drainRequested = false;
  private closed = false;
  private lingerTimer: ReturnType<typeof setTimeout> | undefined;
  /** The first socket error, reported as the close reason. */
  private socketError: Error | undefined;

  constructor(socket: Socket, options: SocketChannelOptions = {}) {
    this.socket = socket;
    this.closeTimeout = options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT;
    this.description = options.description ?? describeSocket(socket);
    this.parser = new FrameParser({
      maxFrameSize: options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE,
      // A socket hands out a new buffer for every read.
      chunksAreFresh: true,
      onFrame: (payload) => this.slot.frame(payload),
      onLargeFrame: (parts, length) => this.slot.frameParts(parts, length),
      onSkipped: (count) => this.slot.warning(new SkippedBytesError(count)),
    });
    socket.setNoDelay?.(true);
    this.released = new Promise((resolve) => {
      if (socket.destroyed) resolve();
      else socket.once('close', () => resolve());
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.onSocketDrain());
    socket.on('error', (err) => {
      this.socketError ??= err;
    });
    // 'end' (the peer finished) is followed by 'close': net sockets do not stay half open by default.
    socket.once('close', () => this.onSocketClose());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get bufferedAmount(): number {
    return this.pendingBytes + this.socket.writableLength;
  }

  get maxFrameSize(): number {
    return this.parser.maxFrameSize;
  }

  set maxFrameSize(value: number) {
    this.parser.maxFrameSize = value;
  }

  send(payload: Uint8Array): void {
    if (this.closed) return;
    this.pending.push(payload);
    const size = FRAME_HEADER_SIZE + payload.length;
    this.pendingBytes += size;
    if (payload.length <= COALESCE_LIMIT) this.pendingCopied += size;
    if (this.held) {
      flushHold.add(size);
      if (this.pendingBytes < WORTH_A_WRITE) return;
      // Enough for a write of its own: written when the read is done, as without the hold.
      this.leaveHold();
    } else if (this.flushScheduled) return;
    this.flushScheduled = true;
    if (flushHold.active && this.pendingBytes < WORTH_A_WRITE) {
      this.held = true;
      flushHold.hold(this, this.pendingBytes);
    } else queueMicrotask(() => this.flush());
  }

  flushHeld(): void {
    this.held = false;
    this.flush();
  }

  sendParts(parts: readonly Uint8Array[], length: number): void {
    if (this.closed) return;
    const socket = this.socket;
    if (socket.destroyed) return;
    const header = Buffer.allocUnsafe(FRAME_HEADER_SIZE);
    writeFrameHeader(header, 0, length);
    // Frames of this channel keep their order: what is pending (held or not) is written first, so the
    // channel leaves the hold; a frame this large is a write of its own anyway (WORTH_A_WRITE). All of it
    // under one cork: the pending frames, the header and the pieces as they are, in one system call.
    socket.cork();
    this.flush();
    socket.write(header);
    for (const part of parts) socket.write(part);
    socket.uncork();
    this.afterFlush();
  }

  setHandler(handler: FrameChannelHandler | undefined): void {
    this.slot.set(handler);
  }

  requestDrain(): void {
    this.drainRequested = true;
    // Nothing left in the socket: no 'drain' event would come.
    if (!this.flushScheduled && !this.socket.writableNeedDrain) queueMicrotask(() => this.onSocketDrain());
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    if (!this.closed) this.socket.resume();
  }

  close(reason?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.slot.clear();
    const socket = this.socket;
    if (reason instanceof SlowConsumerError || socket.destroyed || (reason && socket.connecting)) {
      // The peer does not read (or was never reached): flushing would never finish.
      this.dropPending();
      socket.destroy();
      return;
    }
    this.flush();
    // A clean close waits for the peer's end too, so nothing it still sends is answered with a reset;
    // after a failure, the socket goes as soon as our last bytes are out.
    if (reason) socket.destroySoon();
    else socket.end();
    if (!socket.destroyed) this.lingerTimer = setTimeout(() => socket.destroy(), this.closeTimeout);
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    try {
      if (this.start) {
        this.start.feed(chunk, this.description);
        if (this.start.done) this.start = undefined;
      }
      const large = flushHold.beginRead(chunk.length);
      try {
        this.parser.push(chunk);
      } finally {
        if (large) flushHold.endRead();
      }
    } catch (err) {
      // A stream that does not start with a frame, or FrameTooLargeError: it cannot be trusted any more.
      this.fail(err as Error);
    }
  }

  private onSocketDrain(): void {
    if (!this.drainRequested || this.closed) return;
    this.drainRequested = false;
    this.slot.drain();
  }

  private onSocketClose(): void {
    if (this.lingerTimer !== undefined) clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    if (this.closed) return;
    this.closed = true;
    this.dropPending();
    const err = this.socketError;
    this.slot.close(err && new ConnectionClosedError(`${this.description}: ${err.message}`, { cause: err }));
  }

  /** Ends the connection because of a failure and reports it. */
  private fail(reason: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.dropPending();
    this.socket.destroy();
    this.slot.close(reason);
  }

  /** Forgets the queued frames unwritten (the socket is going away). */
  private dropPending(): void {
    this.leaveHold();
    this.pending = [];
    this.pendingBytes = 0;
    this.pendingCopied = 0;
  }

  /** Takes this channel's flush out of the hold, for a flush or drop of its own. */
  private leaveHold(): void {
    if (!this.held) return;
    this.held = false;
    this.flushScheduled = false;
    flushHold.release(this, this.pendingBytes);
  }

  private flush(): void {
    this.leaveHold();
    this.flushScheduled = false;
    const frames = this.pending;
    const socket = this.socket;
    if (frames.length === 0 || socket.destroyed) return;
    // Bytes of the small frames still to copy, to size the write buffers.
    let left = this.pendingCopied;
    this.pendingCopied = 0;
    this.pendingBytes = 0;
    if (frames.length === 1) {
      // The common case of a message now and then (or one per socket of a fan-out): one write, no cork,
      // and the pending array is kept.
      const payload = frames[0]!;
      frames.length = 0;
      if (payload.length <= COALESCE_LIMIT) socket.write(framed(payload));
      else this.writeUncopied(payload, true);
      this.afterFlush();
      return;
    }
    this.pending = [];
    socket.cork();
    // Small frames are copied into `batch`; a large payload is written as is, after its own header.
    let batch: Buffer | undefined;
    let at = 0;
    // One closure per flush of several frames, not per frame.
    const writeBatch = (): void => {
      if (batch !== undefined && at > 0) socket.write(batch.subarray(0, at));
      batch = undefined;
      at = 0;
    };
    for (const payload of frames) {
      const size = FRAME_HEADER_SIZE + payload.length;
      if (payload.length > COALESCE_LIMIT) {
        writeBatch();
        this.writeUncopied(payload, false);
      } else {
        if (batch !== undefined && at + size > batch.length) writeBatch();
        batch ??= Buffer.allocUnsafe(Math.max(size, Math.min(left, BATCH_SIZE)));
        writeFrameHeader(batch, at, payload.length);
        batch.set(payload, at + FRAME_HEADER_SIZE);
        at += size;
        left -= size;
      }
    }
    writeBatch();
    socket.uncork();
    this.afterFlush();
  }

  /** Writes a frame's header and then its payload as it is (one write call with `cork`). */
  private writeUncopied(payload: Uint8Array, cork: boolean): void {
    const socket = this.socket;
    const header = Buffer.allocUnsafe(FRAME_HEADER_SIZE);
    writeFrameHeader(header, 0, payload.length);
    if (cork) socket.cork();
    socket.write(header);
    socket.write(payload);
    if (cork) socket.uncork();
  }

  private afterFlush(): void {
    if (this.drainRequested && !this.socket.writableNeedDrain) queueMicrotask(() => this.onSocketDrain());
  }
}

/** One small frame in a buffer of its own: header and a copy of the payload. */
function framed(payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_SIZE + payload.length);
  writeFrameHeader(frame, 0, payload.length);
  frame.set(payload, FRAME_HEADER_SIZE);
  return frame;
}

function describeSocket(socket: Socket): string {
  if (socket.remoteAddress) return `tcp ${socket.remoteAddress}:${socket.remotePort}`;
  return 'unix socket';
}

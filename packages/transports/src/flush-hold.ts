/**
 * A socket read of this size filled the read buffer (Node reads at most
 * 64 KiB at a time): the peer is streaming and more bytes are waiting.
 */
export const LARGE_READ = 64 * 1024;
/** Loop turns a held flush may wait while large reads keep coming. */
export const MAX_HELD_TURNS = 8;
/** Bytes queued over all held channels that end the hold at once. */
export const MAX_HELD_BYTES = 1024 * 1024;
/**
 * A channel with this much queued is not held: one write of it already spreads
 * its system call over many frames (a stream to one peer, a large payload).
 */
export const WORTH_A_WRITE = 16 * 1024;

/** A channel whose flush can be held. */
export interface HeldChannel {
  /** Writes what the channel queued; the hold has already let go of it. */
  flushHeld(): void;
}

/**
 * Holds the flushes of the channels that frames are queued on while this
 * process works through large socket reads, so that they are written together
 * later instead of once per read.
 *
 * Why: a node reading a stream of small messages from one publisher and
 * routing each to a different connection queues frames on hundreds of
 * channels per 64 KiB read. Flushed at the end of each read (a microtask),
 * every one of those channels makes a socket write carrying a frame or two;
 * held over the loop turns that bring large reads, each write carries many
 * frames. A channel is held only while it has less than {@link WORTH_A_WRITE}
 * queued. The hold is bounded: the frames are written at the end of the
 * first turn without a large read, after {@link MAX_HELD_TURNS} turns, or as
 * soon as {@link MAX_HELD_BYTES} are held. Frames queued outside a large read
 * (a request, a message now and then) are flushed at the end of the tick as
 * before, so latency at light load does not change.
 *
 * One per process ({@link flushHold}), shared by all socket channels: whether
 * a large read is being processed is a property of the thread, not of a
 * socket (the channel that reads is not the one that writes).
 */
export class FlushHold {
  private held = new Set<HeldChannel>();
  private heldBytes = 0;
  /** Large reads being processed (nested when a frame handler feeds another channel synchronously). */
  private largeReads = 0;
  /** A large read was processed in the current loop turn (since the last turn of the hold). */
  private readThisTurn = false;
  private turns = 0;
  private immediate: ReturnType<typeof setImmediate> | undefined;
  /** The byte bound was reached: everything is flushed on a microtask. */
  private releaseQueued = false;

  /** Whether a flush asked for now should be held ({@link hold}) rather than queued as a microtask. */
  get active(): boolean {
    return this.largeReads > 0;
  }

  /** Channels whose flush is held. */
  get size(): number {
    return this.held.size;
  }

  /** Whether a loop turn of the hold is scheduled (an immediate). */
  get scheduled(): boolean {
    return this.immediate !== undefined;
  }

  /** Marks the start of the processing of a socket read of `bytes`; returns whether {@link endRead} must follow. */
  beginRead(bytes: number): boolean {
    if (bytes < LARGE_READ) return false;
    this.largeReads++;
    this.readThisTurn = true;
    return true;
  }

  endRead(): void {
    this.largeReads--;
  }

  /** Holds the flush of `channel`, which has `bytes` queued. */
  hold(channel: HeldChannel, bytes: number): void {
    this.held.add(channel);
    if (this.immediate === undefined && !this.releaseQueued) {
      this.turns = 0;
      this.immediate = setImmediate(this.onTurn);
    }
    this.add(bytes);
  }

  /** Counts `bytes` more queued on a channel whose flush is held. */
  add(bytes: number): void {
    this.heldBytes += bytes;
    if (this.heldBytes >= MAX_HELD_BYTES && !this.releaseQueued) {
      this.releaseQueued = true;
      this.cancelTurn();
      // Not inside the sender's call: the microtask runs when the read being processed is done.
      queueMicrotask(this.releaseAll);
    }
  }

  /** Forgets `channel`, which flushed or dropped its `bytes` itself (a close). */
  release(channel: HeldChannel, bytes: number): void {
    if (!this.held.delete(channel)) return;
    this.heldBytes -= bytes;
    if (this.held.size === 0) {
      // Nothing left to hold: no immediate stays behind a closed channel.
      this.cancelTurn();
      this.heldBytes = 0;
    }
  }

  private cancelTurn(): void {
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.immediate = undefined;
  }

  private readonly onTurn = (): void => {
    this.immediate = undefined;
    // A read filled the buffer in this turn: the peer is streaming, more frames for the same channels are on
    // their way. (Not only the last read of the turn: a stream often arrives as a full read and a short one.)
    const streaming = this.readThisTurn;
    this.readThisTurn = false;
    if (streaming && ++this.turns < MAX_HELD_TURNS) {
      this.immediate = setImmediate(this.onTurn);
      return;
    }
    this.releaseAll();
  };

  private readonly releaseAll = (): void => {
    this.releaseQueued = false;
    this.cancelTurn();
    const channels = this.held;
    this.held = new Set();
    this.heldBytes = 0;
    for (const channel of channels) {
      try {
        channel.flushHeld();
      } catch (err) {
        // Reported as a throwing microtask flush would be, without leaving the other channels unflushed.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  };
}

/** The hold the socket channels of this process share. */
export const flushHold = new FlushHold();

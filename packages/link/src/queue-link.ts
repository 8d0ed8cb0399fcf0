import { scheduleFlush } from './schedule-flush.js';
import { decodeMessage } from './codec/decode.js';
import { encodeMessage } from './codec/encode.js';
import { validateMessage } from './codec/validate.js';
import { SlowConsumerError } from './errors.js';
import { Link, type LinkOptions } from './link.js';
import { MessageType, type Message } from './messages.js';

const RESOLVED = Promise.resolve();
/** Largest batch array kept for reuse. */
const MAX_IDLE_BATCH = 4096;

export interface QueueLinkOptions extends LinkOptions {
  /**
   * Serialize every message to bytes on send and decode it on receipt, as a
   * socket would. Proves the codec on every path. Default false: message
   * objects pass as they are.
   */
  serialize?: boolean;
  /** Deliver each batch after this many milliseconds instead of at once after the sender's turn. */
  delay?: number;
  /** `send()` returns false once this many messages wait at the other end. Default 1024. */
  highWaterMark?: number;
  /** `send()` throws {@link SlowConsumerError} beyond this many waiting messages. Default unlimited. */
  maxQueued?: number;
}

/**
 * One end of an in-process connection (see {@link createQueueLinkPair}).
 * Messages are delivered in order, in batches, soon after they were sent (on
 * Node's tick queue, elsewhere on a microtask; or after `delay`), never
 * inside the sender's call: a sender that awaits between messages still has
 * them delivered in batches (see `schedule-flush.ts`).
 */
export class QueueLink extends Link {
  private peer!: QueueLink;
  private readonly serialize: boolean;
  private readonly delay: number;
  private readonly highWaterMark: number;
  private readonly maxQueued: number;
  /**
   * Messages sent to this end and not delivered yet: `pending[0, pendingCount)`.
   * Two arrays take turns (one filling while the other is delivered), cleared
   * slot by slot after a delivery: a fresh array per batch would grow (and
   * be copied) a dozen times on the way to 1024 messages.
   */
  private pending: Array<Message | Uint8Array | undefined> = [];
  private spare: Array<Message | Uint8Array | undefined> = [];
  private pendingCount = 0;
  private scheduled = false;
  private closeWhenFlushed = false;
  private senderBlocked = false;
  private readonly flushBound = () => {
    try {
      this.flush();
    } catch (err) {
      // As if the flush had been queued with queueMicrotask: reported, not a rejected promise.
      queueMicrotask(() => {
        throw err;
      });
    }
  };

  /** Queue links come in pairs: use {@link createQueueLinkPair}. */
  constructor(options: QueueLinkOptions = {}) {
    super(options);
    this.serialize = options.serialize ?? false;
    this.delay = options.delay ?? 0;
    this.highWaterMark = options.highWaterMark ?? 1024;
    this.maxQueued = options.maxQueued ?? Infinity;
    // Both ends count a batch as it is delivered (flush), not each send.
    this.countsEachMessage = false;
  }

  /** @internal */
  pair(peer: QueueLink): void {
    this.peer = peer;
  }

  override get needsDrain(): boolean {
    return this.peer.waiting >= this.highWaterMark;
  }

  override get kind(): string {
    return 'queue';
  }

  protected transmit(message: Message): boolean {
    const peer = this.peer;
    // Counted once: with this message there are waiting + 1.
    const waiting = peer.waiting;
    if (waiting >= this.maxQueued) {
      this.counters.slowConsumer++;
      throw new SlowConsumerError(`the other end has ${waiting} messages waiting (maxQueued ${this.maxQueued})`);
    }
    if (this.serialize) {
      peer.enqueue(encodeMessage(message));
    } else {
      validateMessage(message);
      peer.enqueue(message);
    }
    if (waiting + 1 >= this.highWaterMark) {
      if (!peer.senderBlocked) this.counters.backpressure++;
      peer.senderBlocked = true;
      return false;
    }
    return true;
  }

  protected onClose(): void {
    // The other end still receives what was sent before the close.
    const peer = this.peer;
    if (peer.isClosed) return;
    if (peer.pendingCount === 0) {
      peer.closeFromPeer();
      return;
    }
    peer.closeWhenFlushed = true;
    // Not held back behind a busy sender's microtasks (see schedule-flush.ts): the
    // other end gets the rest and closes on the next microtask (a second flush is a no-op).
    if (peer.delay === 0) void RESOLVED.then(peer.flushBound);
  }

  /** Messages sent to this end and not consumed yet. */
  private get waiting(): number {
    return this.pendingCount + this.queuedCount;
  }

  private enqueue(item: Message | Uint8Array): void {
    this.pending[this.pendingCount++] = item;
    if (this.scheduled) return;
    this.scheduled = true;
    if (this.delay > 0) setTimeout(this.flushBound, this.delay);
    else scheduleFlush(this.flushBound);
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    const n = this.pendingCount;
    // Sends during the delivery (a receiver that answers) fill the other array.
    this.pending = this.spare;
    this.pendingCount = 0;
    // The sending end decided the form of what it queued here.
    const delivered = this.peer.serialize ? this.deliverEncoded(batch, n) : this.deliverObjects(batch, n);
    // An array that grew for a burst is let go, so that a burst does not pin its memory.
    if (batch.length > MAX_IDLE_BATCH) {
      this.spare = [];
    } else {
      for (let i = 0; i < n; i++) batch[i] = undefined;
      this.spare = batch;
    }
    if (!delivered) return;
    if (this.closeWhenFlushed) {
      this.closeFromPeer();
      return;
    }
    this.consumed();
  }

  /**
   * Hands over message objects. What is delivered is counted here, on this
   * end (in) and on the sender's (out): TopicData as one sum per batch, so
   * that counting costs next to nothing per message.
   */
  private deliverObjects(batch: ReadonlyArray<Message | Uint8Array | undefined>, n: number): boolean {
    const counting = this.counting;
    let topicData = 0;
    for (let i = 0; i < n && !this.isClosed; i++) {
      const message = batch[i] as Message;
      const { type } = message;
      if (type === MessageType.TopicData) {
        topicData++;
        this.handOverData(message);
      } else {
        if (counting) this.countOther(type);
        this.handOver(message);
      }
    }
    this.countTopicData(topicData);
    return true;
  }

  /** Decodes and hands over encoded messages; false when a malformed one closed the link. */
  private deliverEncoded(batch: ReadonlyArray<Message | Uint8Array | undefined>, n: number): boolean {
    const counting = this.counting;
    let topicData = 0;
    for (let i = 0; i < n && !this.isClosed; i++) {
      const bytes = batch[i] as Uint8Array;
      let message: Message;
      try {
        message = decodeMessage(bytes);
      } catch (err) {
        // A malformed message closes only this connection.
        this.counters.decodeErrors++;
        this.countTopicData(topicData);
        this.close(err as Error);
        return false;
      }
      const { type } = message;
      if (counting) this.countBytes(type, bytes.length);
      if (type === MessageType.TopicData) topicData++;
      else if (counting) this.countOther(type);
      this.handOver(message);
    }
    this.countTopicData(topicData);
    return true;
  }

  private countTopicData(n: number): void {
    if (n === 0 || !this.counting) return;
    this.counters.countTopicDataIn(n);
    this.peer.counters.countTopicDataOut(n);
  }

  private countOther(type: MessageType): void {
    this.counters.countIn(type);
    this.peer.counters.countOut(type);
  }

  private countBytes(type: MessageType, bytes: number): void {
    this.counters.countBytesIn(type, bytes);
    this.peer.counters.countBytesOut(type, bytes);
  }

  protected override consumed(): void {
    if (this.senderBlocked && this.waiting < this.highWaterMark) {
      this.senderBlocked = false;
      if (!this.peer.isClosed) this.peer.events.emit('drain');
    }
  }
}

/**
 * Creates the two ends of an in-process connection. What one end sends, the
 * other receives; closing one closes both.
 *
 * @example
 * ```ts
 * const [a, b] = createQueueLinkPair({ serialize: true });
 * switchA.addLink(a);
 * const client = new Client(b);
 * ```
 */
export function createQueueLinkPair(options: QueueLinkOptions = {}): [QueueLink, QueueLink] {
  const a = new QueueLink(options);
  const b = new QueueLink(options);
  a.pair(b);
  b.pair(a);
  return [a, b];
}

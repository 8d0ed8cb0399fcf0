import { Emitter } from './emitter.js';
import { AbortError, ConnectionClosedError, InvalidMessageError } from './errors.js';
import { addCost, isCost, type Id, type PricedId } from './ids.js';
import {
  AddressesChangedRecvMessage,
  InTopicsChangedMessage,
  MessageType,
  OutTopicsChangedRecvMessage,
  type Message,
} from './messages.js';
import { QueuedIterator } from './queued-iterator.js';
import { LinkStats } from './stats.js';
import { boundedWait, type WaitOptions } from './wait.js';

/** Events of a {@link Link}. */
export interface LinkEvents {
  /** The link closed; `reason` is set when it closed because of a failure. */
  close: [reason: Error | undefined];
  /** Something went wrong that did not close the link (a malformed message, a throwing receiver). */
  error: [error: Error];
  /** Buffered outgoing messages fell below the high-water mark again. */
  drain: [];
}

export interface LinkOptions {
  /** Cost this link adds to every route it receives (>= 1). Default 1. */
  cost?: number;
  /** Count messages and bytes in {@link Link.counters}. Default true (the counting is a few increments per message). */
  stats?: boolean;
}

/** Receives each message of a link in push mode (see {@link Link.setReceiver}). */
export type MessageReceiver = (message: Message) => void;

/**
 * One end of a connection. What is sent on one end is received on the other.
 *
 * The base class keeps the routing bookkeeping of the end (which topics the
 * other side asked for, which this side asked for, what can be reached
 * through it and at what cost) and turns received announcements into their
 * `…Recv` form with the link's cost added. Concrete links implement
 * {@link Link.transmit} and hand what arrives to {@link Link.receive}.
 *
 * Messages are consumed either pulled with {@link Link.recv} or pushed to one
 * receiver set with {@link Link.setReceiver} (what a switch or client does).
 * Bookkeeping happens when a message is consumed, never for messages that
 * are still queued. Closing either end closes both; closing twice is a no-op.
 */
export abstract class Link {
  /** Cost added to every route received through this link. */
  readonly cost: number;
  /** Topics the other side asked to receive through this link. */
  readonly inTopics = new Set<Id>();
  /** Topics this side subscribed to through this link (the ids it sent in InTopicsChanged). */
  readonly subscribedTopics = new Set<Id>();
  /** Topics that can be received through this link, with their cost. */
  readonly outTopics = new Map<Id, number>();
  /** Addresses reachable through this link, with their cost. */
  readonly addresses = new Map<Id, number>();
  readonly events = new Emitter<LinkEvents>();
  /** Resolves when the link is closed, with the failure that closed it, if any. Never rejects. */
  readonly closed: Promise<Error | undefined>;
  /** Message, byte and failure counters of this end (see {@link LinkStats}). */
  readonly counters = new LinkStats();
  /** Whether {@link Link.counters} is kept up to date (option `stats`). */
  readonly counting: boolean;
  /**
   * Whether {@link Link.send} and {@link Link.receive} count each message.
   * A link that counts its traffic in batches itself (the in-process queue
   * link, as each batch is delivered) clears it and delivers with
   * {@link Link.handOver}.
   */
  protected countsEachMessage: boolean;

  private _isClosed = false;
  private _closeReason: Error | undefined;
  /** Set when the other end closed: what was received stays readable. */
  private keepInbox = false;
  private resolveClosed!: (reason: Error | undefined) => void;
  private receiver: MessageReceiver | undefined;
  /**
   * Received messages not consumed yet, and the waiting `recv()` calls
   * (the `inbox`); undefined until first needed.
   */
  private inboxQueue: QueuedIterator<Message> | undefined;

  constructor(options: LinkOptions = {}) {
    const cost = options.cost ?? 1;
    if (!Number.isInteger(cost) || cost < 1 || !isCost(cost)) {
      throw new RangeError(`link cost must be an integer >= 1, got ${cost}`);
    }
    this.cost = cost;
    this.counting = options.stats ?? true;
    this.countsEachMessage = this.counting;
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  /**
   * The queue of received messages, created on first use: a link in push
   * mode whose receiver keeps up (every link of a switch) never queues, and
   * a node holds one link per connection. Unbounded: the transport feeding
   * it stops reading above its own limits, and {@link Link.consumed} tells
   * it when the consumer took a message.
   */
  private get inbox(): QueuedIterator<Message> {
    if (this.inboxQueue) return this.inboxQueue;
    const queue = new QueuedIterator<Message>({
      description: 'a message on the link',
      closedError: () => new ConnectionClosedError('cannot receive: link is closed', { cause: this._closeReason }),
    });
    // Created after the link closed (a recv() then): it ends waits as a queue stopped at close would.
    if (this._isClosed) queue.stop(undefined, { drain: this.keepInbox });
    this.inboxQueue = queue;
    return queue;
  }

  get isClosed(): boolean {
    return this._isClosed;
  }

  /** The failure that closed the link, if it closed because of one. */
  get closeReason(): Error | undefined {
    return this._closeReason;
  }

  /** @deprecated Renamed {@link Link.subscribedTopics} (beside `inTopics`, the other side's subscriptions); removed in the next minor release. */
  get recvTopics(): Set<Id> {
    return this.subscribedTopics;
  }

  /** Messages received but not consumed yet. */
  get queuedCount(): number {
    return this.inboxQueue?.pending ?? 0;
  }

  /** What kind of link this is (`queue`, `tcp`, `unix`, `ws`…), for monitoring. */
  get kind(): string {
    return 'link';
  }

  /** Who is at the other end (a remote address or URL), when known. */
  get remoteAddress(): string | undefined {
    return undefined;
  }

  /**
   * Sends a message to the other end. Returns `false` when the link's
   * outgoing buffer is above its high-water mark: the message is queued, but
   * the caller should wait for {@link Link.drained} before sending more.
   * Throws {@link ConnectionClosedError} once the link is closed.
   */
  send(message: Message): boolean {
    if (this._isClosed) throw new ConnectionClosedError('cannot send: link is closed', { cause: this._closeReason });
    // Transmit first: a refused message must not change the bookkeeping.
    const belowHighWaterMark = this.transmit(message);
    // The type is read once: at call sites that see many message classes each read costs.
    const { type } = message;
    if (this.countsEachMessage) this.counters.countOut(type);
    if (type === MessageType.InTopicsChanged) {
      for (const t of message.add) this.subscribedTopics.add(t);
      for (const t of message.remove) this.subscribedTopics.delete(t);
    }
    return belowHighWaterMark;
  }

  /** Resolves once the outgoing buffer is below its high-water mark again. */
  drained(options?: WaitOptions): Promise<void> {
    if (this._isClosed) return Promise.reject(new ConnectionClosedError('link is closed', { cause: this._closeReason }));
    if (!this.needsDrain) return Promise.resolve();
    return boundedWait<void>('the link to drain', options, (resolve, reject) => {
      const offDrain = this.events.on('drain', () => resolve());
      const offClose = this.events.on('close', (reason) =>
        reject(new ConnectionClosedError('link closed while waiting for it to drain', { cause: reason })),
      );
      return () => {
        offDrain();
        offClose();
      };
    });
  }

  /**
   * Receives the next message (pull mode). Rejects with
   * {@link ConnectionClosedError} when the link is or becomes closed; after
   * the *other* end closed, the messages that had already arrived are
   * returned first. A wait that times out or is aborted takes no message:
   * nothing is ever lost. An already aborted signal rejects at once.
   */
  async recv(options?: WaitOptions): Promise<Message> {
    if (this.receiver) throw new Error('recv() cannot be used while a receiver is set');
    if (options?.signal?.aborted) throw new AbortError('a message on the link', { cause: options.signal.reason });
    for (;;) {
      const queued = this.inbox.shift();
      if (queued !== undefined) this.consumed();
      // Rejects with ConnectionClosedError once the link is closed and nothing is queued.
      const processed = this.process(queued ?? (await this.inbox.recv(options)));
      if (processed) return processed;
    }
  }

  /**
   * Pushes every message to `receiver` from now on (queued ones first, in
   * order). Pass `undefined` to go back to pull mode. A receiver that throws
   * is reported as an `error` event; the link keeps going.
   */
  setReceiver(receiver: MessageReceiver | undefined): void {
    this.receiver = receiver;
    while (this.receiver && this.queuedCount > 0 && !this._isClosed) {
      const message = this.inbox.shift()!;
      this.consumed();
      this.dispatch(message);
    }
  }

  /**
   * Closes both ends. `reason` is the failure that caused it, if any; it is
   * what {@link Link.closed} resolves with. Idempotent.
   */
  close(reason?: Error): void {
    if (this._isClosed) return;
    this._isClosed = true;
    this._closeReason = reason;
    // Waiting recv() calls end with ConnectionClosedError; after the peer closed, what arrived stays readable.
    this.inboxQueue?.stop(undefined, { drain: this.keepInbox });
    try {
      this.onClose(reason);
    } finally {
      this.receiver = undefined;
      this.events.emit('close', reason);
      this.resolveClosed(reason);
      this.events.removeAllListeners();
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Closes this end because the other end closed. Unlike {@link Link.close},
   * messages that already arrived stay readable with {@link Link.recv}, as
   * data already received on a socket whose peer closed.
   */
  protected closeFromPeer(reason?: Error): void {
    if (this._isClosed) return;
    this.keepInbox = true;
    this.close(reason);
  }

  /** Counts a message that arrived from the other end and hands it to the consumer. */
  protected receive(message: Message): void {
    if (this.countsEachMessage && !this._isClosed) this.counters.countIn(message.type);
    this.handOver(message);
  }

  /** Hands a message that arrived from the other end to the consumer, without counting it (the link counted it). */
  protected handOver(message: Message): void {
    if (this._isClosed) return;
    if (this.receiver && (this.inboxQueue === undefined || this.inboxQueue.pending === 0)) this.dispatch(message);
    else this.inbox.push(message);
  }

  /**
   * {@link Link.handOver} for a message known to change no bookkeeping
   * (TopicData, TopicControl, Addressed): to the receiver without reading
   * its type again, the per-message path of a link that knows its types.
   */
  protected handOverData(message: Message): void {
    if (this._isClosed) return;
    const receiver = this.receiver;
    // The queue is made only when a message has to wait in it (as in handOver).
    if (receiver === undefined || (this.inboxQueue !== undefined && this.inboxQueue.pending > 0)) {
      this.inbox.push(message);
      return;
    }
    try {
      receiver(message);
    } catch (err) {
      this.reportError(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** Reports a problem that does not close the link. */
  protected reportError(error: Error): void {
    this.events.emit('error', error);
  }

  /** Whether the outgoing buffer is above the high-water mark (wait for {@link Link.drained}). */
  get needsDrain(): boolean {
    return false;
  }

  /** Called after a queued message was taken by the consumer (to signal drain). */
  protected consumed(): void {}

  /** Writes a message to the other end; returns false above the high-water mark. */
  protected abstract transmit(message: Message): boolean;

  /** Releases the transport (and closes the other end). Called once. */
  protected abstract onClose(reason: Error | undefined): void;

  private dispatch(message: Message): void {
    const { type } = message;
    // Data and control change no bookkeeping: straight to the receiver (the per-message path).
    const processed = type === MessageType.TopicData || type === MessageType.Addressed || type === MessageType.TopicControl
      ? message
      : this.process(message);
    if (!processed) return;
    try {
      this.receiver!(processed);
    } catch (err) {
      this.reportError(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /**
   * Applies a received message to the bookkeeping; returns what the consumer
   * sees, or undefined when the message changes nothing (an InTopicsChanged
   * that repeats known state) or is invalid (reported).
   */
  private process(message: Message): Message | undefined {
    switch (message.type) {
      case MessageType.TopicData:
      case MessageType.TopicControl:
      case MessageType.Addressed:
        return message;
      case MessageType.InTopicsChanged: {
        const add: Id[] = [];
        const remove: Id[] = [];
        for (const t of message.add) {
          if (!this.inTopics.has(t)) {
            this.inTopics.add(t);
            add.push(t);
          }
        }
        for (const t of message.remove) {
          if (this.inTopics.delete(t)) remove.push(t);
        }
        if (add.length === 0 && remove.length === 0) return undefined;
        return add.length === message.add.length && remove.length === message.remove.length
          ? message
          : new InTopicsChangedMessage(add, remove);
      }
      case MessageType.OutTopicsChanged:
      case MessageType.OutTopicsChangedRecv: {
        const changed = this.applyRoutes(this.outTopics, message.add, message.remove, message.type === MessageType.OutTopicsChanged);
        return changed && new OutTopicsChangedRecvMessage(changed[0], changed[1]);
      }
      case MessageType.AddressesChanged:
      case MessageType.AddressesChangedRecv: {
        const changed = this.applyRoutes(this.addresses, message.add, message.remove, message.type === MessageType.AddressesChanged);
        return changed && new AddressesChangedRecvMessage(changed[0], changed[1]);
      }
    }
  }

  private applyRoutes(
    table: Map<Id, number>,
    add: readonly PricedId[],
    remove: readonly (Id | PricedId)[],
    addOwnCost: boolean,
  ): [PricedId[], PricedId[]] | undefined {
    for (const p of add) {
      if (!isCost(p.cost)) {
        this.reportError(new InvalidMessageError(`route announcement with cost ${p.cost} out of range`));
        return undefined;
      }
    }
    const removed: PricedId[] = [];
    for (const r of remove) {
      const id = typeof r === 'object' ? r.id : r;
      const cost = table.get(id);
      if (cost !== undefined) {
        table.delete(id);
        removed.push({ id, cost });
      }
    }
    const added: PricedId[] = new Array(add.length);
    for (let i = 0; i < add.length; i++) {
      const p = add[i]!;
      const cost = addOwnCost ? addCost(p.cost, this.cost) : p.cost;
      table.set(p.id, cost);
      added[i] = { id: p.id, cost };
    }
    return [added, removed];
  }
}

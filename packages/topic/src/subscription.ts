import { ConnectionClosedError, type Id, type WaitOptions } from '@streamtasks/link';
import { QueuedIterator, type SKIP } from '@streamtasks/link/internal';
import type { Client } from '@streamtasks/client';
import { TopicClosedError } from './errors.js';

/**
 * What {@link InTopic} and {@link TopicsReceiver} share: the request for
 * their topics on the network, one bounded queue of what arrived (iterated
 * with `for await`), and the end of every read when they close or their
 * client stops. `Item` is what is queued, `Out` what iteration hands out.
 */
export abstract class TopicSubscription<Item extends NonNullable<unknown>, Out>
  implements AsyncIterable<Out>, AsyncDisposable, Disposable
{
  protected readonly client: Client;
  private readonly requested: readonly Id[];
  private readonly queue: QueuedIterator<Item, Out>;
  private readonly offStop: () => void;
  private readonly closedMessage: string;
  private _registered = false;
  /** What reads end with once closed. */
  private closedError: Error | undefined;

  protected constructor(client: Client, topics: readonly Id[], options: { maxQueued?: number }, closedMessage: string) {
    this.client = client;
    this.requested = topics;
    this.closedMessage = closedMessage;
    this.queue = new QueuedIterator<Item, Out>({
      maxPending: options.maxQueued ?? 65_536,
      onDrop: (dropped) => this.reportDrop(dropped),
      map: (item) => this.handOut(item),
      // Leaving a loop releases the topics: they are unregistered (and a synchronized sibling is not held back).
      onReturn: () => this.close(),
      closedError: () => this.closedError ?? new TopicClosedError(this.closedMessage),
      description: () => `data on topic${topics.length === 1 ? '' : 's'} ${topics.join(', ')}`,
    });
    this.offStop = client.onStop((err) => this.end(err));
  }

  get registered(): boolean {
    return this._registered;
  }

  /** Items dropped so far because the reader did not keep up. */
  get dropped(): number {
    return this.queue.dropped;
  }

  /** Items received and not read yet. */
  get queued(): number {
    return this.queue.pending;
  }

  /**
   * Resolves once closed: with the `ConnectionClosedError` when the client's
   * link closed, `undefined` when it was closed by `close()` (or a loop left
   * early) or its client stopped. Never rejects.
   */
  get closed(): Promise<Error | undefined> {
    return this.queue.closed;
  }

  get isClosed(): boolean {
    return this.queue.isClosed;
  }

  /** Requests the topics on the network (no-op when already requested). */
  register(): void {
    if (this.isClosed) throw new TopicClosedError(this.closedMessage);
    if (this._registered) return;
    this.client.registerInTopics(this.requested);
    this._registered = true;
  }

  /** Withdraws the request (no-op when not requested). */
  unregister(): void {
    if (!this._registered) return;
    this._registered = false;
    this.client.unregisterInTopics(this.requested);
  }

  /**
   * Iterates until closed (see {@link TopicSubscription.closed}). Leaving
   * the loop early (`break`, `return`, a throw) closes it; when the client's
   * link closes the loop ends by throwing its `ConnectionClosedError`.
   * Queued items are handed out without a wait, and a waiting iteration is
   * woken directly by the next item.
   */
  [Symbol.asyncIterator](): AsyncIterator<Out> {
    return this.queue[Symbol.asyncIterator]();
  }

  /** Withdraws the request and ends every read. Safe to call twice. */
  close(): void {
    if (this.isClosed) return;
    if (!this.client.link.isClosed) this.unregister();
    this.end(new TopicClosedError(this.closedMessage));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** Queues a received item (ignored once closed). @internal */
  protected enqueue(item: Item): void {
    this.queue.push(item);
  }

  /** Puts an item back at the front of the queue (it was taken but not handed out). @internal */
  protected unshift(item: Item): void {
    this.queue.unshift(item);
  }

  /** The next item, waiting for one per `options`; rejects with the closing error once closed. @internal */
  protected take(options?: WaitOptions): Item | Promise<Item> {
    return this.queue.shift() ?? this.queue.recv(options);
  }

  /** What reads end with once closed, `undefined` while open. */
  protected get closeError(): Error | undefined {
    return this.closedError;
  }

  /** What iteration hands out for an item, or SKIP. @internal */
  protected abstract handOut(item: Item): Out | typeof SKIP;

  /** An item was dropped by the bound; `dropped` is the running total. @internal */
  protected abstract reportDrop(dropped: number): void;

  /** Releases what the subclass holds (listeners); called once, when closing. @internal */
  protected abstract release(error: Error): void;

  /** Ends every read with `error`; only a lost link ends a loop by throwing. */
  private end(error: Error): void {
    if (this.isClosed) return;
    this.closedError = error;
    this.offStop();
    this.queue.stop(error instanceof ConnectionClosedError ? error : undefined);
    this.release(error);
  }
}

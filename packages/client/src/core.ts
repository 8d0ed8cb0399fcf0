import { AddressedMessage, AddressesChangedMessage, ConnectionClosedError, Emitter, InTopicsChangedMessage, OutTopicsChangedMessage, RawData, TopicControlMessage, TopicDataMessage, toId, type Id, type Link, type Message, type MessageReceiver } from '@streamtasks/link';
import type { ClientEvents } from './client-events.js';
import { ClientStoppedError } from './errors.js';
import { FanOut, type PortHandler, type TopicListener } from './fan-out.js';
import { TopicRefs } from './topic-refs.js';

/**
 * The core of a {@link Client}: its link and lifecycle, its address, its
 * topic registrations (reference counted: only the first register and the
 * last unregister of a topic reach the network) and the fan-out of the
 * messages it consumes to listeners, port handlers and receivers. Messages
 * are consumed between {@link ClientCore.start} and {@link ClientCore.stop};
 * topic data for topics not registered as in-topics is dropped.
 */
export class ClientCore {
  readonly link: Link;
  readonly events = new Emitter<ClientEvents>();
  private readonly inTopicRefs = new TopicRefs();
  private readonly outTopicRefs = new TopicRefs();
  /** @internal */
  protected readonly fanOut: FanOut;
  private readonly stopWaiters = new Set<(error: Error) => void>();
  private _address: Id | undefined;
  private running = false;
  private readonly onMessageBound = (message: Message) => this.onMessage(message);

  constructor(link: Link) {
    this.link = link;
    this.fanOut = new FanOut(link, (err) => this.reportError(err));
    if (!link.isClosed) link.events.on('close', (reason) => this.onLinkClosed(reason));
  }

  /**
   * Resolves when the client's link closes, with the failure that closed it
   * (`undefined` for a clean close). Never rejects. By then every pending
   * wait of the client has rejected with {@link ConnectionClosedError}.
   */
  get closed(): Promise<Error | undefined> {
    return this.link.closed;
  }

  /** Whether the client's link is closed (what {@link ClientCore.closed} waits for has happened). */
  get isClosed(): boolean {
    return this.link.isClosed;
  }

  /** The error that waits end with once the link is closed. @internal */
  protected linkClosedError(): ConnectionClosedError {
    const reason = this.link.closeReason;
    return new ConnectionClosedError(`the client's link closed${reason ? `: ${reason.message}` : ''}`, { cause: reason });
  }

  /** The link went: nothing can be received any more; every wait ends now, with the cause. */
  private onLinkClosed(reason: Error | undefined): void {
    if (this.running) {
      this.running = false;
      this.endWaits(this.linkClosedError());
      this.events.emit('stop');
    }
    this.events.emit('close', reason);
  }

  private endWaits(error: Error): void {
    const waiters = [...this.stopWaiters];
    this.stopWaiters.clear();
    for (const reject of waiters) reject(error);
  }

  /** Whether the client is receiving. */
  get isRunning(): boolean {
    return this.running;
  }

  /** Starts receiving messages. Returns the client, for chaining. */
  start(): this {
    if (this.running) return this;
    if (this.link.isClosed) throw this.linkClosedError();
    this.running = true;
    this.link.setReceiver(this.onMessageBound);
    this.events.emit('start');
    return this;
  }

  /**
   * Stops receiving. Every wait on this client (fetches, topic reads) ends
   * with {@link ClientStoppedError}; registrations stay as they are on the
   * network. Safe to call twice.
   */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    if (!this.link.isClosed) this.link.setReceiver(undefined);
    this.endWaits(new ClientStoppedError('the client was stopped'));
    this.events.emit('stop');
  }

  /** Stops the client and closes its link (the network withdraws its topics and address). */
  close(): void {
    this.stop();
    this.link.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  /** The client's own address, if it has one. */
  get address(): Id | undefined {
    return this._address;
  }

  /** Sets (or with `undefined`, drops) the client's address and announces it. */
  setAddress(address: Id | undefined): void {
    const next = address === undefined ? undefined : toId(address);
    const prev = this._address;
    if (next === prev) return;
    // Withdrawing on a closed link only updates the bookkeeping: the network already forgot it.
    if (!(next === undefined && this.link.isClosed)) this.link.send(new AddressesChangedMessage(
      next === undefined ? [] : [{ id: next, cost: 0 }],
      prev === undefined ? [] : [prev],
    ));
    this._address = next;
    this.events.emit('address-changed', next);
  }

  /** Requests topics (reference counted: the first registration sends the request). */
  registerInTopics(topics: Iterable<Id>): void {
    const added = this.inTopicRefs.add(topics);
    this.fanOut.setWanted(added, true);
    if (added.length > 0) this.link.send(new InTopicsChangedMessage(added, []));
  }

  /** Drops topic requests; the last unregistration (or `force`) withdraws the request. */
  unregisterInTopics(topics: Iterable<Id>, options: { force?: boolean } = {}): void {
    const removed = this.inTopicRefs.drop(topics, options.force ?? false);
    this.fanOut.setWanted(removed, false);
    if (removed.length > 0 && !this.link.isClosed) this.link.send(new InTopicsChangedMessage([], removed));
  }

  /** Provides topics (reference counted: the first registration announces them). */
  registerOutTopics(topics: Iterable<Id>): void {
    const added = this.outTopicRefs.add(topics);
    if (added.length > 0) this.link.send(new OutTopicsChangedMessage(added.map((id) => ({ id, cost: 0 })), []));
  }

  /** Stops providing topics; the last unregistration (or `force`) withdraws them. */
  unregisterOutTopics(topics: Iterable<Id>, options: { force?: boolean } = {}): void {
    const removed = this.outTopicRefs.drop(topics, options.force ?? false);
    if (removed.length > 0 && !this.link.isClosed) this.link.send(new OutTopicsChangedMessage([], removed));
  }

  /** Whether the client currently requests a topic. */
  isInTopicRegistered(topic: Id): boolean {
    return this.inTopicRefs.has(topic);
  }

  /** Whether the client currently provides a topic. */
  isOutTopicRegistered(topic: Id): boolean {
    return this.outTopicRefs.has(topic);
  }

  /** Whether someone on the network wants a topic from this client. */
  isRequested(topic: Id): boolean {
    return this.link.inTopics.has(topic);
  }

  /** Cost of the cheapest provider of a topic seen through the link, if any. */
  topicCost(topic: Id): number | undefined {
    return this.link.outTopics.get(topic);
  }

  /** Publishes a payload on a topic. Returns false when the link asks to slow down (see `link.drained()`). */
  sendToTopic(topic: Id, data: unknown): boolean {
    return this.link.send(new TopicDataMessage(toId(topic), data instanceof RawData ? data : RawData.from(data)));
  }

  /** Publishes a topic's state (paused or not). */
  sendTopicControl(topic: Id, control: { paused: boolean }): boolean {
    return this.link.send(new TopicControlMessage(toId(topic), control.paused));
  }

  /**
   * Requests a topic and listens to it in one step. Returns the function
   * that undoes both (safe to call twice).
   */
  subscribe(topic: Id, listener: TopicListener): () => void {
    const off = this.listenTopic(topic, listener);
    this.registerInTopics([topic]);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      off();
      this.unregisterInTopics([topic]);
    };
  }

  /** Calls `listener` for messages about one topic. Returns the function that removes it. */
  listenTopic(topic: Id, listener: TopicListener): () => void {
    return this.fanOut.listenTopic(toId(topic), listener);
  }

  /** Sends a payload to a numeric address and port. Returns false when the link asks to slow down. */
  sendToAddress(address: Id, port: number, data: unknown): boolean {
    return this.link.send(new AddressedMessage(toId(address), port, data instanceof RawData ? data : RawData.from(data)));
  }

  /**
   * Calls `handler` for every Addressed message to `port`. One handler per
   * port; returns the function that removes it.
   */
  listenPort(port: number, handler: PortHandler): () => void {
    return this.fanOut.listenPort(port, handler);
  }

  /** Sees every message the client consumes (after dropping data of unrequested topics). */
  addReceiver(receiver: MessageReceiver): () => void {
    return this.fanOut.addReceiver(receiver);
  }

  /**
   * Registers a cleanup to run when the client stops (it receives the
   * {@link ClientStoppedError}) or its link closes (it receives a
   * `ConnectionClosedError` with the cause). Used by waits so none outlives
   * the client. Returns the function that unregisters it.
   */
  onStop(reject: (error: Error) => void): () => void {
    this.stopWaiters.add(reject);
    return () => this.stopWaiters.delete(reject);
  }

  /** Sees each consumed message before the fan-out (the client's name cache follows withdrawn addresses). @internal */
  protected onMessage(message: Message): void {
    this.fanOut.dispatch(message);
  }

  /** Reports a problem the client survived as an `error` event. @internal */
  protected reportError(err: unknown): void {
    this.events.emit('error', err instanceof Error ? err : new Error(String(err)));
  }
}

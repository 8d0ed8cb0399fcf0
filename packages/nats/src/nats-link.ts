import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import {
  AddressesChangedMessage,
  ConnectionClosedError,
  DecodeError,
  Emitter,
  InTopicsChangedMessage,
  Link,
  MessageType,
  OutTopicsChangedMessage,
  RawData,
  TopicControlMessage,
  TopicDataMessage,
  decodeMessage,
  encodeMessage,
  type Id,
  type WaitOptions,
  type Message,
  type PricedId,
} from '@streamtasks/link';
import { boundedWait, validateMessage } from '@streamtasks/link/internal';
import {
  DEFAULT_DEAD_AFTER,
  DEFAULT_HEARTBEAT_INTERVAL,
  DEFAULT_HIGH_WATER_MARK,
  DEFAULT_MAX_MESSAGE_SIZE,
  DEFAULT_NATS_COST,
  DEFAULT_NETWORK,
  DEFAULT_REASSEMBLY_LIMIT,
  PIECE_HEADROOM,
  REASSEMBLY_TIMEOUT,
  TOPIC_BATCH_BYTES,
} from './constants.js';
import { RoguePublishError } from './errors.js';
import { Membership } from './membership.js';
import { PIECE_HEADER, Reassembler } from './pieces.js';
import { Publisher } from './publisher.js';
import { RemoteState } from './remote-state.js';
import { NO_CHANGES, decodeState, encodeState, type RouteChanges, type StateMessage } from './state-codec.js';
import { Subjects } from './subjects.js';
import { CONTROL, TopicBatch, readTopicEntries } from './topic-batch.js';
import { randomNodeId } from './node-id.js';

/** Options of a {@link NatsLink}, besides the connection. */
export interface NatsLinkOptions {
  /** Nodes with the same network name form one network. Default {@link DEFAULT_NETWORK}. */
  network?: string;
  /** Cost added to every route received through NATS. Default {@link DEFAULT_NATS_COST}. */
  cost?: number;
  /** Milliseconds between heartbeats. Default {@link DEFAULT_HEARTBEAT_INTERVAL}. */
  heartbeatInterval?: number;
  /** Milliseconds of silence after which a node is declared dead. Default {@link DEFAULT_DEAD_AFTER}. */
  deadAfter?: number;
  /** Largest message sent or reassembled (split into pieces above `max_payload`). Default 16 MiB. */
  maxMessageSize?: number;
  /** Bytes of unfinished split messages kept per sending node. Default 32 MiB. */
  reassemblyLimit?: number;
  /** Unconfirmed published bytes above which `send()` returns false. Default 4 MiB. */
  highWaterMark?: number;
  /** This node's id in subjects (letters and digits). Default: a fresh random id. */
  nodeId?: string;
}

/** Counters of a {@link NatsLink}. */
export interface NatsLinkStats {
  /** Messages published to NATS (a split message counts each piece). */
  readonly published: number;
  /** Messages received from NATS that were malformed or did not belong on their subject, and were dropped. */
  readonly rejected: number;
  /** Split messages dropped because a piece was lost or they did not fit the reassembly buffer. */
  readonly piecesDropped: number;
  /** Nodes of the network besides this one whose state is known. */
  readonly nodes: number;
}

/** Events of the network as one {@link NatsLink} sees it. */
export interface NetworkEvents {
  /** A node's state became known. */
  join: [node: string];
  /** A node said goodbye (`left`) or fell silent (`dead`); what it announced is withdrawn. */
  leave: [node: string, why: 'left' | 'dead'];
  /** What the other nodes announced changed (after the link passed it on). */
  change: [];
}

interface Request {
  readonly provider: string;
  readonly subscription: Subscription;
}

/**
 * A link whose far side is every other node of one network on a NATS
 * cluster. What it offers the switch (its `outTopics` and `addresses`) is
 * what the other nodes provide and reach, at the cheapest node's cost plus
 * the link's; its `inTopics` are the topics other nodes request from this
 * node.
 *
 * Topic data is published once on the topic's subject of this node, to
 * which only the nodes that requested it subscribe: NATS does the fan-out.
 * Data and control sent on one topic in a row (within one turn of the event
 * loop) travel as one NATS message. Addressed messages go to the subject of
 * the one node that reaches the address cheapest. Route state travels as numbered changes,
 * full states on request and heartbeats (see the subject layout in
 * {@link Subjects}). Everything received goes through the same decoders as
 * bytes from a socket; what does not decode, or does not belong on its
 * subject, is reported as an `error` event and dropped.
 *
 * Create it with {@link connectNats}; closing it says goodbye to the other
 * nodes and closes the NATS connection.
 */
export class NatsLink extends Link {
  readonly nodeId: string;
  /** The network name. */
  readonly networkName: string;
  /** Nodes joining and leaving, and changes of their routes. */
  readonly network = new Emitter<NetworkEvents>();
  readonly subjects: Subjects;
  /** Resolves once the NATS connection is closed and every timer stopped. Never rejects. */
  readonly released: Promise<void>;

  private readonly nc: NatsConnection;
  private readonly publisher: Publisher;
  private readonly remote: RemoteState;
  private readonly membership: Membership;
  private readonly reassembler: Reassembler;
  private readonly highWaterMark: number;
  private readonly subscriptions = new Set<Subscription>();
  private readonly heartbeat: ReturnType<typeof setInterval>;
  private resolveReleased!: () => void;
  private seq = 0;
  private rejected = 0;
  private readonly provides = new Map<Id, number>();
  private readonly reaches = new Map<Id, number>();
  /** Topics this side asked for. */
  private readonly wanted = new Set<Id>();
  /** The provider node each wanted topic is subscribed from. */
  private readonly requests = new Map<Id, Request>();
  /** Subjects of our topics that others request. */
  private readonly topicSubjects = new Map<Id, string>();
  /** Last control state published per topic, for nodes that request it later. */
  private readonly controlSent = new Map<Id, boolean>();
  /** Last control state passed on per wanted topic, so that each arrives once. */
  private readonly controlReceived = new Map<Id, boolean>();
  /** Bytes published and not yet confirmed by the server. */
  private unconfirmed = 0;
  /** Bytes published since the last confirmation was asked for. */
  private unasked = 0;
  /** Topic data and control not yet published (see {@link NatsLink.batchTopic}). */
  private readonly batch = new TopicBatch();
  private batchQueued = false;
  private readonly publishBatchLater = (): void => {
    this.batchQueued = false;
    try {
      this.publishBatch();
    } catch (err) {
      this.reportError(err instanceof Error ? err : new Error(String(err)));
    }
  };
  /** Set once the first answer to our hello arrived, or the server said nobody heard it. */
  private answered = false;

  /** @internal use {@link connectNats} */
  constructor(nc: NatsConnection, options: NatsLinkOptions = {}) {
    super({ cost: options.cost ?? DEFAULT_NATS_COST });
    this.nc = nc;
    this.networkName = options.network ?? DEFAULT_NETWORK;
    this.subjects = new Subjects(this.networkName);
    this.nodeId = options.nodeId ?? randomNodeId();
    this.highWaterMark = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    const maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    const reassemblyLimit = options.reassemblyLimit ?? DEFAULT_REASSEMBLY_LIMIT;
    this.publisher = new Publisher(nc, this.nodeId, maxMessageSize);
    this.remote = new RemoteState(this.nodeId);
    this.reassembler = new Reassembler({
      maxMessageSize,
      perSenderLimit: reassemblyLimit,
      totalLimit: 2 * reassemblyLimit,
      timeout: REASSEMBLY_TIMEOUT,
      onDrop: (error) => this.reportError(error),
    });
    this.membership = new Membership(
      {
        apply: (node, changes, full) => {
          const joined = !this.remote.has(node);
          this.update(() => (full ? this.remote.replace(node, changes) : this.remote.apply(node, changes)));
          if (joined) this.network.emit('join', node);
        },
        gone: (node, why) => {
          this.reassembler.forget(node);
          this.update(() => this.remote.remove(node));
          this.network.emit('leave', node, why);
        },
        ask: (node) => this.publishSafely(this.subjects.ask(node), encodeState(this.beat()), this.subjects.snap(this.nodeId)),
        roundTrip: () => this.nc.flush(),
      },
      options.deadAfter ?? DEFAULT_DEAD_AFTER,
    );
    this.released = new Promise((resolve) => (this.resolveReleased = resolve));

    const s = this.subjects;
    this.listen(s.allStates, (msg, bytes) => this.onState(msg, bytes));
    this.listen(s.hello, (msg, bytes) => this.onHello(msg, bytes));
    this.listen(s.ask(this.nodeId), (msg) => this.onAsk(msg));
    this.listen(s.snap(this.nodeId), (msg, bytes) => this.onSnapshot(msg, bytes));
    this.listen(s.node(this.nodeId), (msg, bytes) => this.onDirect(msg, bytes));
    // Everyone answers a hello with its full state: a joining node learns the network at once.
    this.publishSafely(s.hello, encodeState(this.full()), s.snap(this.nodeId));
    this.heartbeat = setInterval(() => {
      this.publishSafely(s.state(this.nodeId), encodeState(this.beat()));
      this.reassembler.sweep();
    }, options.heartbeatInterval ?? DEFAULT_HEARTBEAT_INTERVAL);
    void this.watchStatus();
    void nc.closed().then((err) => {
      if (!this.isClosed) this.closeFromPeer(new ConnectionClosedError('the NATS connection closed', { cause: err ?? undefined }));
    });
  }

  get stats(): NatsLinkStats {
    return {
      published: this.publisher.published,
      rejected: this.rejected,
      piecesDropped: this.reassembler.dropped,
      nodes: this.membership.size,
    };
  }

  override get needsDrain(): boolean {
    return this.unconfirmed > this.highWaterMark;
  }

  /**
   * Resolves once the network answered this node's hello: the first other
   * node's full state arrived (the others answer at the same time), or the
   * server said that no node is there. {@link connectNats} waits for it, so
   * a client on a fresh link sees the network's routes right away.
   */
  ready(options?: WaitOptions): Promise<void> {
    return this.waitUntil('the network to answer', () => this.answered, options);
  }

  /** Resolves once `address` is reachable through another node of the network. */
  reachable(address: Id, options?: WaitOptions): Promise<void> {
    return this.waitUntil(`address ${address} to be reachable`, () => this.remote.addresses.best(address) !== undefined, options);
  }

  private waitUntil(what: string, check: () => boolean, options?: WaitOptions): Promise<void> {
    if (this.isClosed) return Promise.reject(new ConnectionClosedError('link is closed', { cause: this.closeReason }));
    if (check()) return Promise.resolve();
    return boundedWait<void>(what, options, (resolve, reject) => {
      const offChange = this.network.on('change', () => check() && resolve());
      const offClose = this.events.on('close', (reason) => reject(new ConnectionClosedError(`link closed while waiting for ${what}`, { cause: reason })));
      return () => {
        offChange();
        offClose();
      };
    });
  }

  /** Number of other nodes that requested `topic` from this node. */
  requesterCount(topic: Id): number {
    return this.remote.requestersOf(topic)?.size ?? 0;
  }

  /** The node this node gets `topic` from, if it requested it and someone provides it. */
  providerOf(topic: Id): string | undefined {
    return this.requests.get(topic)?.provider;
  }

  /** The NATS server this link is connected to now (`host:port`). */
  get server(): string {
    return this.nc.getServer();
  }

  /** Ends the link and waits until the NATS connection is closed. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.released;
  }

  // ---- sending ----------------------------------------------------------

  protected transmit(message: Message): boolean {
    switch (message.type) {
      case MessageType.TopicData: {
        validateMessage(message);
        const payload = message.data.bytes;
        // Only nodes that requested the topic from us listen; without them nobody would get it.
        if (this.inTopics.has(message.topic)) this.batchTopic(message.topic, payload);
        break;
      }
      case MessageType.TopicControl:
        validateMessage(message);
        this.controlSent.set(message.topic, message.paused);
        if (this.inTopics.has(message.topic)) this.batchTopic(message.topic, message.paused);
        break;
      case MessageType.Addressed: {
        const bytes = encodeMessage(message);
        const route = this.remote.addresses.best(message.address);
        // Unknown address: dropped, as a switch drops it (datagram semantics).
        if (route) {
          this.publishBatch(); // what was sent before goes first
          this.publishCounted(this.subjects.node(route.node), bytes);
        }
        break;
      }
      case MessageType.OutTopicsChanged:
      case MessageType.OutTopicsChangedRecv:
        validateMessage(message);
        this.announceRoutes(this.provides, message.add, message.remove, 'provide');
        break;
      case MessageType.AddressesChanged:
      case MessageType.AddressesChangedRecv:
        validateMessage(message);
        this.announceRoutes(this.reaches, message.add, message.remove, 'reach');
        break;
      case MessageType.InTopicsChanged:
        validateMessage(message);
        this.changeWanted(message.add, message.remove);
        break;
    }
    return !this.needsDrain;
  }

  /** The subject of one of our topics (kept while others request it: it is built once, not per message). */
  private topicSubject(topic: Id): string {
    let subject = this.topicSubjects.get(topic);
    if (subject === undefined) this.topicSubjects.set(topic, (subject = this.subjects.topic(this.nodeId, topic)));
    return subject;
  }

  private announceRoutes(table: Map<Id, number>, add: readonly PricedId[], remove: readonly (Id | PricedId)[], kind: 'provide' | 'reach'): void {
    const removed: Id[] = [];
    for (const r of remove) {
      const id = typeof r === 'object' ? r.id : r;
      if (table.delete(id)) removed.push(id);
    }
    const added: PricedId[] = [];
    for (const p of add) {
      if (table.get(p.id) === p.cost) continue;
      table.set(p.id, p.cost);
      added.push({ id: p.id, cost: p.cost });
    }
    if (added.length === 0 && removed.length === 0) return;
    this.announce(kind === 'provide' ? { ...NO_CHANGES, provide: added, unprovide: removed } : { ...NO_CHANGES, reach: added, unreach: removed });
  }

  private changeWanted(add: readonly Id[], remove: readonly Id[]): void {
    const changed: Id[] = [];
    for (const topic of add) {
      if (this.wanted.has(topic)) continue;
      this.wanted.add(topic);
      changed.push(topic);
    }
    for (const topic of remove) {
      if (!this.wanted.delete(topic)) continue;
      this.controlReceived.delete(topic);
      changed.push(topic);
    }
    this.resubscribe(changed);
  }

  /** Makes the subscription of each topic match whether it is wanted and who provides it cheapest; announces the changes. */
  private resubscribe(topics: Iterable<Id>): void {
    const request: Array<[Id, string]> = [];
    const unrequest: Id[] = [];
    for (const topic of topics) {
      const provider = this.wanted.has(topic) ? this.remote.topics.best(topic)?.node : undefined;
      const current = this.requests.get(topic);
      if (current?.provider === provider) continue;
      if (current) {
        current.subscription.unsubscribe();
        this.subscriptions.delete(current.subscription);
        this.requests.delete(topic);
      }
      if (provider === undefined) {
        unrequest.push(topic);
        continue;
      }
      // Subscribed before the request is announced: the provider's first message finds us listening.
      const subscription = this.listen(this.subjects.topic(provider, topic), (msg, bytes) => this.onTopic(topic, provider, msg, bytes));
      this.requests.set(topic, { provider, subscription });
      request.push([topic, provider]);
    }
    if (request.length > 0 || unrequest.length > 0) this.announce({ ...NO_CHANGES, request, unrequest });
  }

  private announce(changes: RouteChanges): void {
    this.seq++;
    this.publishSafely(this.subjects.state(this.nodeId), encodeState({ kind: 'change', node: this.nodeId, seq: this.seq, changes }));
  }

  private beat(): StateMessage {
    return { kind: 'beat', node: this.nodeId, seq: this.seq };
  }

  private full(): StateMessage {
    const priced = (m: Map<Id, number>) => [...m].map(([id, cost]) => ({ id, cost }));
    return {
      kind: 'full',
      node: this.nodeId,
      seq: this.seq,
      changes: {
        ...NO_CHANGES,
        provide: priced(this.provides),
        reach: priced(this.reaches),
        request: [...this.requests].map(([topic, r]) => [topic, r.provider] as const),
      },
    };
  }

  /**
   * Adds a data payload (or a control state) to the batch of the topic's
   * subject. The batch is published at the end of this turn of the event
   * loop, when it reaches {@link TOPIC_BATCH_BYTES} (or the server's
   * `max_payload`), or before anything else is published: the order in
   * which this node publishes stays the order in which it was sent.
   */
  private batchTopic(topic: Id, entry: Uint8Array | boolean): void {
    if (typeof entry !== 'boolean' && entry.length + 5 > this.publisher.maxMessageSize) {
      throw new RangeError(`message of ${entry.length} bytes exceeds the maximum of ${this.publisher.maxMessageSize} bytes`);
    }
    const subject = this.topicSubject(topic);
    const batch = this.batch;
    if (batch.subject !== subject) this.publishBatch();
    this.unconfirmed += typeof entry === 'boolean' ? batch.control(subject, entry) : batch.data(subject, entry);
    if (batch.size >= Math.min(TOPIC_BATCH_BYTES, this.publisher.maxPayload - PIECE_HEADROOM)) {
      this.publishBatch();
    } else if (!this.batchQueued) {
      this.batchQueued = true;
      queueMicrotask(this.publishBatchLater);
    }
  }

  /** Publishes the waiting batch, if any. A connection that closed meanwhile loses it (the link closes with it). */
  private publishBatch(): void {
    const subject = this.batch.subject;
    if (subject === undefined) return;
    const bytes = this.batch.take();
    if (this.nc.isClosed() || this.nc.isDraining()) return;
    const n = this.publisher.publish(subject, bytes);
    this.unasked += n;
    if (this.unasked >= this.highWaterMark / 4) this.askConfirmation();
  }

  /**
   * Publishes a message of the data path, counting bytes for backpressure.
   * Confirmation is pipelined: every quarter of the high-water mark a PING
   * goes out, and its PONG confirms the bytes published before it, while
   * publishing goes on. A publisher only waits when four quarters are on
   * the way, and then for the oldest one alone, not for the server to have
   * taken everything (which left it idle for a whole round trip per
   * high-water mark).
   */
  private publishCounted(subject: string, bytes: Uint8Array): void {
    const n = this.publisher.publish(subject, bytes);
    this.unconfirmed += n;
    this.unasked += n;
    if (this.unasked >= this.highWaterMark / 4) this.askConfirmation();
  }

  private askConfirmation(): void {
    const counted = this.unasked;
    this.unasked = 0;
    this.nc.flush().then(
      () => {
        const waiting = this.needsDrain;
        this.unconfirmed -= counted;
        if (waiting && !this.needsDrain && !this.isClosed) this.events.emit('drain');
      },
      () => undefined, // the connection closed: the link closes with it
    );
  }

  /** Publishes route state; a connection that is closing loses it (the link closes with it). */
  private publishSafely(subject: string, bytes: Uint8Array, reply?: string): void {
    if (this.nc.isClosed() || this.nc.isDraining()) return;
    try {
      this.publishBatch(); // what was sent before goes first
      this.publisher.publish(subject, bytes, reply);
    } catch (err) {
      this.reportError(err instanceof Error ? err : new Error(String(err)));
    }
  }

  // ---- receiving --------------------------------------------------------

  /** Subscribes with a callback that gets whole messages (split ones put together again). */
  private listen(subject: string, handle: (msg: Msg, bytes: Uint8Array) => void): Subscription {
    const subscription = this.nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err || this.isClosed) return;
        if (msg.headers && msg.headers.code !== 0) {
          // A status from the server, not a message of a node: 503 "no responders" means nobody heard our hello.
          if (msg.headers.code === 503) this.setAnswered();
          return;
        }
        const piece = msg.headers?.get(PIECE_HEADER);
        const bytes = piece ? this.reassembler.accept(msg.subject, piece, msg.data) : msg.data;
        if (bytes === undefined) return;
        try {
          handle(msg, bytes);
        } catch (error) {
          this.reject(msg.subject, error);
        }
      },
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  private reject(subject: string, error: unknown): void {
    this.rejected++;
    const problem = error instanceof Error ? error.message : String(error);
    this.reportError(new RoguePublishError(subject, problem, { cause: error }));
  }

  private onState(msg: Msg, bytes: Uint8Array): void {
    const sender = this.subjects.stateSender(msg.subject);
    const state = decodeState(bytes);
    if (sender === undefined || state.node !== sender) throw new DecodeError(`state of node ${state.node} on the subject of another`);
    if (state.kind === 'full') throw new DecodeError('a full state on a state subject');
    if (sender !== this.nodeId) this.membership.receive(state);
  }

  private onHello(msg: Msg, bytes: Uint8Array): void {
    const state = decodeState(bytes);
    if (state.kind !== 'full' || msg.reply !== this.subjects.snap(state.node)) throw new DecodeError('a hello must be a full state with its reply subject');
    if (state.node === this.nodeId) return;
    this.membership.receive(state);
    this.publishSafely(msg.reply, encodeState(this.full()));
  }

  private onAsk(msg: Msg): void {
    if (msg.reply === undefined || this.subjects.snapTarget(msg.reply) === undefined) throw new DecodeError('a request for the full state without a valid reply subject');
    this.publishSafely(msg.reply, encodeState(this.full()));
  }

  private onSnapshot(_msg: Msg, bytes: Uint8Array): void {
    const state = decodeState(bytes);
    if (state.kind !== 'full') throw new DecodeError(`a ${state.kind} message where a full state belongs`);
    if (state.node !== this.nodeId) this.membership.receive(state);
    this.setAnswered();
  }

  private setAnswered(): void {
    if (this.answered) return;
    this.answered = true;
    this.network.emit('change');
  }

  private onDirect(_msg: Msg, bytes: Uint8Array): void {
    const message = decodeMessage(bytes);
    if (message.type === MessageType.Addressed) return this.receive(message);
    if (message.type === MessageType.TopicControl) return this.passControl(message.topic, message.paused, message);
    throw new DecodeError(`message type ${message.type} on a node subject`);
  }

  /** A batch of the topic's data and control (see {@link readTopicEntries}); payloads stay undecoded views of the NATS message. */
  private onTopic(topic: Id, provider: string, _msg: Msg, bytes: Uint8Array): void {
    const entries = readTopicEntries(bytes);
    if (this.requests.get(topic)?.provider !== provider) return; // a provider we just left
    this.membership.heard(provider, Date.now());
    for (let i = 0; i < entries.length; i += 2) {
      const start = entries[i]!;
      const end = entries[i + 1]!;
      if (start === CONTROL) this.passControl(topic, end === 1, new TopicControlMessage(topic, end === 1));
      else this.receive(new TopicDataMessage(topic, RawData.fromBytes(bytes.subarray(start, end))));
    }
  }

  private passControl(topic: Id, paused: boolean, message: Message): void {
    if (!this.wanted.has(topic) || this.controlReceived.get(topic) === paused) return;
    this.controlReceived.set(topic, paused);
    this.receive(message);
  }

  /** Applies a change of the remote state and tells the local side what follows from it. */
  private update(change: () => void): void {
    change();
    const topics = this.remote.topics.takeChanges();
    const addresses = this.remote.addresses.takeChanges();
    const requests = this.remote.takeRequestChanges();
    if (topics.add.length > 0 || topics.remove.length > 0) this.receive(new OutTopicsChangedMessage(topics.add, topics.remove));
    if (addresses.add.length > 0 || addresses.remove.length > 0) this.receive(new AddressesChangedMessage(addresses.add, addresses.remove));
    if (requests.first.length > 0 || requests.last.length > 0) {
      for (const topic of requests.last) {
        this.controlSent.delete(topic);
        this.topicSubjects.delete(topic);
      }
      this.receive(new InTopicsChangedMessage(requests.first, requests.last));
    }
    // A node that joins a topic others already get learns its state from us directly (once).
    for (const [topic, node] of requests.joined) {
      const paused = this.controlSent.get(topic);
      if (paused !== undefined) this.publishSafely(this.subjects.node(node), encodeMessage(new TopicControlMessage(topic, paused)));
    }
    this.resubscribe(topics.moved.filter((t) => this.wanted.has(t)));
    this.network.emit('change');
  }

  private async watchStatus(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (this.isClosed) return;
      if (status.type === 'disconnect') {
        this.membership.suspend();
      } else if (status.type === 'reconnect') {
        this.membership.resume();
        // Some messages may have been lost meanwhile: tell everyone our state and hear theirs.
        this.publishSafely(this.subjects.hello, encodeState(this.full()), this.subjects.snap(this.nodeId));
      }
    }
  }

  // ---- closing ----------------------------------------------------------

  protected onClose(): void {
    clearInterval(this.heartbeat);
    this.membership.close();
    this.network.removeAllListeners();
    this.reassembler.clear();
    // Withdraw at once: the other nodes do not wait for the heartbeat to stop.
    this.publishSafely(this.subjects.state(this.nodeId), encodeState({ kind: 'bye', node: this.nodeId, seq: this.seq }));
    for (const s of this.subscriptions) s.unsubscribe();
    const nc = this.nc;
    void (async () => {
      try {
        if (!nc.isClosed()) {
          await nc.flush().catch(() => undefined);
          await nc.close();
        }
      } finally {
        this.resolveReleased();
      }
    })();
  }
}

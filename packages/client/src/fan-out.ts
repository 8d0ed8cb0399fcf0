// Hands each message the client consumes to whoever asked for it: topic
// listeners by topic id, port handlers by port, and the catch-all receivers.
// Lookups are indexed, so a client with many topics pays nothing per message
// for the topics a message is not about.
import { MessageType, type AddressedMessage, type Id, type Link, type Message, type MessageReceiver, type RawData } from '@streamtasks/link';
import { PortInUseError } from './errors.js';

/**
 * Callbacks for one topic (see `Client.listenTopic`). Data and control
 * arrive only while the topic is registered as an in-topic.
 */
export interface TopicListener {
  /** A payload was published on the topic. */
  data?(data: RawData, topic: Id): void;
  /** The topic was paused or resumed. */
  control?(paused: boolean, topic: Id): void;
  /** The cost of the topic's cheapest provider changed (`undefined`: no provider). */
  cost?(cost: number | undefined, topic: Id): void;
  /** Someone started (`true`) or stopped (`false`) wanting this client's out-topic. */
  requested?(requested: boolean, topic: Id): void;
}

/** Handles the Addressed messages that reach one port of the client. */
export type PortHandler = (message: AddressedMessage) => void;

/**
 * What the fan-out knows of one topic, in one entry so that a TopicData
 * message costs one map lookup: whether the client wants its data and
 * control, and who listens to it.
 */
interface TopicEntry {
  wanted: boolean;
  // Replaced, never mutated, so a dispatch iterates a stable snapshot.
  listeners: readonly TopicListener[];
}

export class FanOut {
  /** Topics that are wanted or listened to (an entry with neither is deleted). */
  private readonly topics = new Map<Id, TopicEntry>();
  private readonly portHandlers = new Map<number, PortHandler>();
  private receivers: readonly MessageReceiver[] = [];
  /** Takes the Addressed messages to ports without a handler of their own (the client's return ports). */
  private otherPorts: PortHandler | undefined;

  /**
   * @param link whose route tables tell the current cost of a topic
   * @param report where a throwing listener's error goes
   */
  constructor(
    private readonly link: Link,
    private readonly report: (err: unknown) => void,
  ) {}

  /** Whether the data and control of `topics` are delivered (the client requested them) or dropped. */
  setWanted(topics: readonly Id[], wanted: boolean): void {
    for (const topic of topics) {
      const entry = this.topics.get(topic);
      if (entry) {
        entry.wanted = wanted;
        this.dropIfUnused(topic, entry);
      } else if (wanted) {
        this.topics.set(topic, { wanted, listeners: [] });
      }
    }
  }

  listenTopic(topic: Id, listener: TopicListener): () => void {
    const entry = this.topics.get(topic);
    if (entry) entry.listeners = [...entry.listeners, listener];
    else this.topics.set(topic, { wanted: false, listeners: [listener] });
    return () => {
      const current = this.topics.get(topic);
      if (!current) return;
      current.listeners = current.listeners.filter((l) => l !== listener);
      this.dropIfUnused(topic, current);
    };
  }

  private dropIfUnused(topic: Id, entry: TopicEntry): void {
    if (!entry.wanted && entry.listeners.length === 0) this.topics.delete(topic);
  }

  listenPort(port: number, handler: PortHandler): () => void {
    if (this.portHandlers.has(port)) throw new PortInUseError(port);
    this.portHandlers.set(port, handler);
    return () => {
      if (this.portHandlers.get(port) === handler) this.portHandlers.delete(port);
    };
  }

  /**
   * Sets the handler of the Addressed messages to ports that have no handler
   * of their own: the return ports of fetch, one registration for all of
   * them instead of one per request.
   */
  setOtherPortsHandler(handler: PortHandler | undefined): void {
    this.otherPorts = handler;
  }

  addReceiver(receiver: MessageReceiver): () => void {
    this.receivers = [...this.receivers, receiver];
    return () => {
      this.receivers = this.receivers.filter((r) => r !== receiver);
    };
  }

  dispatch(message: Message): void {
    switch (message.type) {
      case MessageType.TopicData: {
        // The hot path: one lookup, no closure per listener.
        const { topic } = message;
        const entry = this.topics.get(topic);
        if (entry === undefined || !entry.wanted) return;
        const { listeners } = entry;
        const { data } = message;
        for (let i = 0; i < listeners.length; i++) {
          try {
            listeners[i]!.data?.(data, topic);
          } catch (err) {
            this.report(err);
          }
        }
        break;
      }
      case MessageType.TopicControl:
        if (this.topics.get(message.topic)?.wanted !== true) return;
        this.notifyTopic(message.topic, (l) => l.control?.(message.paused, message.topic));
        break;
      case MessageType.Addressed: {
        // The hot path of fetch (both halves): no closure per message.
        const handler = this.portHandlers.get(message.port) ?? this.otherPorts;
        if (handler) {
          try {
            handler(message);
          } catch (err) {
            this.report(err);
          }
        }
        break;
      }
      case MessageType.InTopicsChanged:
        for (const t of message.add) this.notifyTopic(t, (l) => l.requested?.(true, t));
        for (const t of message.remove) this.notifyTopic(t, (l) => l.requested?.(false, t));
        break;
      case MessageType.OutTopicsChangedRecv:
        for (const p of message.remove) this.notifyTopic(p.id, (l) => l.cost?.(this.link.outTopics.get(p.id), p.id));
        for (const p of message.add) this.notifyTopic(p.id, (l) => l.cost?.(p.cost, p.id));
        break;
    }
    const receivers = this.receivers;
    for (let i = 0; i < receivers.length; i++) {
      try {
        receivers[i]!(message);
      } catch (err) {
        this.report(err);
      }
    }
  }

  private notifyTopic(topic: Id, call: (listener: TopicListener) => void): void {
    const entry = this.topics.get(topic);
    if (!entry) return;
    for (const listener of entry.listeners) this.guard(() => call(listener));
  }

  private guard(call: () => void): void {
    try {
      call();
    } catch (err) {
      this.report(err);
    }
  }
}

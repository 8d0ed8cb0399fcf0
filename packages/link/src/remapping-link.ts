import { toId, type Id, type PricedId } from './ids.js';
import { Link } from './link.js';
import {
  AddressesChangedRecvMessage,
  InTopicsChangedMessage,
  MessageType,
  OutTopicsChangedMessage,
  OutTopicsChangedRecvMessage,
  TopicControlMessage,
  TopicDataMessage,
  type Message,
} from './messages.js';

/**
 * Wraps a link and translates topic ids in every topic-carrying message:
 * outgoing messages from inside ids to outside ids, incoming ones back. Ids
 * missing from the map pass unchanged. This is how a participant is placed
 * into a topic space.
 *
 * The wrapped link keeps doing the routing bookkeeping (its cost is applied
 * once); closing either closes both.
 */
export class TopicRemappingLink extends Link {
  private readonly inner: Link;
  private readonly toOutside: Map<Id, Id>;
  private readonly toInside: Map<Id, Id>;

  constructor(inner: Link, topicIdMap: Iterable<readonly [Id, Id]>) {
    super({ cost: inner.cost });
    this.inner = inner;
    // Canonical ids (a small bigint becomes a number), or lookups would miss.
    this.toOutside = new Map(Array.from(topicIdMap, ([inside, outside]) => [toId(inside), toId(outside)]));
    this.toInside = new Map(Array.from(this.toOutside, ([inside, outside]) => [outside, inside]));
    // Take over what the wrapped link already knows, translated.
    for (const t of inner.inTopics) this.inTopics.add(this.mapId(this.toInside, t));
    for (const t of inner.subscribedTopics) this.subscribedTopics.add(this.mapId(this.toInside, t));
    for (const [t, c] of inner.outTopics) this.outTopics.set(this.mapId(this.toInside, t), c);
    for (const [a, c] of inner.addresses) this.addresses.set(a, c);
    if (inner.isClosed) {
      this.close(inner.closeReason);
      return;
    }
    inner.setReceiver((message) => this.receive(this.translate(message, this.toInside)));
    inner.events.on('error', (err) => this.reportError(err));
    inner.events.on('drain', () => this.events.emit('drain'));
    // What already arrived through the wrapped link stays readable here.
    inner.events.on('close', (reason) => this.closeFromPeer(reason));
  }

  override get kind(): string {
    return this.inner.kind;
  }

  override get remoteAddress(): string | undefined {
    return this.inner.remoteAddress;
  }

  override get needsDrain(): boolean {
    return this.inner.needsDrain;
  }

  protected transmit(message: Message): boolean {
    return this.inner.send(this.translate(message, this.toOutside));
  }

  protected onClose(reason: Error | undefined): void {
    this.inner.close(reason);
  }

  private mapId(map: Map<Id, Id>, id: Id): Id {
    const mapped = map.get(id);
    return mapped === undefined ? id : mapped;
  }

  private mapIds(map: Map<Id, Id>, ids: readonly Id[]): Id[] {
    return ids.map((id) => this.mapId(map, id));
  }

  private mapPriced(map: Map<Id, Id>, ids: readonly PricedId[]): PricedId[] {
    return ids.map((p) => ({ id: this.mapId(map, p.id), cost: p.cost }));
  }

  private translate(message: Message, map: Map<Id, Id>): Message {
    switch (message.type) {
      case MessageType.TopicData: {
        const topic = this.mapId(map, message.topic);
        return topic === message.topic ? message : new TopicDataMessage(topic, message.data);
      }
      case MessageType.TopicControl: {
        const topic = this.mapId(map, message.topic);
        return topic === message.topic ? message : new TopicControlMessage(topic, message.paused);
      }
      case MessageType.InTopicsChanged:
        return new InTopicsChangedMessage(this.mapIds(map, message.add), this.mapIds(map, message.remove));
      case MessageType.OutTopicsChanged:
        return new OutTopicsChangedMessage(this.mapPriced(map, message.add), this.mapIds(map, message.remove));
      case MessageType.OutTopicsChangedRecv:
        return new OutTopicsChangedRecvMessage(this.mapPriced(map, message.add), this.mapPriced(map, message.remove));
      case MessageType.AddressesChangedRecv:
        return new AddressesChangedRecvMessage(message.add, message.remove);
      default:
        return message;
    }
  }
}

import type { Id } from '@streamtasks/link';
import { ADDRESS_COUNTER_START, TOPIC_COUNTER_START, TOPIC_SPACE_COUNTER_START } from './protocol.js';

/** A registered topic space: its id and the map inside topic id → outside topic id. */
export interface TopicSpace {
  readonly id: Id;
  readonly map: ReadonlyMap<Id, Id>;
}

/**
 * Hands out ids from a counter, skipping the ids it was told are in use
 * (held by someone it did not give them to: a restarted discovery learns
 * them from the network's announcements). Only ids at or above the counter
 * are remembered, and each is forgotten once the counter passes it, so the
 * memory is bounded by the ids announced ahead of the counter.
 */
class IdCounter {
  private next: number;
  private handedOut = 0;
  private readonly inUse = new Set<number>();

  constructor(start: number) {
    this.next = start;
  }

  /** Ids handed out so far (skipped ones not counted). */
  get allocated(): number {
    return this.handedOut;
  }

  /** Marks an id as held elsewhere: it is never handed out. */
  markInUse(id: Id): void {
    if (typeof id === 'number' && id >= this.next) this.inUse.add(id);
    // A bigint id is beyond any counter value reachable here: it can never collide.
  }

  take(count: number): number[] {
    const ids: number[] = [];
    while (ids.length < count) {
      const id = this.next++;
      if (this.inUse.delete(id)) continue;
      ids.push(id);
    }
    this.handedOut += count;
    return ids;
  }
}

/**
 * What the discovery service knows: its counters, the address names and the
 * topic spaces. Plain bookkeeping, without any networking.
 */
export class DiscoveryState {
  private readonly addresses = new IdCounter(ADDRESS_COUNTER_START);
  private readonly topics = new IdCounter(TOPIC_COUNTER_START);
  private nextTopicSpace = TOPIC_SPACE_COUNTER_START;
  readonly names = new Map<string, Id>();
  readonly topicSpaces = new Map<Id, TopicSpace>();

  /** Addresses handed out so far. */
  get addressesAllocated(): number {
    return this.addresses.allocated;
  }

  /** Topic ids handed out so far (topic spaces included). */
  get topicsAllocated(): number {
    return this.topics.allocated;
  }

  /** An address someone on the network holds: it is never handed out. */
  addressInUse(address: Id): void {
    this.addresses.markInUse(address);
  }

  /** A topic id someone on the network provides: it is never handed out. */
  topicInUse(topic: Id): void {
    this.topics.markInUse(topic);
  }

  allocateAddresses(count: number): number[] {
    return this.addresses.take(count);
  }

  allocateTopics(count: number): number[] {
    return this.topics.take(count);
  }

  /** Gives each distinct topic id of `topicIds` a fresh outside topic id. */
  registerTopicSpace(topicIds: readonly Id[]): TopicSpace {
    const inside = [...new Set(topicIds)];
    const outside = this.allocateTopics(inside.length);
    const space: TopicSpace = { id: this.nextTopicSpace++, map: new Map(inside.map((t, i) => [t, outside[i]!])) };
    this.topicSpaces.set(space.id, space);
    return space;
  }
}

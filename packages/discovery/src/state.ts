import type { Id } from '@streamtasks/link';
import { ADDRESS_COUNTER_START, TOPIC_COUNTER_START, TOPIC_SPACE_COUNTER_START } from './protocol.js';

/** A registered topic space: its id and the map inside topic id → outside topic id. */
export interface TopicSpace {
  readonly id: Id;
  readonly map: ReadonlyMap<Id, Id>;
}

/**
 * What the discovery service knows: its counters, the address names and the
 * topic spaces. Plain bookkeeping, without any networking.
 */
export class DiscoveryState {
  private nextAddress = ADDRESS_COUNTER_START;
  private nextTopic = TOPIC_COUNTER_START;
  private nextTopicSpace = TOPIC_SPACE_COUNTER_START;
  readonly names = new Map<string, Id>();
  readonly topicSpaces = new Map<Id, TopicSpace>();

  /** Addresses handed out so far. */
  get addressesAllocated(): number {
    return this.nextAddress - ADDRESS_COUNTER_START;
  }

  /** Topic ids handed out so far (topic spaces included). */
  get topicsAllocated(): number {
    return this.nextTopic - TOPIC_COUNTER_START;
  }

  allocateAddresses(count: number): number[] {
    const start = this.nextAddress;
    this.nextAddress += count;
    return range(start, count);
  }

  allocateTopics(count: number): number[] {
    const start = this.nextTopic;
    this.nextTopic += count;
    return range(start, count);
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

function range(start: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + i);
}

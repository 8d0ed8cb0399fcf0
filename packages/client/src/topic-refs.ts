import { toId, type Id } from '@streamtasks/link';

/**
 * Reference counts of a client's topic registrations: only the first
 * registration and the last unregistration of a topic change what the
 * network is told.
 */
export class TopicRefs {
  private readonly refs = new Map<Id, number>();

  has(topic: Id): boolean {
    return this.refs.has(topic);
  }

  /** Counts one registration of each topic; returns the topics registered for the first time. */
  add(topics: Iterable<Id>): Id[] {
    const added: Id[] = [];
    for (const topic of topics) {
      const id = toId(topic);
      const n = this.refs.get(id) ?? 0;
      this.refs.set(id, n + 1);
      if (n === 0) added.push(id);
    }
    return added;
  }

  /** Drops one registration of each topic (all of them with `force`); returns the topics no longer registered. */
  drop(topics: Iterable<Id>, force: boolean): Id[] {
    const removed: Id[] = [];
    for (const topic of topics) {
      const id = toId(topic);
      const n = this.refs.get(id);
      if (n === undefined) continue;
      if (force || n <= 1) {
        this.refs.delete(id);
        removed.push(id);
      } else {
        this.refs.set(id, n - 1);
      }
    }
    return removed;
  }
}

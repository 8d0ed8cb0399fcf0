import type { Id, Link, Switch } from '@streamtasks/link';
import { sum } from './links.js';

/** Messages and bytes per second, in and out. */
export interface LinkRates {
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
}

/** Messages and bytes per second forwarded on one topic. */
export interface TopicRates {
  messages: number;
  bytes: number;
}

interface LinkSample {
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
}

const ZERO_LINK: LinkRates = Object.freeze({ messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 });
const ZERO_TOPIC: TopicRates = Object.freeze({ messages: 0, bytes: 0 });

/**
 * Turns the switch's growing counters into rates: every `interval` ms it
 * takes a sample of each link's and each topic's totals and keeps the rate
 * since the previous sample. Reading a rate costs a map lookup; the hot path
 * of the switch is not touched.
 */
export class RateSampler {
  /** Rates of the node as a whole: what all links received and sent. */
  node: LinkRates = ZERO_LINK;
  /** `Date.now()` of the last sample. */
  sampledAt = Date.now();
  private links = new Map<Link, LinkSample>();
  private linkRates = new Map<Link, LinkRates>();
  private topics = new Map<Id, { messages: number; bytes: number }>();
  private topicRates = new Map<Id, TopicRates>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly sw: Switch,
    readonly interval = 1000,
  ) {}

  start(): this {
    this.sample();
    this.timer ??= setInterval(() => this.sample(), this.interval);
    // A monitor must never keep a process alive on its own.
    (this.timer as { unref?: () => void }).unref?.();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }

  /** Calls `listener` after every sample; returns the unsubscribe function. */
  onSample(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  link(link: Link): LinkRates {
    return this.linkRates.get(link) ?? ZERO_LINK;
  }

  topic(topic: Id): TopicRates {
    return this.topicRates.get(topic) ?? ZERO_TOPIC;
  }

  /** Takes a sample now (also what the timer does). */
  sample(): void {
    const now = Date.now();
    const seconds = Math.max((now - this.sampledAt) / 1000, 1e-3);
    this.sampledAt = now;
    const links = new Map<Link, LinkSample>();
    const linkRates = new Map<Link, LinkRates>();
    const node: LinkRates = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 };
    for (const link of this.sw.links) {
      const s = link.counters;
      const current = { messagesIn: sum(s.messagesIn), messagesOut: sum(s.messagesOut), bytesIn: sum(s.bytesIn), bytesOut: sum(s.bytesOut) };
      links.set(link, current);
      const before = this.links.get(link);
      if (!before) continue;
      const rates = {
        messagesIn: (current.messagesIn - before.messagesIn) / seconds,
        messagesOut: (current.messagesOut - before.messagesOut) / seconds,
        bytesIn: (current.bytesIn - before.bytesIn) / seconds,
        bytesOut: (current.bytesOut - before.bytesOut) / seconds,
      };
      linkRates.set(link, rates);
      node.messagesIn += rates.messagesIn;
      node.messagesOut += rates.messagesOut;
      node.bytesIn += rates.bytesIn;
      node.bytesOut += rates.bytesOut;
    }
    this.links = links;
    this.linkRates = linkRates;
    this.node = node;

    const topics = new Map<Id, { messages: number; bytes: number }>();
    const topicRates = new Map<Id, TopicRates>();
    for (const info of this.sw.topicInfo()) {
      const current = { messages: info.messages, bytes: info.bytes };
      topics.set(info.topic, current);
      const before = this.topics.get(info.topic);
      if (before && (current.messages !== before.messages || current.bytes !== before.bytes)) {
        topicRates.set(info.topic, {
          messages: (current.messages - before.messages) / seconds,
          bytes: (current.bytes - before.bytes) / seconds,
        });
      }
    }
    this.topics = topics;
    this.topicRates = topicRates;
    for (const listener of this.listeners) listener();
  }
}

import { toId, type Id } from '@streamtasks/link';
import { Ports, type Client } from '@streamtasks/client';
import { FetchServer } from '@streamtasks/fetch';
import { TopicAllocationError } from './errors.js';
import { GET_TOPICS, NamespaceList } from './protocol.js';

/** Hands out `count` fresh topic ids (discovery's `requestTopicIds`, or discovery's own counter). */
export type TopicAllocator = (count: number) => readonly Id[] | Promise<readonly Id[]>;

export interface BroadcastingServerOptions {
  /** Where topic ids for new namespaces come from. */
  allocateTopics: TopicAllocator;
  /** Port of the `gettopics` fetch route. Default 102 (`Ports.BROADCAST`). */
  port?: number;
}

/**
 * Publishes data by namespace. Receivers ask it (fetch `gettopics` on port
 * 102) for the topics of their namespaces; a namespace gets a topic id from
 * the allocator the first time it is asked for, and the server provides that
 * topic from then on. {@link BroadcastingServer.broadcast} publishes on the
 * topic of a namespace.
 *
 * @example
 * ```ts
 * const server = new BroadcastingServer(client, {
 *   allocateTopics: (count) => requestTopicIds(client, count),
 * }).start();
 * server.broadcast('news', { headline: 'hello' });
 * ```
 */
export class BroadcastingServer {
  readonly client: Client;
  readonly port: number;
  /** The fetch server answering `gettopics` (its `events` report malformed requests). */
  readonly fetchServer: FetchServer;
  private readonly allocateTopics: TopicAllocator;
  private readonly topics = new Map<string, Id>();
  private readonly pending = new Map<string, Promise<unknown>>();
  private running = false;

  constructor(client: Client, options: BroadcastingServerOptions) {
    this.client = client;
    this.port = options.port ?? Ports.BROADCAST;
    this.allocateTopics = options.allocateTopics;
    this.fetchServer = new FetchServer(client, { port: this.port, name: 'broadcast' })
      .route(GET_TOPICS, { validate: NamespaceList }, ({ body }) => this.topicsFor(body));
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Namespaces that have a topic, with their topic ids. */
  get namespaces(): ReadonlyMap<string, Id> {
    return this.topics;
  }

  /** The topic of a namespace, if it has one yet. */
  topicOf(namespace: string): Id | undefined {
    return this.topics.get(namespace);
  }

  /** Starts answering `gettopics` and provides the topics of known namespaces. */
  start(): this {
    if (this.running) return this;
    this.fetchServer.start();
    this.running = true;
    if (this.topics.size > 0) this.client.registerOutTopics(this.topics.values());
    return this;
  }

  /**
   * Stops answering and withdraws the topics. Namespaces keep their topic
   * ids: after a restart they are provided again under the same ids.
   */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.fetchServer.stop();
    if (this.topics.size > 0 && !this.client.link.isClosed) {
      this.client.unregisterOutTopics(this.topics.values(), { force: true });
    }
  }

  [Symbol.dispose](): void {
    this.stop();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.stop();
  }

  /**
   * Publishes `data` on the topic of `namespace`. Returns false (and sends
   * nothing) when the server is stopped or no receiver ever asked for the
   * namespace — then nobody could be listening.
   */
  broadcast(namespace: string, data: unknown): boolean {
    const topic = this.topics.get(namespace);
    if (topic === undefined || !this.running) return false;
    this.client.sendToTopic(topic, data);
    return true;
  }

  /** The topics of `namespaces`, allocating (and providing) topics for new ones first. */
  private async topicsFor(namespaces: readonly string[]): Promise<Record<string, Id>> {
    const missing = [...new Set(namespaces)].filter((ns) => !this.topics.has(ns) && !this.pending.has(ns));
    if (missing.length > 0) {
      const allocation = this.allocate(missing);
      for (const ns of missing) this.pending.set(ns, allocation);
      try {
        await allocation;
      } finally {
        for (const ns of missing) this.pending.delete(ns);
      }
    }
    // Namespaces allocated by a concurrent request.
    await Promise.all(namespaces.map((ns) => this.pending.get(ns)));
    return Object.fromEntries(namespaces.map((ns) => {
      const topic = this.topics.get(ns);
      if (topic === undefined) throw new TopicAllocationError(`no topic for namespace ${JSON.stringify(ns)}`);
      return [ns, topic];
    }));
  }

  private async allocate(namespaces: readonly string[]): Promise<void> {
    let ids: readonly Id[];
    try {
      ids = (await this.allocateTopics(namespaces.length)).map((id) => toId(id));
    } catch (cause) {
      throw new TopicAllocationError(`could not allocate topics: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    }
    if (ids.length !== namespaces.length) {
      throw new TopicAllocationError(`the allocator returned ${ids.length} topic ids for ${namespaces.length} namespaces`);
    }
    namespaces.forEach((ns, i) => this.topics.set(ns, ids[i]!));
    // Provided before the answer leaves, so receivers find a provider when they subscribe.
    if (this.running) this.client.registerOutTopics(ids);
  }
}

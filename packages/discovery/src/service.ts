import { Emitter, MessageType, type Id, type Link, type Message } from '@streamtasks/link';
import { Client, DISCOVERY_ADDRESS, Topics, type ClientOptions } from '@streamtasks/client';
import { FetchServer } from '@streamtasks/fetch';
import { SignalServer } from '@streamtasks/signal';
import { BroadcastingServer } from '@streamtasks/broadcast';
import { installFetchRoutes, installSignalRoutes, releaseNamesOf, type RouteContext } from './routes.js';
import { DiscoveryState } from './state.js';

export interface DiscoveryServiceOptions {
  /** Milliseconds between two lighthouse messages on topic 0. Default 1000 (as in Python). */
  lighthouseInterval?: number;
  /** Options of the service's own client. */
  client?: ClientOptions;
}

/** Events of a {@link DiscoveryService}. */
export interface DiscoveryServiceEvents {
  /** A problem the service survived: a malformed request or signal, a failing route. */
  error: [error: Error];
}

/** Counters of a {@link DiscoveryService} (see {@link DiscoveryService.stats}). */
export interface DiscoveryStats {
  /** Addresses handed out since the service was created. */
  readonly addressesAllocated: number;
  /** Topic ids handed out (topic spaces included). */
  readonly topicsAllocated: number;
  /** Registered address names now. */
  readonly names: number;
  /** Registered topic spaces now. */
  readonly topicSpaces: number;
}

/** The payload the lighthouse publishes on topic 0. */
export const LIGHTHOUSE_PAYLOAD = 'running';

/**
 * The discovery service: runs at address 0 on its own client and hands out
 * addresses (from 10000) and topic ids (from 100000), keeps address names and
 * topic spaces, broadcasts name registrations on `address-name/registered`
 * and publishes the lighthouse (`"running"` on topic 0 every second).
 *
 * Ids are never handed out twice, across restarts too: the service skips
 * every address and topic id that the network announces as held or
 * provided, so a restarted discovery does not hand out an address a client
 * that survived it (or reconnected) still holds.
 *
 * Names track liveness: when the network withdraws an address (its client
 * closed, crashed or lost its connection), every name it held is released
 * and the release is broadcast (`address: nil`). A name held by another
 * reachable address is not taken silently: such a registration is answered
 * `bad_request` unless it says `replace: true`.
 *
 * Fetch routes on port 100, signals on 103, broadcasts on 102 — wire
 * compatible with the Python `DiscoveryWorker`.
 *
 * @example
 * ```ts
 * const hub = new Switch();
 * const [switchSide, serviceSide] = createQueueLinkPair();
 * hub.addLink(switchSide);
 * const discovery = new DiscoveryService(serviceSide).start();
 * // ...
 * discovery.close();
 * ```
 */
export class DiscoveryService {
  readonly client: Client;
  readonly events = new Emitter<DiscoveryServiceEvents>();
  private readonly state = new DiscoveryState();
  private readonly fetchServer: FetchServer;
  private readonly signalServer: SignalServer;
  private readonly broadcasts: BroadcastingServer;
  private readonly lighthouseInterval: number;
  private lighthouse: ReturnType<typeof setInterval> | undefined;
  private readonly context: RouteContext;
  private offLinkClose: (() => void) | undefined;
  private offAddressWatch: (() => void) | undefined;
  private running = false;

  constructor(link: Link, options: DiscoveryServiceOptions = {}) {
    this.lighthouseInterval = options.lighthouseInterval ?? 1000;
    this.client = new Client(link, options.client);
    this.fetchServer = new FetchServer(this.client, { name: 'discovery' });
    this.signalServer = new SignalServer(this.client, { name: 'discovery' });
    this.broadcasts = new BroadcastingServer(this.client, { allocateTopics: (count) => this.state.allocateTopics(count) });
    this.context = { client: this.client, state: this.state, broadcasts: this.broadcasts };
    installFetchRoutes(this.fetchServer, this.context);
    installSignalRoutes(this.signalServer, this.context);
    this.forwardErrors();
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** What the service handed out and holds. */
  get stats(): DiscoveryStats {
    const s = this.state;
    return { addressesAllocated: s.addressesAllocated, topicsAllocated: s.topicsAllocated, names: s.names.size, topicSpaces: s.topicSpaces.size };
  }

  /** Registered address names (read-only view). */
  get addressNames(): ReadonlyMap<string, Id> {
    return this.state.names;
  }

  /**
   * Takes address 0, provides topics 0 and 1, starts serving and lights the
   * lighthouse (a TopicControl `paused: false` once, then `"running"` at once
   * and every `lighthouseInterval` ms).
   */
  start(): this {
    if (this.running) return this;
    this.running = true;
    this.offLinkClose = this.client.link.events.on('close', () => this.stop());
    this.client.start();
    this.offAddressWatch = this.client.addReceiver((message) => this.watchRoutes(message));
    // A restarted discovery starts its counters afresh, while clients that survived on other
    // nodes, or came back with a reconnect, still hold what the last one handed out: what the
    // network announces is never handed out again. The link already knows what was announced
    // before the service started; what comes later arrives before any request that follows it.
    const { link } = this.client;
    for (const address of link.addresses.keys()) this.state.addressInUse(address);
    for (const topic of link.outTopics.keys()) this.state.topicInUse(topic);
    this.client.setAddress(DISCOVERY_ADDRESS);
    this.client.registerOutTopics([Topics.DISCOVERY_SIGNAL, Topics.ADDRESSES_CREATED]);
    this.fetchServer.start();
    this.signalServer.start();
    this.broadcasts.start();
    this.client.sendTopicControl(Topics.DISCOVERY_SIGNAL, { paused: false });
    this.shine();
    this.lighthouse = setInterval(() => this.shine(), this.lighthouseInterval);
    return this;
  }

  /**
   * Stops serving, puts out the lighthouse (no timer is left) and withdraws
   * address 0 and the topics. State (counters, names, topic spaces) is kept:
   * a restarted service never hands out an id twice. Safe to call twice.
   */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.offLinkClose?.();
    this.offLinkClose = undefined;
    this.offAddressWatch?.();
    this.offAddressWatch = undefined;
    clearInterval(this.lighthouse);
    this.lighthouse = undefined;
    this.fetchServer.stop();
    this.signalServer.stop();
    this.broadcasts.stop();
    if (!this.client.link.isClosed) {
      this.client.unregisterOutTopics([Topics.DISCOVERY_SIGNAL, Topics.ADDRESSES_CREATED], { force: true });
      this.client.setAddress(undefined);
    }
    this.client.stop();
  }

  /** Stops the service and closes its link. */
  close(): void {
    this.stop();
    this.client.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  /** Follows the network's routes: taken ids are not handed out; the names of a withdrawn address are released. */
  private watchRoutes(message: Message): void {
    if (message.type === MessageType.OutTopicsChangedRecv) {
      for (const { id } of message.add) this.state.topicInUse(id);
    } else if (message.type === MessageType.AddressesChangedRecv) {
      for (const { id } of message.add) this.state.addressInUse(id);
      for (const { id } of message.remove) {
        if (!this.client.link.addresses.has(id)) releaseNamesOf(this.context, id);
      }
    }
  }

  private shine(): void {
    try {
      this.client.sendToTopic(Topics.DISCOVERY_SIGNAL, LIGHTHOUSE_PAYLOAD);
    } catch (err) {
      this.events.emit('error', err instanceof Error ? err : new Error(String(err)));
    }
  }

  private forwardErrors(): void {
    const report = (error: Error) => this.events.emit('error', error);
    const reportHandler = (error: unknown, descriptor: string) =>
      report(new Error(`route ${JSON.stringify(descriptor)} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
    this.client.events.on('error', report);
    this.fetchServer.events.on('error', report);
    this.fetchServer.events.on('handler-error', reportHandler);
    this.signalServer.events.on('error', report);
    this.signalServer.events.on('handler-error', reportHandler);
    this.broadcasts.fetchServer.events.on('error', report);
    this.broadcasts.fetchServer.events.on('handler-error', reportHandler);
  }
}

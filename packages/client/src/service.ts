import { Emitter, Switch, addLocalLink, type Link, type QueueLink, type QueueLinkOptions } from '@streamtasks/link';
import type { Client } from './client.js';
import { createLocalClient, type LocalClientOptions } from './local-client.js';

/** Events of a {@link Service}. */
export interface ServiceEvents {
  /** The service stopped: `reason` is the failure that ended it (its network link closed, `onStart` threw), if any. */
  stopped: [reason: Error | undefined];
  /** `onStop` threw; the service stopped anyway. */
  error: [error: Error];
}

type State = 'new' | 'starting' | 'running' | 'stopped';

/**
 * The base of a service (the Python package's `Worker`): it has a switch of
 * its own, attached to the network through `link`, and creates its clients
 * on that switch. Subclasses set themselves up in {@link Service.onStart}
 * (create clients, servers, topics) and may release extra resources in
 * {@link Service.onStop}; everything created with {@link Service.createClient}
 * or {@link Service.createLink} is closed when the service stops.
 *
 * The service stops by `stop()`, by disposal (`await using`), or when its
 * network link closes; `stopped` then resolves (with the link's failure, if
 * one ended it).
 *
 * @example
 * ```ts
 * class Echo extends Service {
 *   protected onStart() {
 *     const client = this.createClient();
 *     client.listenPort(200, (message) => client.sendToAddress(10_000, 200, message.data));
 *   }
 * }
 * await using echo = await new Echo(addLocalLink(hub)).start();
 * ```
 */
export abstract class Service implements AsyncDisposable {
  /** The service's own switch; its clients and the network link are attached to it. */
  readonly switch = new Switch();
  readonly events = new Emitter<ServiceEvents>();
  /** Resolves once the service has stopped, with the failure that stopped it, if any. */
  readonly stopped: Promise<Error | undefined>;
  /** The link to the network (a connection, or a local link to a node's switch). */
  protected readonly link: Link;
  private readonly owned = new Set<{ close(): void }>();
  private state: State = 'new';
  private stopping: Promise<void> | undefined;
  private resolveStopped!: (reason: Error | undefined) => void;

  constructor(link: Link) {
    this.link = link;
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve));
  }

  /** Whether `start()` completed and the service has not stopped. */
  get isRunning(): boolean {
    return this.state === 'running';
  }

  /**
   * Attaches the network link to the switch and runs {@link Service.onStart}.
   * If that throws, the service stops again and the error is rethrown.
   * Resolves with the service; a second call does nothing.
   */
  async start(): Promise<this> {
    if (this.state !== 'new') return this;
    this.state = 'starting';
    this.switch.addLink(this.link);
    void this.link.closed.then((reason) => this.stop(reason));
    try {
      await this.onStart();
    } catch (err) {
      await this.stop(err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
    if (this.state === 'starting') this.state = 'running';
    return this;
  }

  /**
   * Runs {@link Service.onStop}, closes every client and link the service
   * created, and closes its switch (with it the network link, so the
   * network withdraws the service's addresses and topics). Safe to call
   * twice; resolves once stopped.
   */
  stop(reason?: Error): Promise<void> {
    this.stopping ??= this.shutdown(reason);
    return this.stopping;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** A started client on the service's switch, closed when the service stops. */
  createClient(options?: LocalClientOptions): Client {
    return this.own(createLocalClient(this.switch, options));
  }

  /** A link attached to the service's switch (for a client or switch of your own), closed when the service stops. */
  createLink(options?: QueueLinkOptions): QueueLink {
    return this.own(addLocalLink(this.switch, options));
  }

  /** Sets the service up: create clients with {@link Service.createClient}, start servers, register topics. */
  protected abstract onStart(): void | Promise<void>;

  /** Releases what the service holds besides its clients and links (they are closed after it). */
  protected onStop(): void | Promise<void> {}

  private own<T extends { close(): void }>(resource: T): T {
    if (this.state === 'stopped') {
      resource.close();
      throw new Error('the service has stopped');
    }
    this.owned.add(resource);
    return resource;
  }

  private async shutdown(reason: Error | undefined): Promise<void> {
    const started = this.state !== 'new';
    this.state = 'stopped';
    if (started) {
      try {
        await this.onStop();
      } catch (err) {
        this.events.emit('error', err instanceof Error ? err : new Error(String(err)));
      }
    }
    for (const resource of this.owned) resource.close();
    this.owned.clear();
    this.switch.close();
    if (!this.link.isClosed) this.link.close();
    this.resolveStopped(reason);
    this.events.emit('stopped', reason);
  }
}

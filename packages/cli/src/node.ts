import { Emitter, Switch, createQueueLinkPair, type Link } from '@streamtasks/link';
import { createLocalClient, type Client, type LocalClientOptions } from '@streamtasks/client';
import { DiscoveryService, discoveryNames } from '@streamtasks/discovery';
import { connectNats, isNatsUrl } from '@streamtasks/nats';
import {
  DEFAULT_NODE_URL,
  Reconnector,
  createReconnector,
  createServer,
  type ConnectionInfo,
  type ReconnectorStatus,
  type ServerOptions,
  type TransportServer,
} from '@streamtasks/transports';
import { startMonitor, type MonitorOptions, type MonitorServer } from '@streamtasks/monitoring';

export interface NodeOptions {
  /** Run the discovery service (address 0) in this node. */
  core?: boolean;
  /** URLs to listen on (`tcp://`, `unix://`, `ws://`); port 0 picks a free port. */
  serve?: readonly string[];
  /**
   * Also listen on the node's local unix socket (`node://`), where clients
   * and the command line connect when they are given no URL, as a Python
   * node always does: `true` for this machine's node name (`$NODE_NAME`,
   * else the host name), or a name. Default false here; `streamtasks node`
   * turns it on unless `--no-node-socket` is given.
   */
  nodeSocket?: boolean | string;
  /** URLs of other nodes, or `nats://` clusters, to stay connected to (reconnecting with backoff). */
  connect?: readonly string[];
  /** First delay before reconnecting, in ms. Default 1000. */
  reconnectDelay?: number;
  /** Lighthouse interval of the discovery service, in ms. Default 1000. */
  lighthouseInterval?: number;
  /**
   * Limits and settings of every server (`handshakeTimeout`, `maxConnections`,
   * `maxFrameSize`, `auth`…; see `ServerOptions` of `@streamtasks/transports`).
   * Defaults: those of `createServer`.
   */
  server?: Omit<ServerOptions, 'switch' | 'onConnection'>;
  /**
   * Serve the HTTP monitor (JSON stats, `/metrics`, the dashboard; see
   * `@streamtasks/monitoring`): where to listen (`127.0.0.1:8222`; loopback
   * unless a host is given), or its options.
   */
  monitor?: string | number | MonitorOptions;
}

/** Events of a {@link StreamtasksNode}, for logging and supervision. */
export interface NodeEvents {
  listening: [url: string];
  'connection-accepted': [server: string, info: ConnectionInfo, link: Link];
  'connection-rejected': [server: string, error: Error, remote: string];
  'connection-closed': [server: string, remote: string, reason: Error | undefined];
  'connector-status': [url: string, status: ReconnectorStatus];
  error: [error: Error];
}

/**
 * A streamtasks node: one switch, optionally the discovery service, servers
 * that add a link per accepted connection, and connectors that keep links to
 * other nodes up. This is what `streamtasks node` runs.
 *
 * @example
 * ```ts
 * await using node = await startNode({ core: true, serve: ['tcp://127.0.0.1:9002'] });
 * console.log(node.urls); // where clients can connect
 * ```
 */
export class StreamtasksNode {
  readonly switch = new Switch();
  readonly events = new Emitter<NodeEvents>();
  private readonly servers: TransportServer[] = [];
  private readonly connectors = new Map<string, Reconnector>();
  private discovery: DiscoveryService | undefined;
  private monitorServer: MonitorServer | undefined;
  private closed = false;

  /** Use {@link startNode}. */
  constructor() {
    this.switch.events.on('error', (err) => this.events.emit('error', err));
  }

  /** The URLs the node listens on (with the real port when port 0 was asked for). */
  get urls(): string[] {
    return this.servers.map((s) => s.url);
  }

  /**
   * A started client on a fresh in-process link to the node's switch (Python:
   * `Client(await switch.add_local_connection())`). Closing the client
   * removes the link; closing the node closes it. Names resolve through
   * discovery unless `options.nameResolver` says otherwise.
   */
  createClient(options?: LocalClientOptions): Client {
    return createLocalClient(this.switch, { nameResolver: discoveryNames, ...options });
  }

  /** The HTTP monitor's URL (`http://127.0.0.1:8222`), when one runs. */
  get monitorUrl(): string | undefined {
    return this.monitorServer?.url;
  }

  /** Whether the discovery service runs here. */
  get isCore(): boolean {
    return this.discovery !== undefined;
  }

  /** @internal */
  async start(options: NodeOptions): Promise<void> {
    if (options.core) {
      const [switchSide, serviceSide] = createQueueLinkPair();
      this.switch.addLink(switchSide);
      this.discovery = new DiscoveryService(serviceSide, { lighthouseInterval: options.lighthouseInterval }).start();
      this.discovery.events.on('error', (err) => this.events.emit('error', err));
    }
    const serve = [...(options.serve ?? [])];
    if (options.nodeSocket) serve.push(options.nodeSocket === true ? DEFAULT_NODE_URL : `node://${options.nodeSocket}`);
    for (const url of serve) {
      const server = await createServer(url, { ...options.server, switch: this.switch });
      this.servers.push(server);
      const where = server.url;
      server.events.on('connection-accepted', (link, info) => this.events.emit('connection-accepted', where, info, link));
      server.events.on('connection-rejected', (err, remote) => this.events.emit('connection-rejected', where, err, remote));
      const remotes = new WeakMap<Link, string>();
      server.events.on('connection-accepted', (link, info) => remotes.set(link, info.remote));
      server.events.on('connection-closed', (link, reason) =>
        this.events.emit('connection-closed', where, remotes.get(link) ?? 'unknown', reason));
      server.events.on('error', (err) => this.events.emit('error', err));
      this.events.emit('listening', where);
    }
    if (options.monitor !== undefined) {
      const monitorOptions = typeof options.monitor === 'object' ? options.monitor : { listen: options.monitor };
      const discovery = this.discovery;
      this.monitorServer = await startMonitor({ switch: this.switch, discovery, urls: () => this.urls }, monitorOptions);
    }
    for (const url of options.connect ?? []) {
      const reconnect = { switch: this.switch, delay: options.reconnectDelay ?? 1000 };
      const connector = isNatsUrl(url)
        ? new Reconnector((signal) => connectNats({ url, signal }), reconnect)
        : createReconnector(url, reconnect);
      connector.events.on('status', (status) => this.events.emit('connector-status', url, status));
      this.connectors.set(url, connector);
    }
  }

  /** Stops connectors, servers (ending their connections) and the discovery service. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.monitorServer?.close();
    await Promise.all([...this.connectors.values()].map((c) => c.stop()));
    await Promise.all(this.servers.map((s) => s.close()));
    this.discovery?.close();
    this.switch.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Starts a node; if any server fails to listen, everything started so far is closed again. */
export async function startNode(options: NodeOptions = {}): Promise<StreamtasksNode> {
  const node = new StreamtasksNode();
  try {
    await node.start(options);
  } catch (err) {
    await node.close();
    throw err;
  }
  return node;
}

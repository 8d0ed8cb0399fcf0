// Node-only: accepts connections and attaches each as a link to a switch.
import { setMaxListeners } from 'node:events';
import type { ServerOptions as HttpsOptions } from 'node:https';
import { AbortError, Emitter, type Switch } from '@streamtasks/link';
import type { FrameChannel } from './channel.js';
import { ConnectionLink, checkConnectionLinkOptions, type ConnectionLinkOptions } from './connection-link.js';
import {
  DEFAULT_HANDSHAKE_TIMEOUT,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_FRAME_SIZE,
  MAX_HANDSHAKE_FRAME_SIZE,
} from './constants.js';
import { HandshakeRejectedError } from './errors.js';
import { encodeReply, serverHandshake, type HandshakeData } from './handshake.js';
import type { Listener, ListenAddress } from './listener.js';
import { nodeName, socketPathOf } from './node-socket.js';
import { SocketChannel } from './socket-channel.js';
import { listenStream } from './stream-listener.js';
import { formatUrl, parseUrl, type ConnectionUrl } from './url.js';
import { WebSocketChannel } from './websocket-channel.js';
import { listenWebSocket } from './websocket-listener.js';

export interface ServerOptions extends ConnectionLinkOptions {
  /** Every accepted connection's link is added to this switch (and removed from it when it ends). */
  switch?: Switch;
  /** Called with every accepted link (with or instead of `switch`). */
  onConnection?: (link: ConnectionLink, info: ConnectionInfo) => void;
  /** The `auth` clients must send; overrides the URL's `auth` parameter. Absent: clients must send none. */
  auth?: string;
  /** Cost of accepted links; default the URL's `cost` parameter, else the scheme's default. */
  cost?: number;
  /** Milliseconds a client has to complete the handshake. Default 10 000. */
  handshakeTimeout?: number;
  /** Connections (handshaking and accepted) held at most; more are rejected. Default 1024. */
  maxConnections?: number;
  /** Largest frame accepted after the handshake. Default 16 MiB. */
  maxFrameSize?: number;
  /** Milliseconds a graceful close may take to flush (TCP, unix). Default 5000. */
  closeTimeout?: number;
  /** Certificate and key for a `wss://` server. */
  tls?: HttpsOptions;
}

/** What is known about an accepted connection. */
export interface ConnectionInfo {
  /** The peer's address: `host:port`, or the socket path for unix sockets. */
  readonly remote: string;
  /** The client's handshake data (URL user info, query parameters, `version`). */
  readonly handshake: HandshakeData;
}

/** Events of a {@link TransportServer}. */
export interface ServerEvents {
  /** A client completed the handshake; its link is attached. */
  'connection-accepted': [link: ConnectionLink, info: ConnectionInfo];
  /** A connection did not become a link (refused auth or version, capacity, malformed handshake, timeout). */
  'connection-rejected': [error: Error, remote: string];
  /** An accepted connection ended; `reason` is the failure that ended it, if any (e.g. a `DecodeError`). */
  'connection-closed': [link: ConnectionLink, reason: Error | undefined];
  /** The listening socket failed after it started. */
  error: [error: Error];
  /** The server closed. */
  close: [];
}

/**
 * A listening server (see {@link createServer}). Each accepted connection
 * becomes one link; when the connection ends, the link is closed and removed
 * from the switch.
 */
export class TransportServer {
  readonly events = new Emitter<ServerEvents>();
  private readonly target: ConnectionUrl;
  private readonly options: ServerOptions;
  private readonly auth: string | undefined;
  private readonly cost: number;
  private readonly maxConnections: number;
  private readonly maxFrameSize: number;
  /** Every connection until its socket is released (to wait for on close). */
  private readonly channels = new Set<FrameChannel>();
  /** Connections in the handshake. */
  private readonly handshaking = new Set<FrameChannel>();
  private readonly links = new Set<ConnectionLink>();
  /** Cancels handshakes in progress when the server closes. */
  private readonly closing = new AbortController();
  private listener: Listener | undefined;
  private closePromise: Promise<void> | undefined;

  /** Servers are made with {@link createServer}, which also starts them. */
  constructor(target: ConnectionUrl, options: ServerOptions) {
    this.target = target;
    this.options = options;
    this.auth = options.auth ?? target.handshakeData.get('auth');
    this.cost = options.cost ?? target.cost;
    checkConnectionLinkOptions({ ...options, cost: this.cost });
    this.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    this.maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
    // Every handshake in progress listens to it (up to maxConnections at once): not a leak.
    setMaxListeners(0, this.closing.signal);
  }

  /** Whether the server accepts connections (false once `close()` was called). */
  get listening(): boolean {
    return this.listener !== undefined && !this.closing.signal.aborted;
  }

  /** The bound address: host and port (the real one when the URL asked for port 0), or the socket path. */
  get address(): ListenAddress {
    return this.requireListener().address;
  }

  /** The bound port, for TCP and WebSocket servers. */
  get port(): number | undefined {
    const address = this.address;
    return 'port' in address ? address.port : undefined;
  }

  /**
   * A URL clients can connect to (with the bound port; without the server's
   * credentials or parameters). A node socket server gives `node://NAME`
   * when its name survives a URL (lowercase), else its `unix://` path.
   */
  get url(): string {
    const address = this.address;
    if (this.target.scheme === 'node') {
      const name = this.target.host === '' ? nodeName() : this.target.host;
      if (/^[a-z0-9._~-]*$/.test(name)) return formatUrl('node', name, undefined, '');
    }
    if ('path' in address) return formatUrl('unix', '', undefined, address.path);
    return formatUrl(this.target.scheme, this.target.host, address.port, this.target.path);
  }

  /** Accepted connections that are still open. */
  get connectionCount(): number {
    return this.links.size;
  }

  /** Connections still in the handshake. */
  get pendingCount(): number {
    return this.handshaking.size;
  }

  /**
   * Stops listening and ends every connection: accepted links are removed
   * from the switch (which closes them), handshakes in progress are
   * cancelled. Resolves once all sockets are closed. Safe to call twice.
   */
  close(): Promise<void> {
    this.closePromise ??= this.shutdown();
    return this.closePromise;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** @internal */
  async start(): Promise<void> {
    const onError = (error: Error) => this.events.emit('error', error);
    if (this.target.scheme === 'tcp' || this.target.scheme === 'unix' || this.target.scheme === 'node') {
      const closeTimeout = this.options.closeTimeout;
      this.listener = await listenStream(
        this.target,
        (socket) => {
          const remote = socket.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort}` : socketPathOf(this.target);
          this.accept(new SocketChannel(socket, { maxFrameSize: this.maxFrameSize, closeTimeout, description: `${this.target.scheme} ${remote}` }), remote);
        },
        onError,
      );
    } else {
      this.listener = await listenWebSocket(
        this.target,
        {
          maxPayload: this.maxFrameSize,
          tls: this.options.tls,
          upgradeTimeout: this.options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT,
        },
        (ws, remote) => this.accept(
          new WebSocketChannel(ws, { maxFrameSize: this.maxFrameSize, closeTimeout: this.options.closeTimeout, description: `websocket ${remote}` }),
          remote,
        ),
        onError,
      );
    }
  }

  private requireListener(): Listener {
    if (!this.listener) throw new Error('the server is not listening yet');
    return this.listener;
  }

  private accept(channel: FrameChannel, remote: string): void {
    this.channels.add(channel);
    void channel.released.then(() => this.channels.delete(channel));
    if (this.closing.signal.aborted) {
      channel.close();
      return;
    }
    if (this.handshaking.size + this.links.size >= this.maxConnections) {
      const error = new HandshakeRejectedError('capacity', `the server holds its maximum of ${this.maxConnections} connections`);
      channel.send(encodeReply(false));
      channel.close(error);
      this.events.emit('connection-rejected', error, remote);
      return;
    }
    this.handshaking.add(channel);
    // Until the client is accepted it may send only a small hello.
    channel.maxFrameSize = Math.min(MAX_HANDSHAKE_FRAME_SIZE, this.maxFrameSize);
    serverHandshake(channel, this.auth, {
      timeout: this.options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT,
      signal: this.closing.signal,
    }).then(
      (hello) => {
        this.handshaking.delete(channel);
        this.attach(channel, { remote, handshake: hello });
      },
      (err: Error) => {
        this.handshaking.delete(channel);
        channel.close(err);
        // A handshake cut short by close() is not news.
        if (!(err instanceof AbortError && this.closing.signal.aborted)) this.events.emit('connection-rejected', err, remote);
      },
    );
  }

  private attach(channel: FrameChannel, info: ConnectionInfo): void {
    if (this.closing.signal.aborted) {
      channel.close();
      return;
    }
    channel.maxFrameSize = this.maxFrameSize;
    const { highWaterMark, maxBufferedBytes, maxQueuedMessages } = this.options;
    const link = new ConnectionLink(channel, { cost: this.cost, highWaterMark, maxBufferedBytes, maxQueuedMessages });
    this.links.add(link);
    void link.closed.then((reason) => {
      this.links.delete(link);
      this.events.emit('connection-closed', link, reason);
    });
    this.options.switch?.addLink(link);
    if (this.options.onConnection) {
      try {
        this.options.onConnection(link, info);
      } catch (err) {
        this.events.emit('error', err instanceof Error ? err : new Error(String(err)));
      }
    }
    this.events.emit('connection-accepted', link, info);
  }

  private async shutdown(): Promise<void> {
    this.closing.abort();
    const listenerClosed = this.listener?.close();
    for (const link of [...this.links]) {
      if (this.options.switch) this.options.switch.removeLink(link);
      else link.close();
    }
    const channels = [...this.channels];
    for (const channel of channels) channel.close();
    await Promise.all([listenerClosed, ...channels.map((c) => c.released)]);
    // Links whose close is still being reported.
    await Promise.all([...this.links].map((l) => l.closed));
    this.events.emit('close');
  }
}

/**
 * Starts a server on a `tcp://`, `unix://`, `node://[NAME]`, `ws://` or
 * `wss://` URL and resolves once it listens (`node://` is the node's local
 * unix socket, where `connect()` without a URL looks). Port 0 picks a free port (see
 * {@link TransportServer.url}). The URL's `auth` parameter (or
 * `options.auth`) is what every client must send; the server's reply never
 * contains its own credentials or parameters.
 *
 * @example
 * ```ts
 * const hub = new Switch();
 * const server = await createServer('tcp://127.0.0.1:0?auth=secret', { switch: hub });
 * console.log(server.url); // tcp://127.0.0.1:PORT
 * // …
 * await server.close();
 * ```
 */
export async function createServer(url: string | ConnectionUrl, options: ServerOptions = {}): Promise<TransportServer> {
  const server = new TransportServer(typeof url === 'string' ? parseUrl(url) : url, options);
  await server.start();
  return server;
}
